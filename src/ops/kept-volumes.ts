/**
 * Which file system each of an app's volumes attaches. The stack keeps its file systems when it
 * goes (destroy keeps them unless --delete-volumes), so a deploy that creates the stack again
 * attaches the one it kept, found by its cyclops tags and its volume tag, instead of making a
 * new, empty one. An existing stack keeps what it was created with.
 */
import { appConfig } from '../config/model';
import { usageError } from '../errors';
import { say } from '../events';
import { appVolumes, keptParameter } from '../plan';
import type { StackSummary } from '../stacks';
import type { AppTarget } from '../plan/target';
import type { Ops } from './context';

/** Volume name → the kept file system id to attach (volumes not listed: the stack makes its own). */
export async function keptVolumes(ops: Ops, t: AppTarget, stack: StackSummary | null): Promise<Record<string, string>> {
  const names = appVolumes(appConfig(ops.config, t.app, t.env));
  if (!names.length) return {};
  if (stack) return Object.fromEntries(names.flatMap((n) => (stack.parameters[keptParameter(n)] ? [[n, stack.parameters[keptParameter(n)]]] : [])));
  const kept = (await ops.volumes.list(t.env, t.app)).filter((v) => v.state === undefined || v.state === 'available');
  const out: Record<string, string> = {};
  for (const name of names) {
    let candidates = kept.filter((v) => v.volume === name);
    // made before file systems carried their volume's name: only unambiguous with one volume
    if (!candidates.length && names.length === 1) candidates = kept.filter((v) => v.volume === undefined);
    if (candidates.length > 1) {
      throw usageError(
        `volume ${name} of ${t.app} in ${t.env}: ${candidates.length} kept file systems (${candidates.map((v) => v.id).join(', ')}) could be attached; keep the one with the data and delete the others with "aws efs delete-file-system" (after their mount targets), then deploy again`,
      );
    }
    if (candidates.length === 1) {
      out[name] = candidates[0].id;
      say.info(ops.events, 'deploy.volume.kept-attached', { volume: name, fileSystemId: candidates[0].id }, `volume ${name}: attaching file system ${candidates[0].id}, kept when ${t.app} was destroyed`);
    }
  }
  const stray = kept.filter((v) => v.volume !== undefined && !names.includes(v.volume));
  if (stray.length) {
    say.warn(ops.events, 'deploy.volume.kept-stray', { fileSystems: stray.map((v) => v.id) }, `kept file systems of volumes ${t.app} no longer has are not attached: ${stray.map((v) => `${v.id} (${v.volume})`).join(', ')}; delete them with "cyclops destroy ${t.app} ${t.env} --delete-volumes" once their data is not needed`);
  }
  return out;
}

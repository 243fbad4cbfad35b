/**
 * `cyclops scale APP ENV web=3 worker=0 [--reset]`: only the count parameters change, on the
 * current release's own template (no re-render); then the rollout wait and a new release
 * (kind scale). The counts stay with the app: later deploys keep them (see deploy), and
 * --reset goes back to config's counts.
 */
import { appConfig, serviceProcesses } from '../config/model';
import { usageError } from '../errors';
import { say } from '../events';
import { appStack } from '../naming';
import { countParameter } from '../plan';
import type { ReleaseRecord } from '../store';
import { now, type Ops } from './context';
import { withAppLock } from './lock';
import { elapsed, reapply, requireCurrent, requireTemplate } from './reapply';
import { checkCounts, scalable } from './release';
import type { AppTarget } from './target';

/** "web=3" arguments → counts; a malformed one is a usage error. */
export function parseCounts(args: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of args) {
    const m = /^([a-z][a-z0-9-]*)=(-?\d+)$/.exec(a);
    if (!m) throw usageError(`scale ${a}: not a process count; use PROCESS=N, such as web=3 or worker=0 (0-100)`);
    if (Object.hasOwn(counts, m[1])) throw usageError(`scale ${a}: sets ${m[1]} a second time; give it once`);
    counts[m[1]] = Number(m[2]);
  }
  return counts;
}

export interface ScaleResult {
  app: string;
  env: string;
  stack: string;
  counts: Record<string, number>;
  previous: Record<string, number>;
  changed: boolean;
  release: ReleaseRecord | null;
  duration: number;
}

const countsOf = (params: Record<string, string>, kinds: string[]) =>
  Object.fromEntries(kinds.filter((k) => params[countParameter(k as 'web')] !== undefined).map((k) => [k, Number(params[countParameter(k as 'web')])]));

export async function scale(ops: Ops, t: AppTarget, req: { counts: Record<string, number>; reset?: boolean; timeoutSeconds?: number }): Promise<ScaleResult> {
  const started = now(ops);
  if (req.reset && Object.keys(req.counts).length) throw usageError(`scale --reset: goes back to the counts in ${ops.config.file}; give either --reset or PROCESS=N, not both`);
  if (!req.reset && !Object.keys(req.counts).length) throw usageError(`scale ${t.app} ${t.env}: no counts given; use PROCESS=N (such as web=3), or --reset to go back to config`);
  checkCounts(ops.config, t, req.counts);
  const current = requireCurrent(await ops.store.readRelease(t.env, t.app), t, 'scale');
  const template = await requireTemplate(ops, current, 'scale');
  const kinds = scalable(ops.config, t.app);
  const configCounts = Object.fromEntries(serviceProcesses(appConfig(ops.config, t.app)).map((p) => [p.name, p.count]));
  const previous = countsOf(template.parameters, kinds);
  const overrides = req.reset ? undefined : { ...current.counts, ...req.counts };
  const wanted = { ...configCounts, ...overrides };
  const parameters = { ...template.parameters };
  for (const k of kinds) if (parameters[countParameter(k)] !== undefined) parameters[countParameter(k)] = String(wanted[k]);
  const stack = appStack(t.platform, t.env, t.app);
  const counts = countsOf(parameters, kinds);
  const same = JSON.stringify(parameters) === JSON.stringify(template.parameters) && JSON.stringify(overrides ?? null) === JSON.stringify(current.counts ?? null);
  if (same) {
    say.info(ops.events, `${t.app} in ${t.env} already runs ${Object.entries(counts).map(([k, n]) => `${k}=${n}`).join(' ')}; nothing to do`);
    return { app: t.app, env: t.env, stack, counts, previous, changed: false, release: current, duration: elapsed(ops, started) };
  }
  say.step(ops.events, `scaling ${t.app} in ${t.env}: ${Object.entries(counts).map(([k, n]) => `${k} ${previous[k]} → ${n}`).join(', ')}`);
  const r = await withAppLock(ops, t, `scale ${Object.entries(counts).map(([k, n]) => `${k}=${n}`).join(' ')}`, (scope) =>
    reapply(ops, t, scope, { base: current, parameters, kind: 'scale', counts: overrides, timeoutSeconds: req.timeoutSeconds, started }),
  );
  return { app: t.app, env: t.env, stack, counts, previous, changed: true, release: r.release, duration: elapsed(ops, started) };
}

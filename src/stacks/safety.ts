/**
 * Wiring of the change-safety guard (guard.ts) into an update: read the verdict before a
 * change set is executed, report it on a dry run, refuse (exit 2) on a real one.
 */
import * as cfn from '../aws/cloudformation';
import { usageError } from '../errors';
import { say } from '../events';
import type { ChangeSet } from './changeset';
import { blockedChanges, blockedMessage, changedExports, describeBlocked, describeExport, exportMessage } from './guard';
import type { StackSummary } from './outputs';
import type { ApplyInput, BlockedChange, BlockedExport, ChangeSummary } from './types';
import type { Run } from './wait';

export interface Verdict {
  blocked: BlockedChange[];
  blockedExports: BlockedExport[];
  /** the fields a dry run adds to its ApplyResult */
  result: { blocked?: BlockedChange[]; blockedExports?: BlockedExport[] };
}

/** The new template: the caller's body, else the change set's own (read only when needed). */
async function newTemplate(run: Run, input: ApplyInput, cs: ChangeSet): Promise<string> {
  return input.templateBody ?? (await cfn.changeSetTemplate(run.aws, run.stackName, cs.name));
}

/** Exports the update changes or drops, each with the stacks that import it (only those imported). */
async function importedExports(run: Run, input: ApplyInput, stack: StackSummary, cs: ChangeSet, changes: ChangeSummary[]): Promise<BlockedExport[]> {
  if (!Object.keys(stack.exports ?? {}).length) return [];
  const body = await newTemplate(run, input, cs);
  let changed: Omit<BlockedExport, 'importers'>[];
  try {
    changed = changedExports(stack, body, changes);
  } catch {
    say.warn(run.events, 'stack.export-check.skipped', { stack: run.stackName }, `stack ${run.stackName}: the new template is not JSON, so its exports were not compared; make sure no other stack imports what changes`);
    return [];
  }
  const out: BlockedExport[] = [];
  for (const c of changed) {
    if (run.poller.aborted) break;
    const importers = await run.poller.call(() => cfn.listImports(run.aws, c.exportName));
    if (importers.length) out.push({ ...c, importers });
  }
  return out;
}

export async function checkUpdate(run: Run, input: ApplyInput, stack: StackSummary, cs: ChangeSet, changes: ChangeSummary[]): Promise<Verdict> {
  const blocked = blockedChanges(changes, input.allowReplace);
  const blockedExports = await importedExports(run, input, stack, cs, changes);
  if (input.dryRun) {
    for (const b of blocked) say.warn(run.events, 'stack.change.blocked', { stack: run.stackName, logicalId: b.logicalId, resourceType: b.resourceType, action: b.action }, `blocked: ${describeBlocked(b)}`);
    for (const b of blockedExports) say.warn(run.events, 'stack.export.blocked', { stack: run.stackName, exportName: b.exportName, importers: b.importers }, `blocked: ${describeExport(b)}`);
  }
  const result = {
    ...(blocked.length ? { blocked } : {}),
    ...(blockedExports.length ? { blockedExports } : {}),
  };
  return { blocked, blockedExports, result };
}

/** A real run stops here when anything is blocked: exit 2, the caller deletes the change set. */
export function refuse(run: Run, v: Verdict): void {
  refuseBlocked(run.stackName, v.blocked, v.blockedExports);
}

/** The same refusal from a dry run's verdict (deploy --build, before it builds): exit 2. */
export function refuseBlocked(stackName: string, blocked: BlockedChange[] = [], blockedExports: BlockedExport[] = []): void {
  if (blocked.length) throw usageError(blockedMessage(stackName, blocked), blocked.map(describeBlocked));
  if (blockedExports.length) throw usageError(exportMessage(stackName, blockedExports), blockedExports.map(describeExport));
}

/** Change sets: create one, wait for it, read its changes (with details), delete it. */
import * as cfn from '../aws/cloudformation';
import { changeSetName } from '../naming';
import { failure } from '../errors';
import { say } from '../events';
import type { ApplyInput, ChangeSummary } from './types';
import { isNoChangeReason } from './status';
import type { Run } from './wait';

export interface ChangeSet {
  name: string;
  stackId?: string;
  /** FAILED because nothing would change */
  empty: boolean;
  changes: ChangeSummary[];
}

export async function createChangeSet(run: Run, input: ApplyInput, type: 'CREATE' | 'UPDATE'): Promise<ChangeSet> {
  const name = changeSetName(run.stackName);
  const out = await cfn.createChangeSet(run.aws, { ...input, stackName: run.stackName, changeSetName: name, type });
  say.debug(run.events, 'stack.change-set.created', { stack: run.stackName, changeSet: name, type }, `change set ${name} of stack ${run.stackName} (${type})`);
  return { name, stackId: out.stackId, empty: false, changes: [] };
}

/**
 * Wait until the change set is ready and read all its changes (every page, with their
 * details). A change set that FAILED because it changes nothing comes back `empty`; any
 * other failure is an error (the caller deletes the change set either way). Ctrl-C is
 * checked after every call, so an abort never lets a ready change set through.
 */
export async function describeChangeSet(run: Run, cs: ChangeSet): Promise<ChangeSet | 'interrupted'> {
  const { aws, stackName, poller } = run;
  for (;;) {
    const out = await poller.call(() => cfn.describeChangeSet(aws, stackName, cs.name));
    if (poller.aborted) return 'interrupted';
    if (out.status === 'FAILED') {
      if (isNoChangeReason(out.reason)) return { ...cs, empty: true };
      throw failure(`stack ${stackName}: change set failed: ${out.reason ?? 'no reason given'}; fix the template or parameters and try again`);
    }
    if (out.status === 'CREATE_COMPLETE') return { ...cs, changes: out.changes };
    if (poller.timedOut) {
      throw failure(`stack ${stackName}: change set ${cs.name} still ${out.status} after ${poller.timeoutSeconds}s; try again later or raise --timeout`);
    }
    await poller.wait();
    if (poller.aborted) return 'interrupted';
  }
}

/** Delete a change set we made; a failure here only warns, so it never hides the real error. */
export async function deleteChangeSet(run: Run, cs: ChangeSet): Promise<void> {
  try {
    await cfn.deleteChangeSet(run.aws, run.stackName, cs.name);
  } catch (e) {
    say.warn(run.events, 'stack.change-set.delete-failed', { stack: run.stackName, changeSet: cs.name, reason: (e as Error).message }, `could not delete change set ${cs.name} of stack ${run.stackName} (${(e as Error).message}); delete it in the CloudFormation console`);
  }
}

export async function executeChangeSet(run: Run, cs: ChangeSet): Promise<void> {
  await cfn.executeChangeSet(run.aws, run.stackName, cs.name);
}

const MARK: Record<string, string> = { Add: '+', Modify: '~', Remove: '-', Import: '>', Dynamic: '?' };

/** One line per change, for humans: "+ Db (AWS::RDS::DBInstance)", "~ Service (...) replace: True". */
export function formatChange(c: ChangeSummary): string {
  const replace = c.action === 'Modify' && c.replacement && c.replacement !== 'False' ? ` replace: ${c.replacement}` : '';
  return `${MARK[c.action] ?? '?'} ${c.logicalId} (${c.resourceType})${replace}`;
}

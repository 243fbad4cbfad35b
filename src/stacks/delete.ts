/** Deleting a stack and waiting until it is gone. */
import type { Aws } from '../aws/client';
import * as cfn from '../aws/cloudformation';
import { CyclopsError, ExitCode, failure, interrupted } from '../errors';
import { say, type Events } from '../events';
import type { StackSummary } from './outputs';
import { Poller } from './poll';
import { isInProgress } from './status';
import type { DeleteOptions } from './types';
import { readStack, settle, streamFor, waitForStack, type Run } from './wait';

/**
 * Delete the stack and wait until it is gone. `deleted: false` when there was no stack.
 * A stack busy with another operation is waited for first.
 */
export async function deleteStack(aws: Aws, events: Events, stackName: string, opts: DeleteOptions = {}): Promise<{ deleted: boolean }> {
  const run: Run = { aws, events, poller: new Poller(opts), stackName, roleArn: opts.roleArn };
  let stack = await readStack(run);
  if (stack && isInProgress(stack.status) && stack.status !== 'DELETE_IN_PROGRESS') stack = await settle(run, stack);
  if (!stack) return { deleted: false };
  say.step(events, 'stack.deleting', { stack: stackName }, `deleting stack ${stackName}`);
  await removeStack(run, stack);
  return { deleted: true };
}

/** DeleteStack (unless already deleting) and wait; DELETE_FAILED, timeout and Ctrl-C throw. */
export async function removeStack(run: Run, stack: StackSummary): Promise<void> {
  const { aws, poller, stackName } = run;
  // Events by stack id: they stay readable after the stack is gone.
  const events = streamFor(run, stack.id);
  if (stack.status !== 'DELETE_IN_PROGRESS') {
    await events.prime();
    await cfn.deleteStack(aws, stackName, stackName, run.roleArn);
  }
  const outcome = await waitForStack(run, events);
  if (outcome.kind === 'interrupted') {
    say.warn(run.events, 'stack.delete.continues', { stack: stackName }, `stack ${stackName}: deletion continues in CloudFormation; run the command again to wait for it`);
    throw interrupted(`stack ${stackName}: interrupted while deleting`);
  }
  if (outcome.kind === 'timeout') {
    throw failure(`stack ${stackName}: still ${outcome.status} after ${poller.timeoutSeconds}s; CloudFormation carries on; run the command again to keep waiting, or raise --timeout`);
  }
  if (outcome.stack) {
    const reasons = events.failures();
    if (!reasons.length && outcome.stack.reason) reasons.push(outcome.stack.reason);
    throw new CyclopsError(
      `stack ${stackName}: delete ended ${outcome.stack.status}; fix or remove the resources named below (e.g. empty a bucket), then run the delete again`,
      { exitCode: ExitCode.FAILED, details: reasons, code: 'stack-failed' },
    );
  }
}

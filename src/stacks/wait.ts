/** Wait for a stack to leave *_IN_PROGRESS, streaming its events meanwhile. */
import type { Aws } from '../aws/client';
import { describeAwsError } from '../aws/errors';
import { failure, interrupted } from '../errors';
import type { Reporter } from '../report/reporter';
import { EventStream } from './events';
import { fetchStack, type StackSummary } from './outputs';
import { isInProgress } from './status';
import type { Poller } from './poll';

export type WaitOutcome =
  | { kind: 'settled'; stack: StackSummary | null } // null: the stack is gone
  | { kind: 'timeout'; status: string }
  | { kind: 'interrupted'; status: string };

/** What one engine call carries around. */
export interface Run {
  aws: Aws;
  reporter: Reporter;
  poller: Poller;
  stackName: string;
}

/** DescribeStacks with throttling retried and other errors turned into one line. */
export async function readStack(run: Run): Promise<StackSummary | null> {
  return guard(run, `describe stack ${run.stackName}`, () => run.poller.call(() => fetchStack(run.aws, run.stackName)));
}

/** Any other AWS error becomes one clear line naming what we were doing (exit 1). */
export async function guard<T>(run: Run, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw describeAwsError(e, { action, region: run.aws.region, endpoint: run.aws.endpoint });
  }
}

export async function waitForStack(run: Run, events: EventStream | null): Promise<WaitOutcome> {
  for (;;) {
    const stack = await readStack(run);
    if (events) await guard(run, `read events of stack ${run.stackName}`, () => events.poll());
    if (!stack || !isInProgress(stack.status)) return { kind: 'settled', stack };
    if (run.poller.aborted) return { kind: 'interrupted', status: stack.status };
    if (run.poller.timedOut) return { kind: 'timeout', status: stack.status };
    await run.poller.wait();
    if (run.poller.aborted) return { kind: 'interrupted', status: stack.status };
  }
}

/**
 * Another operation is running on the stack: wait for it (events streamed, history not
 * reprinted) up to the deadline, then go on with what the stack has become.
 */
export async function settle(run: Run, stack: StackSummary): Promise<StackSummary | null> {
  const { reporter, poller, stackName } = run;
  reporter.step(`stack ${stackName} is ${stack.status}; waiting up to ${poller.timeoutSeconds}s for it to settle`);
  const events = new EventStream(run.aws, reporter, poller, stack.id);
  await guard(run, `read events of stack ${stackName}`, () => events.prime());
  const outcome = await waitForStack(run, events);
  if (outcome.kind === 'interrupted') throw interrupted(`stack ${stackName}: stopped waiting while ${outcome.status}; cyclops changed nothing`);
  if (outcome.kind === 'timeout') {
    throw failure(`stack ${stackName}: still ${outcome.status} after ${poller.timeoutSeconds}s; wait for that operation to finish (or raise --timeout) and try again`);
  }
  return outcome.stack;
}

/** Wait for a stack to leave *_IN_PROGRESS, streaming its events meanwhile. */
import type { Aws } from '../aws/client';
import { failure, interrupted } from '../errors';
import { say, type Events } from '../events';
import { EventStream } from './events';
import { fetchStack, type StackSummary } from './outputs';
import { isInProgress } from './status';
import type { Poller } from './poll';

export type WaitOutcome =
  | { kind: 'settled'; stack: StackSummary | null } // null: the stack is gone
  | { kind: 'timeout'; status: string }
  | { kind: 'interrupted'; status: string };

/** What one engine call carries around. Every AWS call goes through src/aws, which translates errors. */
export interface Run {
  aws: Aws;
  events: Events;
  poller: Poller;
  stackName: string;
  /** the service role stack operations pass (RoleARN) */
  roleArn?: string;
}

/** DescribeStacks with throttling retried. */
export async function readStack(run: Run): Promise<StackSummary | null> {
  return run.poller.call(() => fetchStack(run.aws, run.stackName));
}

/** An event stream for this run's stack (by id, so it outlives a deletion). */
export const streamFor = (run: Run, stack: string, since?: Date) => new EventStream(run.aws, run.events, run.poller, stack, since, run.stackName);

export async function waitForStack(run: Run, events: EventStream | null): Promise<WaitOutcome> {
  for (;;) {
    const stack = await readStack(run);
    if (events) await events.poll();
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
  const { poller, stackName } = run;
  say.step(run.events, 'stack.waiting-other', { stack: stackName, status: stack.status, timeoutSeconds: poller.timeoutSeconds }, `stack ${stackName} is ${stack.status}; waiting up to ${poller.timeoutSeconds}s for it to settle`);
  const events = streamFor(run, stack.id);
  await events.prime();
  const outcome = await waitForStack(run, events);
  if (outcome.kind === 'interrupted') throw interrupted(`stack ${stackName}: stopped waiting while ${outcome.status}; cyclops changed nothing`);
  if (outcome.kind === 'timeout') {
    throw failure(`stack ${stackName}: still ${outcome.status} after ${poller.timeoutSeconds}s; wait for that operation to finish (or raise --timeout) and try again`);
  }
  return outcome.stack;
}

/** Moving a stack onto another service role (the platform's role under its IAM path). */
import type { Aws } from '../aws/client';
import * as cfn from '../aws/cloudformation';
import { failure, interrupted } from '../errors';
import { say, type Events } from '../events';
import { finish } from './apply';
import { Poller } from './poll';
import { classify, isNoChangeReason } from './status';
import type { PollOptions } from './types';
import { readStack, settle, streamFor, type Run } from './wait';

export interface RoleMoveOptions {
  timeoutSeconds?: number;
  signal?: AbortSignal;
  poll?: PollOptions;
}

/**
 * Make `roleArn` the role CloudFormation uses for the stack, changing nothing else, and wait.
 * A stack busy with another operation is waited for first; one already on the role is left
 * alone ('unchanged'); one gone is 'gone'. A stack that cannot be updated (a failed state)
 * throws with what to do: it keeps its role.
 */
export async function moveStackRole(aws: Aws, events: Events, stackName: string, roleArn: string, opts: RoleMoveOptions = {}): Promise<'moved' | 'unchanged' | 'gone'> {
  const run: Run = { aws, events, poller: new Poller(opts), stackName, roleArn };
  let stack = await readStack(run);
  if (stack && classify(stack.status) === 'in-progress') stack = await settle(run, stack);
  if (!stack) return 'gone';
  if (stack.roleArn === roleArn) return 'unchanged';
  if (classify(stack.status) !== 'stable') {
    throw failure(`stack ${stackName} is ${stack.status}${stack.reason ? ` (${stack.reason})` : ''}; it cannot be updated, so it keeps role ${stack.roleArn ?? '(none)'}; fix it (or delete it), then run the command again`);
  }
  if (run.poller.aborted) throw interrupted(`stack ${stackName}: interrupted before moving it onto role ${roleArn}; nothing was changed`);
  const stream = streamFor(run, stack.id);
  await stream.prime();
  try {
    await cfn.updateStackRole(aws, stackName, Object.keys(stack.parameters), roleArn);
  } catch (e) {
    if (!isNoChangeReason((e as Error).message)) throw e;
    throw failure(`stack ${stackName}: CloudFormation saw nothing to update, so it keeps role ${stack.roleArn ?? '(none)'}; the next change of the stack (deploy, env update) passes role ${roleArn}; then run the command again`);
  }
  say.step(events, 'stack.role.moving', { stack: stackName, roleArn }, `stack ${stackName}: moving onto role ${roleArn}`);
  await finish(run, stream, 'update', []);
  return 'moved';
}

/**
 * applyStack: make a stack match a template URL and parameters, and wait.
 *
 * Missing stack → CreateStack. Existing stack → a change set: no changes → deleted, "no
 * changes"; --dry-run → listed and deleted; else executed. Before that the stack's state is
 * recovered: *_IN_PROGRESS is waited for, REVIEW_IN_PROGRESS and ROLLBACK_COMPLETE are
 * deleted (after saying so), UPDATE_ROLLBACK_FAILED and other *_FAILED states stop with
 * what to do.
 */
import type { Aws } from '../aws/client';
import * as cfn from '../aws/cloudformation';
import { CyclopsError, ExitCode, failure, interrupted } from '../errors';
import { say, type Events } from '../events';
import { createChangeSet, deleteChangeSet, describeChangeSet, executeChangeSet, formatChange, type ChangeSet } from './changeset';
import { removeStack } from './delete';
import type { EventStream } from './events';
import { checkUpdate, refuse } from './safety';
import type { StackSummary } from './outputs';
import { Poller } from './poll';
import { SUCCESS, classify } from './status';
import type { ApplyInput, ApplyResult, ChangeSummary } from './types';
import { readStack, settle, streamFor, waitForStack, type Run } from './wait';

/** Rounds of recovery before giving up (a stack that keeps changing under us). */
const MAX_RECOVERY = 5;

export async function applyStack(aws: Aws, events: Events, input: ApplyInput): Promise<ApplyResult> {
  const run: Run = { aws, events, poller: new Poller(input), stackName: input.stackName, roleArn: input.roleArn };
  const name = input.stackName;
  let stack = await readStack(run);
  let recreated = false;
  let review = false;
  for (let round = 0; stack && classify(stack.status) !== 'stable'; round++) {
    if (round >= MAX_RECOVERY) throw failure(`stack ${name}: still ${stack.status} after ${round} attempts to recover it; check it in the CloudFormation console`);
    const reason = stack.reason ? ` (${stack.reason})` : '';
    switch (classify(stack.status)) {
      case 'in-progress':
        stack = await settle(run, stack);
        break;
      case 'review':
        if (input.dryRun) {
          review = true;
          stack = null;
          break;
        }
        say.warn(events, 'stack.review-in-progress.deleting', { stack: name }, `stack ${name} is REVIEW_IN_PROGRESS: a change set made it and was never executed; deleting it before creating the stack`);
        await removeStack(run, stack);
        stack = null;
        break;
      case 'rollback-complete':
        if (input.dryRun) {
          say.warn(events, 'stack.rollback-complete.recreate', { stack: name, dryRun: true }, `stack ${name} is ROLLBACK_COMPLETE after a failed create; a real run deletes it and creates it again`);
          return { stackName: name, stackId: stack.id, action: 'dry-run', status: stack.status, changed: true, changes: [], outputs: {}, recreated: true };
        }
        say.warn(events, 'stack.rollback-complete.recreate', { stack: name, dryRun: false }, `stack ${name} is ROLLBACK_COMPLETE after a failed create${reason}; deleting it and creating it again`);
        await removeStack(run, stack);
        stack = null;
        recreated = true;
        break;
      case 'update-rollback-failed':
        throw failure(
          `stack ${name} is UPDATE_ROLLBACK_FAILED${reason}; run "aws cloudformation continue-update-rollback --stack-name ${name}" ` +
            `(add --resources-to-skip for resources that cannot roll back), wait for UPDATE_ROLLBACK_COMPLETE, then try again`,
        );
      default:
        throw failure(
          `stack ${name} is ${stack.status}${reason}; it cannot be updated; delete it ("aws cloudformation delete-stack --stack-name ${name}") or fix it in the CloudFormation console, then try again`,
        );
    }
  }
  if (run.poller.aborted) throw interrupted(`stack ${name}: interrupted before any change; nothing was changed`);
  const result = stack ? await update(run, input, stack) : input.dryRun ? await dryRunCreate(run, input, review) : await create(run, input);
  return recreated ? { ...result, recreated } : result;
}

async function create(run: Run, input: ApplyInput): Promise<ApplyResult> {
  if (input.importExisting) return createAdopting(run, input);
  if (input.beforeExecute) {
    await input.beforeExecute();
    checkAbort(run);
  }
  say.step(run.events, 'stack.creating', { stack: run.stackName }, `creating stack ${run.stackName}`);
  const started = new Date();
  const out = await cfn.createStack(run.aws, { ...input, stackName: run.stackName });
  if (out.retried) say.info(run.events, 'stack.create.retried', { stack: run.stackName }, `stack ${run.stackName}: the reply to CreateStack was lost and its retry found the stack the first attempt created; waiting for it`);
  return finish(run, streamFor(run, out.stackId ?? run.stackName, started), 'create', []);
}

/**
 * A create that adopts retained resources: CreateStack cannot import, so a CREATE change set with
 * ImportExistingResources is made, read (its "Import" rows listed), then executed. Stopped before
 * the execute (Ctrl-C, a failed release phase, a failed change set), the change set and the
 * REVIEW_IN_PROGRESS stack it made are deleted again: nothing was created.
 */
async function createAdopting(run: Run, input: ApplyInput): Promise<ApplyResult> {
  const { stackName } = run;
  say.step(run.events, 'stack.creating', { stack: stackName }, `creating stack ${stackName}`);
  const cs = await createChangeSet(run, input, 'CREATE');
  let executed = false;
  let events: EventStream;
  let changes: ChangeSummary[];
  try {
    checkAbort(run);
    changes = (await readChanges(run, cs)).changes;
    if (input.beforeExecute) {
      await input.beforeExecute();
      checkAbort(run);
    }
    events = streamFor(run, cs.stackId ?? stackName, new Date());
    await executeChangeSet(run, cs);
    executed = true;
  } finally {
    if (!executed) await dropReview(run, cs);
  }
  return finish(run, events, 'create', changes);
}

/** Delete a CREATE change set and the REVIEW_IN_PROGRESS stack it made; a failure only warns. */
async function dropReview(run: Run, cs: ChangeSet): Promise<void> {
  await deleteChangeSet(run, cs);
  try {
    await cfn.deleteStack(run.aws, cs.stackId ?? run.stackName, `review stack ${run.stackName}`, run.roleArn);
  } catch (e) {
    say.warn(run.events, 'stack.review.delete-failed', { stack: run.stackName, reason: (e as Error).message }, `could not delete the REVIEW_IN_PROGRESS stack ${run.stackName} (${(e as Error).message}); the next run deletes it`);
  }
}

/** Ctrl-C between steps: the change set is deleted (by the caller's finally) and nothing ran. */
function checkAbort(run: Run): void {
  if (run.poller.aborted) throw interrupted(`stack ${run.stackName}: interrupted before the change set was executed; it is deleted and nothing was changed`);
}

async function update(run: Run, input: ApplyInput, stack: StackSummary): Promise<ApplyResult> {
  const { stackName } = run;
  const base = { stackName, stackId: stack.id, status: stack.status, outputs: stack.outputs };
  say.step(run.events, 'stack.updating', { stack: stackName, dryRun: !!input.dryRun }, `${input.dryRun ? 'checking' : 'updating'} stack ${stackName}`);
  const cs = await createChangeSet(run, input, 'UPDATE');
  let executed = false;
  let events: EventStream;
  let changes: ChangeSummary[];
  try {
    checkAbort(run);
    const described = await readChanges(run, cs);
    changes = described.changes;
    if (described.empty) {
      say.info(run.events, 'stack.unchanged', { stack: stackName }, `stack ${stackName}: no changes`);
      return { ...base, action: 'none', changed: false, changes: [], stack };
    }
    const verdict = await checkUpdate(run, input, stack, cs, changes);
    checkAbort(run);
    if (input.dryRun) return { ...base, action: 'dry-run', changed: true, changes, ...verdict.result };
    refuse(run, verdict);
    if (input.beforeExecute) {
      await input.beforeExecute();
      checkAbort(run);
    }
    events = streamFor(run, stack.id);
    await events.prime();
    checkAbort(run);
    await executeChangeSet(run, cs);
    executed = true;
  } finally {
    if (!executed) await deleteChangeSet(run, cs);
  }
  return finish(run, events, 'update', changes);
}

/**
 * Dry run for a stack that does not exist: a CREATE change set, because CloudFormation
 * itself then validates the template and parameters and lists exactly the resources it
 * would create (reading the template locally would do neither). The change set leaves a
 * REVIEW_IN_PROGRESS stack behind, so the change set and that stack are both deleted again
 * (a REVIEW_IN_PROGRESS stack that was there before is left as it was).
 */
async function dryRunCreate(run: Run, input: ApplyInput, reviewExisted: boolean): Promise<ApplyResult> {
  const { stackName } = run;
  say.step(run.events, 'stack.checking-new', { stack: stackName }, `checking stack ${stackName} (it does not exist yet)`);
  const cs = await createChangeSet(run, input, 'CREATE');
  try {
    checkAbort(run);
    const { changes } = await readChanges(run, cs);
    return { stackName, action: 'dry-run', status: 'NONE', changed: true, changes, outputs: {} };
  } finally {
    await deleteChangeSet(run, cs);
    if (!reviewExisted) await cfn.deleteStack(run.aws, cs.stackId ?? stackName, `review stack ${stackName}`, run.roleArn);
  }
}

/** Wait for the change set and list its changes; Ctrl-C here changes nothing. */
async function readChanges(run: Run, cs: ChangeSet): Promise<ChangeSet> {
  const described = await describeChangeSet(run, cs);
  if (described === 'interrupted') throw interrupted(`stack ${run.stackName}: interrupted before any change; the change set is deleted and nothing was changed`);
  for (const c of described.changes) say.info(run.events, 'stack.change', c, `  ${formatChange(c)}`);
  return described;
}

/** Wait for the create or update to end; report failure reasons, timeout, or Ctrl-C. */
export async function finish(run: Run, events: EventStream, action: 'create' | 'update', changes: ChangeSummary[]): Promise<ApplyResult> {
  const { aws, poller, stackName } = run;
  const outcome = await waitForStack(run, events);
  if (outcome.kind === 'interrupted') {
    if (action === 'update' && outcome.status === 'UPDATE_IN_PROGRESS') {
      await cfn.cancelUpdateStack(aws, stackName);
      say.warn(run.events, 'stack.update.cancelled', { stack: stackName }, `cancelled the update of stack ${stackName}; CloudFormation rolls it back to the previous version`);
    } else if (action === 'update') {
      say.warn(run.events, 'stack.update.too-late', { stack: stackName, status: outcome.status }, `stack ${stackName} is ${outcome.status}, too late to cancel; CloudFormation finishes it`);
    } else {
      say.warn(run.events, 'stack.create.left', { stack: stackName }, `left stack ${stackName} to CloudFormation: it finishes, or rolls back on its own; the next run recreates a rolled-back stack`);
    }
    throw interrupted(`stack ${stackName}: interrupted during ${action}`);
  }
  if (outcome.kind === 'timeout') {
    throw failure(`stack ${stackName}: still ${outcome.status} after ${poller.timeoutSeconds}s; CloudFormation carries on; run the command again to keep waiting, or raise --timeout`);
  }
  const stack = outcome.stack;
  if (stack && (SUCCESS[action] as readonly string[]).includes(stack.status)) {
    say.success(run.events, 'stack.settled', { stack: stackName, status: stack.status }, `stack ${stackName}: ${stack.status}`);
    return { stackName, stackId: stack.id, action, status: stack.status, changed: true, changes, outputs: stack.outputs, stack };
  }
  const reasons = events.failures();
  if (!reasons.length && stack?.reason) reasons.push(stack.reason);
  const status = stack?.status ?? 'DELETE_COMPLETE';
  const next =
    action === 'create'
      ? 'fix the cause and run again (the failed stack is deleted and created again)'
      : 'the stack is back on its previous version; fix the cause and run again';
  throw new CyclopsError(`stack ${stackName}: ${action} failed (${status}); ${next}`, { exitCode: ExitCode.FAILED, details: reasons, code: 'stack-failed' });
}

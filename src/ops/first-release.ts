/**
 * The first deploy of an app with a release phase (`processes.release`): the release command
 * (a migration) must run before any task serves, but the task it runs in needs the execution
 * role and secrets grants the app stack makes. So the stack is created first with every task
 * held (`HoldTasks` "true", templates/app-hold.ts: counts 0, no autoscaling target, crons
 * disabled), the release phase runs with the stack's own roles, and only then does the deploy
 * apply the stack again with the tasks released. If the phase fails, the stack stays held: no
 * task serves, the failure is recorded, and the same deploy run again runs the phase on the
 * held stack and releases it (the usual path: the stack exists by then).
 */
import { appConfig } from '../config/model';
import { say } from '../events';
import type { AppTarget } from '../plan/target';
import type { Parameter } from '../stacks';
import { HOLD_PARAMETER, holds } from '../../templates/app-hold';
import { applyTemplate, type ApplyTemplateInput } from './apply-template';
import type { Ops } from './context';
import { readLive, verifyStack } from './verify-stack';

/** The deploy creates the stack held: the app has a release phase, no stack yet, and the phase is not skipped. */
export const createsHeld = (ops: Ops, t: AppTarget, stackExists: boolean, skipReleasePhase?: boolean): boolean =>
  !stackExists && !skipReleasePhase && holds(appConfig(ops.config, t.app, t.env));

/** The parameters with the tasks held. */
export const heldParameters = (list: Parameter[]): Parameter[] =>
  list.map((p) => (p.ParameterKey === HOLD_PARAMETER ? { ...p, ParameterValue: 'true' } : p));

/** Creates the app stack with every task held, and checks that the stack runs it. */
export async function createHeld(ops: Ops, change: ApplyTemplateInput & { parameters: Parameter[] }, services: string[], digest: string): Promise<void> {
  const { stackName } = change;
  say.step(ops.events, 'deploy.tasks.held', { stack: stackName, services }, `creating ${stackName} with no task running: the release phase runs before any task serves`);
  const parameters = heldParameters(change.parameters);
  const { result } = await applyTemplate(ops, { ...change, parameters });
  const live = await readLive(ops, stackName, result.stack);
  verifyStack(live, stackName, { parameters: Object.fromEntries(parameters.map((p) => [p.ParameterKey, p.ParameterValue])), digest }, 'deploy');
}

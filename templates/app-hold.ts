/**
 * Holding a new app's tasks until its release phase has run (the first deploy of an app with
 * `processes.release`, src/ops/first-release.ts). Only the templates of apps with a release
 * phase have the `HoldTasks` parameter; deploy passes "false" on every apply except the
 * stack's creation, which is "true":
 * - a service with a count runs 0 tasks while held;
 * - an autoscaled service is created with DesiredCount 0 (CloudFormation's default on create
 *   is 1), and its scalable target and policies exist only once released: registering the
 *   target then moves the service's count into MIN..MAX (Application Auto Scaling,
 *   RegisterScalableTarget: "it changes the resource's current capacity to a value that is
 *   inside of this range"); with DesiredCount omitted again, updates keep that count;
 * - a cron's schedule is disabled.
 */
import type { AppConfig } from '../src/config/model';
import { ref, type Parameter, type Resource, type Value } from './cfn';

export const HOLD_PARAMETER = 'HoldTasks';
const HELD = 'TasksHeld';
const SERVING = 'TasksServe';

/** The app's template holds tasks while its release phase has not run: it has a release phase. */
export const holds = (app: AppConfig): boolean => !!app.release;

export function holdParameter(): Record<string, Parameter> {
  return { [HOLD_PARAMETER]: { Type: 'String', Default: 'false', AllowedValues: ['true', 'false'], Description: 'true: no task runs until the release phase has run (the first deploy)' } };
}

/** `scaled`: the app has an autoscaled process, whose scaling resources need the "serving" condition. */
export function holdConditions(scaled: boolean): Record<string, Value> {
  return { [HELD]: { 'Fn::Equals': [ref(HOLD_PARAMETER), 'true'] }, ...(scaled ? { [SERVING]: { 'Fn::Not': [{ Condition: HELD }] } } : {}) };
}

/** A service's DesiredCount: 0 while held, else `count` (undefined: omitted, an autoscaled service). */
export const heldCount = (count: Value | undefined): Value => ({ 'Fn::If': [HELD, 0, count ?? ref('AWS::NoValue')] });

/** Resources that exist only once released (an autoscaled service's scalable target and policies). */
export const whenServing = (resources: Record<string, Resource>): Record<string, Resource> =>
  Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, { ...r, Condition: SERVING }]));

/** A cron rule's State. */
export const heldState = (): Value => ({ 'Fn::If': [HELD, 'DISABLED', 'ENABLED'] });

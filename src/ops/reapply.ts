/**
 * Re-applying a stored release: the exact template object a release recorded (by its S3 key
 * and URL) with chosen parameters, through the stack engine, then the rollout wait and a new
 * record. Rollback and scale are this with different parameters; neither re-renders config.
 */
import { Deadline } from '../deadline';
import { usageError } from '../errors';
import { say } from '../events';
import { appStack, tags } from '../naming';
import type { ServiceState } from '../ecs/rollout';
import type { ApplyResult, StackSummary } from '../stacks';
import type { ReleaseRecord, ReleaseState } from '../store';
import type { Ops } from './context';
import type { LockScope } from './lock';
import { appServices, stackStamp } from './desired-state';
import { draft, recordFailure, type Fields } from './release-log';
import { describeRelease } from './release-describe';
import { readLive, verifyStack } from './verify-stack';
import type { AppTarget } from '../plan/target';
import { now } from './context';

/** The current release, or a usage error that says to deploy first. */
export function requireCurrent(state: ReleaseState, t: AppTarget, command: string): ReleaseRecord {
  if (state.state === 'ok') return state.record;
  if (state.state === 'corrupt') throw usageError(`${command} ${t.app} ${t.env}: the release record s3://${state.bucket}/${state.key} is unreadable (${state.problem}); deploy again first`);
  throw usageError(`${command} ${t.app} ${t.env}: ${t.app} has no release in ${t.env}; deploy it first with "cyclops deploy IMAGE ${t.app} ${t.env}"`);
}

/** The release's template must still be in the config bucket (nothing is written otherwise). */
export async function requireTemplate(ops: Ops, r: ReleaseRecord, command: string): Promise<{ key: string; url: string; parameters: Record<string, string> }> {
  if (!r.templateKey || !r.templateUrl || !r.parameters) {
    throw usageError(`${command}: release ${r.number} was recorded without its template key and parameters (an older record); deploy the image again instead`);
  }
  if (!(await ops.store.objectExists(r.templateKey))) {
    throw usageError(`${command}: the template of release ${r.number} (s3://${ops.store.bucket}/${r.templateKey}) is gone from the config bucket; deploy ${r.image} again instead`);
  }
  return { key: r.templateKey, url: r.templateUrl, parameters: r.parameters };
}

export interface ReapplyInput {
  /** the release whose template (and settings) are applied */
  base: ReleaseRecord;
  parameters: Record<string, string>;
  kind: 'rollback' | 'scale' | 'domains';
  /** the counts overrides the new release carries (none: config's counts) */
  counts?: Record<string, number>;
  /** autoscaling bounds set by scale (none: config's) */
  ranges?: Record<string, { min: number; max: number }>;
  target?: number;
  dryRun?: boolean;
  timeoutSeconds?: number;
  started: number;
}

export interface ReapplyResult {
  applied: ApplyResult;
  services: ServiceState[];
  release: ReleaseRecord | null;
}

const paramList = (p: Record<string, string>) => Object.entries(p).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

/** Apply the base release's template with `parameters`; under the lock unless a dry run (scope null). */
export async function reapply(ops: Ops, t: AppTarget, scope: LockScope | null, input: ReapplyInput): Promise<ReapplyResult> {
  const stackName = appStack(t.platform, t.env, t.app);
  const b = input.base;
  // one deadline for the stack wait and the rollout: --timeout is the whole command's
  const deadline = new Deadline(input.timeoutSeconds, () => now(ops));
  const apply = async () =>
    ops.stacks.apply({
      stackName,
      templateUrl: b.templateUrl!,
      parameters: paramList(input.parameters),
      tags: tags(t),
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      // app stacks run as the platform's service role, on every operation (as in applyTemplate)
      roleArn: await ops.stacks.serviceRole(),
      dryRun: input.dryRun,
      deadline,
      signal: scope?.signal ?? ops.signal,
    });
  if (!scope) return { applied: await apply(), services: [], release: null };
  const { counts, ranges, ...rest } = b;
  const fields: Fields = {
    ...rest,
    kind: input.kind,
    parameters: input.parameters,
    image: input.parameters.Image ?? b.image,
    ...(input.counts ? { counts: input.counts } : {}),
    ...(input.ranges ? { ranges: input.ranges } : {}),
    ...(input.target !== undefined ? { target: input.target } : {}),
  };
  delete (fields as { number?: number }).number;
  delete fields.reason;
  // the base's own rollback target (the current release may be a rollback) is not this one's
  if (input.target === undefined) delete fields.target;
  if (!input.counts && input.kind === 'scale') delete fields.counts;
  else if (!input.counts && counts) fields.counts = counts;
  if (input.kind !== 'scale' && ranges) fields.ranges = ranges; // a rollback keeps the bounds scale set
  fields.description = describeRelease(fields, b);
  scope.checkpoint();
  let applied: ApplyResult;
  let services: ServiceState[];
  let after: StackSummary | null;
  try {
    applied = await apply();
    // an empty change set is not proof: the live stack must run these parameters and this template
    const live = await readLive(ops, stackName, applied.stack); // the settled stack came back with apply
    after = live.stack;
    verifyStack(live, stackName, { parameters: input.parameters, digest: b.templateDigest }, input.kind);
    const { cluster, services: names } = appServices(ops.config, t);
    say.step(ops.events, 'service.rollout.waiting', { services: names.length, mode: 'wait' }, `waiting for ${names.length} service(s) to roll out`);
    services = names.length ? await ops.services.waitForRollout(cluster, names, { deadline, signal: scope.signal }) : [];
    scope.checkpoint();
  } catch (e) {
    return recordFailure(ops, t, input.started, fields, e);
  }
  const release = await ops.store.writeRelease(
    t.env,
    t.app,
    draft(ops, t, input.started, { ...fields, status: after?.status, ...(stackStamp(after) ? { stackUpdatedAt: stackStamp(after) } : {}) }),
  );
  return { applied, services, release };
}

export const elapsed = (ops: Ops, started: number) => Math.round((now(ops) - started) / 100) / 10;

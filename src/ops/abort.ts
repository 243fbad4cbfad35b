/**
 * `cyclops abort APP ENV`: stop the web service's deployment in flight and roll it back
 * (ECS StopServiceDeployment, stopType ROLLBACK), from any terminal, while a deploy waits.
 * - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html
 * - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.html:
 *   a deployment PENDING or IN_PROGRESS moves to ROLLBACK_REQUESTED; one already stopping or
 *   rolling back carries on (so a second abort is harmless). It works for any strategy.
 *
 * Abort does not take the app lock: the deploy it stops holds it until the deployment ends,
 * which can be the whole bake. That is safe because abort writes nothing the lock guards:
 * not the stack, the template, the ports or the release pointer. It writes its marker (its own
 * key, read only by the deploy's watcher) and asks ECS to roll the deployment back; ECS then
 * fails the stack update and CloudFormation rolls back, which the waiting deploy sees, records
 * as `aborted` (with who) under its lock, and exits 1 with. When no deploy waits (it was killed,
 * or ran with --no-wait), abort takes the lock itself and records the `aborted` release.
 */
import { currentHolder, type ReleaseRecord } from '../store';
import { say } from '../events';
import { serviceName } from '../naming';
import type { AppTarget } from '../plan/target';
import { now, type Ops } from './context';
import { appServices } from './desired-state';
import { withAppLock } from './lock';
import { isTerminal } from './progressive';
import { draft } from './release-log';
import { failure } from '../errors';
import { appConfig } from '../config/model';

export interface AbortResult {
  app: string;
  env: string;
  /** the service deployment stopped; null when nothing was in flight */
  deploymentArn: string | null;
  /** its status when abort read it */
  status: string | null;
  by: string | null;
  /** who records the aborted release: the deploy that waits (its lock holder), or abort itself */
  recordedBy: string | null;
  release: number | null;
}

export async function abortDeployment(ops: Ops, t: AppTarget): Promise<AbortResult> {
  if (!ops.deployments || !ops.aborts) throw failure('abort: this build cannot read ECS service deployments');
  const { cluster } = appServices(ops.config, t);
  const service = serviceName(t.app, 'web');
  const row = await ops.deployments.latest(cluster, service);
  const none = { app: t.app, env: t.env, deploymentArn: null, status: row?.status ?? null, by: null, recordedBy: null, release: null };
  if (!row || isTerminal(row.status)) return none;
  const by = (await ops.identity.caller?.()) ?? 'unknown caller';
  const holder = currentHolder();
  // The marker first: a deploy that reads the rollback next knows it was asked for, and by whom.
  await ops.aborts.write(t.env, t.app, { deploymentArn: row.arn, by, holder, at: new Date(now(ops)).toISOString() });
  await ops.deployments.stop(row.arn);
  say.step(ops.events, 'abort.stopped', { app: t.app, env: t.env, arn: row.arn, by }, `stopped ${row.arn} (${row.status}): ECS rolls ${service} back to the revision before it`);
  const lock = await ops.store.readLock(t.env, t.app);
  // a live lease (or one that cannot be read) means a deploy waits and will record; an expired one is taken over below
  const waiting = lock && (!lock.info || Date.parse(lock.info.expires) > now(ops)) ? (lock.info?.holder ?? 'the lock holder') : null;
  if (waiting) return { ...none, deploymentArn: row.arn, status: row.status, by, recordedBy: waiting };
  const release = await withAppLock(ops, t, `abort ${row.arn}`, async () => {
    const cur = await ops.store.readRelease(t.env, t.app);
    if (cur.state !== 'ok') return null;
    const base: Partial<ReleaseRecord> = { ...cur.record };
    for (const k of ['number', 'releasePhase', 'promotedFrom', 'deployment', 'reason', 'target'] as const) delete base[k];
    return ops.store.writeRelease(t.env, t.app, draft(ops, t, now(ops), {
      ...(base as ReleaseRecord),
      kind: 'deploy',
      outcome: 'aborted',
      reason: `deployment ${row.arn} aborted by ${by} (${holder}) while ${row.status}; ECS rolls back to release ${cur.record.number}`,
      target: cur.record.number,
      deployment: { strategy: appConfig(ops.config, t.app, t.env).deployment.strategy, arn: row.arn, status: row.status, phases: [], abortedBy: `${by} (${holder})` },
    }));
  });
  return { ...none, deploymentArn: row.arn, status: row.status, by, recordedBy: 'abort', release: release?.number ?? null };
}

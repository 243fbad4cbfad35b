/**
 * `deploy` of a canary app following ECS's service deployment, `cyclops abort`, and
 * `deploy --strategy rolling`, over the in-memory fakes (stacks, store, lock) and a mocked ECS
 * client (aws-sdk-client-mock) behind the real src/aws/service-deployments.ts calls.
 *
 * What is mocked and why: moto has no ECS deployment strategies, no ListServiceDeployments /
 * DescribeServiceDeployments / StopServiceDeployment, so the ECS answers are sequences in the
 * shapes AWS documents:
 * - ListServiceDeployments (serviceDeployments[] of ServiceDeploymentBrief):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html
 * - DescribeServiceDeployments (ServiceDeployment: status, lifecycleStage, targetServiceRevision
 *   weights, alarms.triggeredAlarmNames, rollback.reason):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
 * - StopServiceDeployment (stopType ROLLBACK), which moves an IN_PROGRESS deployment to
 *   ROLLBACK_REQUESTED: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.html
 * CloudFormation is the unit fake: it completes at once, as moto's does.
 */
import { mockClient } from 'aws-sdk-client-mock';
import * as sdk from '../../src/aws/sdk';
import { latestServiceDeployment, stopServiceDeployment } from '../../src/aws/service-deployments';
import { abortDeployment } from '../../src/ops/abort';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { rollingOnce } from '../../src/plan/strategy-override';
import type { AbortMarker } from '../../src/store/abort-marker';
import { fakeOps, testConfig, type Fake } from './fakes/ops';
import { fakeAwsOf } from './stacks-fakes';

const ecs = mockClient(sdk.ecs.ECSClient);
const aws = fakeAwsOf('ecs');
beforeEach(() => ecs.reset());

const target = { platform: 'acme', env: 'staging', app: 'web' };
const CLUSTER = 'acme-staging';
const SERVICE = 'web-web';
const arn = (id: string) => `arn:aws:ecs:eu-west-1:123456789012:service-deployment/${CLUSTER}/${SERVICE}/${id}`;
const OLD = arn('oLdDeploymentId0000000');
const NEW = arn('r9i43YFjvgF_xlg7m2eJ1r');
const ALARM = 'cyclops-acme-staging-web-web-5xx';
const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));
const revision = (running: number, weight?: number) => ({ runningTaskCount: running, requestedTaskCount: 2, ...(weight === undefined ? {} : { requestedProductionTrafficWeight: weight }) });
const described = (over: Record<string, unknown>): never =>
  ({ serviceDeployments: [{ serviceDeploymentArn: NEW, status: 'IN_PROGRESS', createdAt: at(10), targetServiceRevision: revision(2, 0), alarms: { status: 'MONITORING', alarmNames: [ALARM], triggeredAlarmNames: [] }, ...over }] }) as never;

function setup(config = testConfig({ apps: { web: { processes: { web: { port: 8080 } }, database: false, deployment: { strategy: 'canary', canaryPercent: 10, bakeMinutes: 3 } } } })) {
  const f = fakeOps(config);
  const markers = new Map<string, AbortMarker>();
  f.ops.deployments = { latest: (c, s, since) => latestServiceDeployment(aws, c, s, since), stop: (a) => stopServiceDeployment(aws, a), pollMs: 0 };
  f.ops.aborts = { read: async (env, app) => markers.get(`${env}/${app}`) ?? null, write: async (env, app, m) => void markers.set(`${env}/${app}`, m) };
  f.ops.identity.caller = async () => 'arn:aws:sts::123456789012:assumed-role/oncall/alice';
  // Until CloudFormation has updated the service (the fake stack engine applied), the newest
  // deployment is the one before this deploy (SUCCESSFUL): the watch must pass over it, not end on it.
  const oldOne = { serviceDeploymentArn: OLD, createdAt: at(0), status: 'SUCCESSFUL' as const };
  ecs.on(sdk.ecs.ListServiceDeploymentsCommand).callsFake(() => ({
    serviceDeployments: f.applied.length ? [oldOne, { serviceDeploymentArn: NEW, createdAt: at(10), status: 'IN_PROGRESS' }] : [oldOne],
  }));
  ecs.on(sdk.ecs.DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [OLD] }).resolves({ serviceDeployments: [{ serviceDeploymentArn: OLD, status: 'SUCCESSFUL', createdAt: at(0) }] });
  return { f, markers };
}

type Failure = { exitCode: number; code: string; message: string };
/** the deploy's error; a deploy that succeeded fails the test */
const failureOf = (p: Promise<unknown>): Promise<Failure> => p.then(() => Promise.reject(new Error('the deploy succeeded')), (x: unknown) => x as Failure);
const run = (f: Fake) => deploy(f.ops, { target, image: 'nginx:1.27', ref: parseImage('nginx:1.27') });
const said = (f: Fake) => f.events.events.map((e) => ('message' in e ? String(e.message) : '')).join('\n');
const codes = (f: Fake) => f.events.events.map((e) => ('code' in e ? String((e as { code: string }).code) : ''));
const lastRecord = (f: Fake) => f.log.get('staging/web')!.at(-1)!;

test('a canary deploy says each phase, waits for the deployment to end, and records the strategy and each phase in the release', async () => {
  const { f } = setup();
  ecs
    .on(sdk.ecs.DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [NEW] })
    .resolvesOnce(described({ lifecycleStage: 'SCALE_UP', targetServiceRevision: revision(1) }))
    .resolvesOnce(described({ lifecycleStage: 'POST_SCALE_UP' }))
    .resolvesOnce(described({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', targetServiceRevision: revision(2, 10) }))
    .resolvesOnce(described({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', targetServiceRevision: revision(2, 100) }))
    .resolvesOnce(described({ lifecycleStage: 'BAKE_TIME', targetServiceRevision: revision(2, 100) }))
    .resolves(described({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP', targetServiceRevision: revision(2, 100) }));
  const r = await run(f);
  const text = said(f);
  expect(text).toMatch(/canary: following the deployment of web-web/);
  expect(text).toMatch(/new tasks starting \(1\/2 tasks\)[\s\S]*new tasks healthy[\s\S]*production traffic 10%[\s\S]*production traffic 100%[\s\S]*baking[\s\S]*bake \d minute\(s\) left[\s\S]*stopping the old revision[\s\S]*canary: succeeded/);
  expect(codes(f)).toEqual(expect.arrayContaining(['deployment.phase', 'deployment.traffic', 'deployment.bake', 'deployment.done']));
  // the release (and so --json's result) carries the strategy, the NEW deployment (never the old one) and the timings
  expect(r.release).toMatchObject({ outcome: 'succeeded', deployment: { strategy: 'canary', arn: NEW, status: 'SUCCESSFUL' } });
  expect(r.release!.deployment!.phases.map((p) => p.stage)).toEqual(['SCALE_UP', 'POST_SCALE_UP', 'PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP']);
  expect(r.release!.deployment!.phases.slice(0, -1).every((p) => typeof p.seconds === 'number')).toBe(true);
  expect(lastRecord(f).deployment?.arn).toBe(NEW);
});

test('an alarm during the bake: ECS rolls back; the deploy exits 1 and records rolled-back with the alarm and the reason', async () => {
  const { f } = setup();
  ecs
    .on(sdk.ecs.DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [NEW] })
    .resolvesOnce(described({ lifecycleStage: 'BAKE_TIME', targetServiceRevision: revision(2, 100) }))
    .resolvesOnce(described({ status: 'ROLLBACK_IN_PROGRESS', alarms: { status: 'TRIGGERED', alarmNames: [ALARM], triggeredAlarmNames: [ALARM] } }))
    .resolves(
      described({
        status: 'ROLLBACK_SUCCESSFUL',
        statusReason: `Service deployment rolled back because the CloudWatch alarm ${ALARM} was triggered.`,
        alarms: { status: 'TRIGGERED', alarmNames: [ALARM], triggeredAlarmNames: [ALARM] },
        rollback: { reason: 'ECS deployment alarm triggered', startedAt: at(40) },
      }),
    );
  const e = await failureOf(run(f));
  expect(e).toMatchObject({ exitCode: 1, code: 'rollout-failed' });
  expect(e.message).toMatch(new RegExp(`canary deployment was rolled back by ECS: alarm ${ALARM} fired`));
  const rec = lastRecord(f);
  expect(rec).toMatchObject({ outcome: 'rolled-back', deployment: { strategy: 'canary', arn: NEW, status: 'ROLLBACK_SUCCESSFUL', alarms: [ALARM] } });
  expect(rec.reason).toMatch(new RegExp(`alarm ${ALARM} fired.*ECS deployment alarm triggered`));
  expect(f.locks.size).toBe(0);
});

test('a stack update that fails because ECS rolled back: the deployment explains the failure', async () => {
  const { f } = setup();
  ecs.on(sdk.ecs.DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [NEW] }).resolves(
    described({ status: 'ROLLBACK_SUCCESSFUL', alarms: { status: 'TRIGGERED', alarmNames: [ALARM], triggeredAlarmNames: [ALARM] }, rollback: { reason: 'ECS deployment alarm triggered' } }),
  );
  // CloudFormation's side: the service did not stabilise, the update rolled back (thrown after the stack was touched)
  f.onCall('services.waitForRollout', async () => {
    throw new Error('stack acme-staging-web: UPDATE_ROLLBACK_COMPLETE (WebService: Resource handler returned message: "Service deployment rolled back")');
  });
  const e = await failureOf(run(f));
  expect(e.exitCode).toBe(1);
  expect(e.message).toMatch(new RegExp(`rolled back by ECS: alarm ${ALARM} fired`));
  expect(lastRecord(f)).toMatchObject({ outcome: 'rolled-back', deployment: { alarms: [ALARM] } });
});

test('cyclops abort while the deploy waits: StopServiceDeployment ROLLBACK without the lock; the deploy exits 1 naming who aborted, and records aborted', async () => {
  const { f, markers } = setup();
  let stopped = false;
  ecs.on(sdk.ecs.DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [NEW] }).callsFake(() =>
    stopped ? described({ status: 'ROLLBACK_SUCCESSFUL', statusReason: 'Service deployment rolled back because of a stop request.' }) : described({ lifecycleStage: 'BAKE_TIME', targetServiceRevision: revision(2, 100) }),
  );
  ecs.on(sdk.ecs.StopServiceDeploymentCommand).callsFake(() => ((stopped = true), { serviceDeploymentArn: NEW }));
  const deploying = failureOf(run(f));
  for (let i = 0; i < 500 && !/baking/.test(said(f)); i++) await new Promise((r) => setTimeout(r, 2));
  expect(said(f)).toMatch(/baking/);
  expect(f.locks.size).toBe(1); // the deploy holds the lock while it waits
  const other = fakeOps(f.ops.config); // "another terminal": its own events, the same bucket, lock and ECS
  const a = await abortDeployment({ ...f.ops, events: other.events }, target);
  expect(a).toMatchObject({ deploymentArn: NEW, status: 'IN_PROGRESS', by: 'arn:aws:sts::123456789012:assumed-role/oncall/alice', recordedBy: 'the lock holder' });
  expect(ecs.commandCalls(sdk.ecs.StopServiceDeploymentCommand).map((c) => c.args[0].input)).toEqual([{ serviceDeploymentArn: NEW, stopType: 'ROLLBACK' }]);
  expect(markers.get('staging/web')).toMatchObject({ deploymentArn: NEW, by: 'arn:aws:sts::123456789012:assumed-role/oncall/alice' });
  const e = await deploying;
  expect(e).toMatchObject({ exitCode: 1, code: 'aborted' });
  expect(e.message).toMatch(/canary deployment was aborted: aborted by arn:aws:sts::123456789012:assumed-role\/oncall\/alice/);
  expect(lastRecord(f)).toMatchObject({ outcome: 'aborted', deployment: { arn: NEW, status: 'ROLLBACK_SUCCESSFUL', abortedBy: expect.stringContaining('oncall/alice') } });
  expect(f.log.get('staging/web')!.filter((r) => r.outcome === 'aborted')).toHaveLength(1); // abort left the record to the deploy
  expect(said(f)).toMatch(/aborted by arn:aws:sts::123456789012:assumed-role\/oncall\/alice .* ECS is rolling back/);
});

test('cyclops abort with no deploy waiting takes the lock and records the aborted release itself; with nothing in flight it does nothing', async () => {
  const { f } = setup();
  ecs.on(sdk.ecs.DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [NEW] }).resolvesOnce(described({ lifecycleStage: 'SCALE_UP' })).resolves(described({ status: 'SUCCESSFUL' }));
  await run(f); // release 1
  ecs.reset();
  ecs.on(sdk.ecs.ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: NEW, createdAt: at(10), status: 'IN_PROGRESS' }] });
  ecs.on(sdk.ecs.DescribeServiceDeploymentsCommand).resolves(described({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }));
  ecs.on(sdk.ecs.StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: NEW });
  const a = await abortDeployment(f.ops, target);
  expect(a).toMatchObject({ deploymentArn: NEW, recordedBy: 'abort', release: 2 });
  expect(lastRecord(f)).toMatchObject({ number: 2, outcome: 'aborted', target: 1, deployment: { strategy: 'canary', arn: NEW } });
  expect(f.locks.size).toBe(0);

  ecs.reset();
  ecs.on(sdk.ecs.ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: NEW, createdAt: at(10), status: 'ROLLBACK_SUCCESSFUL' }] });
  ecs.on(sdk.ecs.DescribeServiceDeploymentsCommand).resolves(described({ status: 'ROLLBACK_SUCCESSFUL' }));
  const none = await abortDeployment(f.ops, target);
  expect(none).toMatchObject({ deploymentArn: null, status: 'ROLLBACK_SUCCESSFUL' });
  expect(ecs.commandCalls(sdk.ecs.StopServiceDeploymentCommand)).toHaveLength(0);
  expect(f.log.get('staging/web')).toHaveLength(2);
});

test('deploy --strategy rolling: this deploy renders the web service rolling and follows nothing; config keeps its strategy', async () => {
  const { f } = setup();
  const config = f.ops.config;
  const once = rollingOnce(config, 'web', 'staging', 'rolling');
  const r = await deploy({ ...f.ops, config: once }, { target, image: 'nginx:1.27', ref: parseImage('nginx:1.27') });
  expect(r.release!.deployment).toBeUndefined();
  expect(ecs.commandCalls(sdk.ecs.ListServiceDeploymentsCommand)).toHaveLength(0);
  const body = f.templates.get(f.applied.at(-1)!.templateUrl)!;
  expect(body).not.toMatch(/"Strategy":"CANARY"|WebTargetGroupAlternate/);
  expect(config.apps.web.deployment.strategy).toBe('canary');
  expect(() => rollingOnce(config, 'web', 'staging', 'linear')).toThrow(/--strategy linear: only "rolling" can be chosen for one deploy/);
});

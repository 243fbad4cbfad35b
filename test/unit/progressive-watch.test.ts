/**
 * Following a canary deployment (src/ops/progressive.ts) through src/aws/service-deployments
 * over a mocked ECS client (aws-sdk-client-mock): moto has no ECS deployment strategies. The
 * answers are sequences of DescribeServiceDeployments in the shape AWS documents for
 * ServiceDeployment (status, lifecycleStage, targetServiceRevision, alarms, rollback):
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
 */
import { mockClient } from 'aws-sdk-client-mock';
import * as sdk from '../../src/aws/sdk';
import { latestServiceDeployment } from '../../src/aws/service-deployments';
import { watchDeployment } from '../../src/ops/progressive';
import { appConfig } from '../../src/config/model';
import { fakeOps, testConfig } from './fakes/ops';
import { fakeAwsOf } from './stacks-fakes';

const ecs = mockClient(sdk.ecs.ECSClient);
const aws = fakeAwsOf('ecs');
beforeEach(() => ecs.reset());

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/acme-staging/web-web/r9i43YFjvgF_xlg7m2eJ1r';
const at = (s: number) => new Date(Date.UTC(2026, 11, 3, 10, 0, s));
const step = (over: Record<string, unknown>): never => ({
  serviceDeployments: [{ serviceDeploymentArn: ARN, status: 'IN_PROGRESS', createdAt: at(0), targetServiceRevision: { runningTaskCount: 2, requestedTaskCount: 2, requestedProductionTrafficWeight: 0 }, alarms: { status: 'MONITORING', alarmNames: ['acme-staging-web-web-5xx'], triggeredAlarmNames: [] }, ...over }],
}) as never;

function setup() {
  const config = testConfig({ apps: { web: { processes: { web: { port: 8080 } }, database: false, deployment: { strategy: 'canary', canaryPercent: 10, bakeMinutes: 3 } } } });
  const f = fakeOps(config);
  let clock = at(0).getTime();
  f.ops.clock = () => (clock += 60_000);
  f.ops.deployments = { latest: (c, s, since) => latestServiceDeployment(aws, c, s, since), stop: async () => {} };
  ecs.on(sdk.ecs.ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN, createdAt: at(0), status: 'IN_PROGRESS' }] });
  return { f, deployment: appConfig(config, 'web', 'staging').deployment };
}

const texts = (f: ReturnType<typeof fakeOps>) => f.events.events.map((e) => ('message' in e ? String(e.message) : '')).filter(Boolean);

test('a canary that succeeds: each phase, the 10% shift, the bake countdown, and the phase timings', async () => {
  const { f, deployment } = setup();
  ecs
    .on(sdk.ecs.DescribeServiceDeploymentsCommand)
    .resolvesOnce(step({ lifecycleStage: 'SCALE_UP', targetServiceRevision: { runningTaskCount: 1, requestedTaskCount: 2 } }))
    .resolvesOnce(step({ lifecycleStage: 'POST_SCALE_UP' }))
    .resolvesOnce(step({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', targetServiceRevision: { runningTaskCount: 2, requestedTaskCount: 2, requestedProductionTrafficWeight: 10 } }))
    .resolvesOnce(step({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', targetServiceRevision: { runningTaskCount: 2, requestedTaskCount: 2, requestedProductionTrafficWeight: 100 } }))
    .resolvesOnce(step({ lifecycleStage: 'BAKE_TIME', targetServiceRevision: { runningTaskCount: 2, requestedTaskCount: 2, requestedProductionTrafficWeight: 100 } }))
    .resolvesOnce(step({ lifecycleStage: 'BAKE_TIME', targetServiceRevision: { runningTaskCount: 2, requestedTaskCount: 2, requestedProductionTrafficWeight: 100 } }))
    .resolves(step({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP', targetServiceRevision: { runningTaskCount: 2, requestedTaskCount: 2, requestedProductionTrafficWeight: 100 } }));
  const end = await watchDeployment(f.ops, 'acme-staging', 'web-web', deployment, { since: at(0), signal: new AbortController().signal, pollMs: 0 });
  expect(end).toMatchObject({ outcome: 'succeeded', status: 'SUCCESSFUL', alarms: [] });
  expect(end!.phases.map((p) => p.stage)).toEqual(['SCALE_UP', 'POST_SCALE_UP', 'PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP']);
  expect(end!.phases.slice(0, -1).every((p) => typeof p.seconds === 'number' && p.seconds > 0)).toBe(true);
  const said = texts(f).join('\n');
  expect(said).toMatch(/canary: new tasks starting \(1\/2 tasks\)/);
  expect(said).toMatch(/canary: new tasks healthy/);
  expect(said).toMatch(/production traffic 10% on the new revision[\s\S]*production traffic 100% on the new revision/);
  expect(said).toMatch(/baking: both revisions run[\s\S]*bake [1-3] minute\(s\) left[\s\S]*bake 0 minute\(s\) left[\s\S]*stopping the old revision/);
});

test('an alarm during the bake: ECS rolls back, the watch ends rolled-back with the alarm and the reason', async () => {
  const { f, deployment } = setup();
  ecs
    .on(sdk.ecs.DescribeServiceDeploymentsCommand)
    .resolvesOnce(step({ lifecycleStage: 'BAKE_TIME', targetServiceRevision: { runningTaskCount: 2, requestedTaskCount: 2, requestedProductionTrafficWeight: 100 } }))
    .resolvesOnce(step({ status: 'ROLLBACK_IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', alarms: { status: 'TRIGGERED', alarmNames: ['acme-staging-web-web-5xx'], triggeredAlarmNames: ['acme-staging-web-web-5xx'] } }))
    .resolves(
      step({
        status: 'ROLLBACK_SUCCESSFUL',
        statusReason: 'Service deployment rolled back because the CloudWatch alarm acme-staging-web-web-5xx was triggered.',
        alarms: { status: 'TRIGGERED', alarmNames: ['acme-staging-web-web-5xx'], triggeredAlarmNames: ['acme-staging-web-web-5xx'] },
        rollback: { reason: 'ECS deployment alarm triggered', startedAt: at(40) },
      }),
    );
  const end = await watchDeployment(f.ops, 'acme-staging', 'web-web', deployment, { since: at(0), signal: new AbortController().signal, pollMs: 0 });
  expect(end).toMatchObject({ outcome: 'rolled-back', status: 'ROLLBACK_SUCCESSFUL', alarms: ['acme-staging-web-web-5xx'] });
  expect(end!.reason).toMatch(/alarm triggered.*acme-staging-web-web-5xx was triggered/);
  expect(f.events.events.some((e) => e.type === 'warning' && 'message' in e && /acme-staging-web-web-5xx fired/.test(String(e.message)))).toBe(true);
});

test('the watch asks ECS only for deployments created since the deploy started, and stops on the signal', async () => {
  const { f, deployment } = setup();
  ecs.on(sdk.ecs.DescribeServiceDeploymentsCommand).resolves(step({ lifecycleStage: 'BAKE_TIME' }));
  const stop = new AbortController();
  let reads = 0;
  const latest = f.ops.deployments!.latest;
  f.ops.deployments!.latest = async (...a) => (++reads === 3 && stop.abort(), latest(...a));
  const end = await watchDeployment(f.ops, 'acme-staging', 'web-web', deployment, { since: at(0), signal: stop.signal, pollMs: 0 });
  expect(end).toBeNull();
  expect(ecs.commandCalls(sdk.ecs.ListServiceDeploymentsCommand)[0].args[0].input).toMatchObject({ cluster: 'acme-staging', service: 'web-web', createdAt: { after: at(0) } });
});

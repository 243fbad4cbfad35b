/**
 * The rollout wait's events over a mocked ECS (aws-sdk-client-mock) and a fake clock: rollout
 * changes once each, every new ECS service event once, and a heartbeat (elapsed and timeout)
 * after about 30 s without news. moto never produces service events, so this is proven here.
 */
import { mockClient } from 'aws-sdk-client-mock';
import * as sdk from '../../src/aws/sdk';
import { EventLog } from '../../src/events';
import { waitForRollout } from '../../src/ecs/rollout';
import { fakeAwsOf, fakeClock } from './stacks-fakes';

const ecsMock = mockClient(sdk.ecs.ECSClient);
const aws = fakeAwsOf('ecs');

const T0 = 1_000_000;
const ev = (id: string, message: string, atMs: number) => ({ id, message, createdAt: new Date(atMs) });
function service(rollout: string, running: number, events: ReturnType<typeof ev>[] = []) {
  return {
    services: [
      {
        serviceName: 'web',
        serviceArn: 'arn:web',
        desiredCount: 2,
        runningCount: running,
        pendingCount: 2 - running,
        deployments: [{ status: 'PRIMARY', rolloutState: rollout as sdk.ecs.DeploymentRolloutState, failedTasks: 0 }],
        events,
      },
    ],
  };
}

beforeEach(() => ecsMock.reset());

test('heartbeat every ~30 s while nothing changes, with the elapsed time and the timeout', async () => {
  const clock = fakeClock();
  const stuck = service('IN_PROGRESS', 0);
  let polls = 0;
  ecsMock.on(sdk.ecs.DescribeServicesCommand).callsFake(() => (++polls >= 8 ? service('COMPLETED', 2) : stuck));
  const log = new EventLog();

  const states = await waitForRollout(aws, log, 'acme-staging', ['arn:web'], { timeoutSeconds: 1800, poll: { ...clock.poll, intervalMs: 10_000 } });

  expect(states[0]).toMatchObject({ name: 'web', rollout: 'COMPLETED', running: 2 });
  // polls at 0, 10, ..., 70 s: news at 0 s, silence until 30 s and 60 s, completion at 70 s
  expect(log.of('heartbeat')).toEqual([
    { type: 'heartbeat', code: 'wait.heartbeat', what: '1 service(s) to roll out', elapsedSeconds: 30, timeoutSeconds: 1800 },
    { type: 'heartbeat', code: 'wait.heartbeat', what: '1 service(s) to roll out', elapsedSeconds: 60, timeoutSeconds: 1800 },
  ]);
  expect(log.of('service-rollout').map((e) => `${e.rollout} ${e.running}/${e.desired}`)).toEqual(['IN_PROGRESS 0/2', 'COMPLETED 2/2']);
  expect(clock.sleeps).toEqual(Array(7).fill(10_000));
});

test('each new service event is emitted once, oldest first; events older than the wait are not', async () => {
  const clock = fakeClock();
  const old = ev('e0', 'has reached a steady state', T0 - 3600_000);
  const place = ev('e1', 'unable to place a task because no container instance met all of its requirements', T0 + 1);
  const health = ev('e2', 'task abc failed ELB health checks in target-group web', T0 + 20_000);
  ecsMock
    .on(sdk.ecs.DescribeServicesCommand)
    .resolvesOnce(service('IN_PROGRESS', 0, [place, old]))
    .resolvesOnce(service('IN_PROGRESS', 0, [place, old]))
    .resolvesOnce(service('IN_PROGRESS', 0, [health, place, old]))
    .resolves(service('COMPLETED', 2, [health, place, old]));
  const log = new EventLog();

  await waitForRollout(aws, log, 'acme-staging', ['arn:web'], { poll: { ...clock.poll, intervalMs: 10_000 } });

  expect(log.of('service-event').map((e) => e.message)).toEqual([place.message, health.message]);
  expect(log.of('service-event')[0]).toEqual({ type: 'service-event', code: 'service.event', service: 'web', message: place.message, at: new Date(T0 + 1).toISOString() });
  // every poll had news (rollout or events) or came within 30 s of it: no heartbeat
  expect(log.of('heartbeat')).toEqual([]);
  // the order of the stream: rollout line, then its event
  expect(log.events.map((e) => e.type)).toEqual(['service-rollout', 'service-event', 'service-event', 'service-rollout']);
});

test('a heartbeat comes only after 30 s without news: news resets the count', async () => {
  const clock = fakeClock();
  let polls = 0;
  // news at 0 s and 20 s (an event), then silence until completion at 60 s
  ecsMock.on(sdk.ecs.DescribeServicesCommand).callsFake(() => {
    polls++;
    if (polls >= 7) return service('COMPLETED', 2);
    return service('IN_PROGRESS', 0, polls >= 3 ? [ev('x', 'started 1 tasks', T0 + 20_000)] : []);
  });
  const log = new EventLog();
  await waitForRollout(aws, log, 'acme-staging', ['arn:web'], { poll: { ...clock.poll, intervalMs: 10_000 } });
  expect(log.of('heartbeat').map((e) => e.elapsedSeconds)).toEqual([50]);
});

test('a failed rollout names the service and ECS reason after emitting what it saw', async () => {
  const clock = fakeClock();
  const crash = ev('f1', 'deployment failed: tasks failed to start', T0 + 5);
  ecsMock.on(sdk.ecs.DescribeServicesCommand).resolves({
    services: [{ ...service('FAILED', 0, [crash]).services[0], deployments: [{ status: 'PRIMARY', rolloutState: 'FAILED', rolloutStateReason: 'circuit breaker' }] }],
  });
  const log = new EventLog();
  await expect(waitForRollout(aws, log, 'c', ['arn:web'], { poll: clock.poll })).rejects.toThrow(/service web: the deployment failed .*circuit breaker/);
  expect(log.of('service-event').map((e) => e.message)).toEqual([crash.message]);
});

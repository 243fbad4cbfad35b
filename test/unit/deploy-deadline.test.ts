/**
 * One deadline per command (--timeout): the stack wait, the release phase and the rollout share
 * it. A fake clock stands in for time: the stack takes 50 s, then the rollout never finishes;
 * with --timeout 60 the deploy gives up about 60 s after it started, not 50 + 60 s. The rollout
 * wait is the real one (src/ecs/rollout.ts) over a mocked ECS (aws-sdk-client-mock).
 */
import { mockClient } from 'aws-sdk-client-mock';
import * as sdk from '../../src/aws/sdk';
import { Deadline } from '../../src/deadline';
import { waitForRollout } from '../../src/ecs/rollout';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { Poller } from '../../src/stacks/poll';
import { failure, fakeOps } from './fakes/ops';
import { fakeAwsOf } from './stacks-fakes';

const ecsMock = mockClient(sdk.ecs.ECSClient);
const aws = fakeAwsOf('ecs');
const target = { platform: 'acme', env: 'staging', app: 'web' };

const inProgress = (names: string[]) => ({
  services: names.map((n) => ({ serviceName: n, serviceArn: `arn:${n}`, desiredCount: 1, runningCount: 0, pendingCount: 1, deployments: [{ status: 'PRIMARY', rolloutState: 'IN_PROGRESS' as const, failedTasks: 0 }], events: [] })),
});

beforeEach(() => ecsMock.reset());

test('--timeout 60: a stack that takes 50 s and a rollout that never finishes end the deploy at about 60 s, not 110 s', async () => {
  const f = fakeOps();
  let t = Date.parse('2030-06-01T00:00:00Z');
  f.ops.clock = () => t;
  f.onCall('stacks.apply', () => {
    t += 50_000; // the stack update takes 50 s
  });
  ecsMock.on(sdk.ecs.DescribeServicesCommand).callsFake((input: { services: string[] }) => inProgress(input.services));
  const sleep = async (ms: number) => {
    t += ms;
  };
  f.ops.services.waitForRollout = (cluster, services, opts) => waitForRollout(aws, f.events, cluster, services, { ...opts, poll: { now: () => t, sleep } });
  const started = t;
  const e = await failure(deploy(f.ops, { target, image: 'nginx:1.27', ref: parseImage('nginx:1.27') }, { timeoutSeconds: 60 }));
  const elapsed = (t - started) / 1000;
  expect(e.message).toMatch(/did not finish rolling out within 60s/);
  expect(elapsed).toBeGreaterThanOrEqual(60);
  expect(elapsed).toBeLessThan(61);
  // the failure is recorded: the stack was changed
  expect(f.log.get('staging/web')?.at(-1)).toMatchObject({ outcome: 'failed' });
});

test('a Poller on a shared deadline stops at the deadline and names the command limit', async () => {
  let t = 0;
  const deadline = new Deadline(60, () => t);
  t = 45_000; // an earlier phase used 45 s
  const poller = new Poller({ deadline, timeoutSeconds: 3600, poll: { now: () => t, sleep: async (ms) => void (t += ms) } });
  expect(poller.timeoutSeconds).toBe(60);
  while (!poller.timedOut) await poller.wait();
  expect(t).toBe(60_000);
});

test('within(): the release phase stops at its own cap or at the deadline, whichever comes first', () => {
  let t = 0;
  const d = new Deadline(3600, () => t);
  expect(d.within(1800).at).toBe(1_800_000);
  t = 3_000_000;
  expect(d.within(1800)).toBe(d);
  expect(d.leftMs).toBe(600_000);
});

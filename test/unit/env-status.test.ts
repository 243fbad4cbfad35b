/** env status over the fakes: every deployed app on one line, its health from counts, rollouts and alarms, and why it is not ok. */
import { deploy } from '../../src/ops/deploy';
import { envStatus, health } from '../../src/ops/env-status';
import { parseImage } from '../../src/plan/inputs';
import { webAlarmNames } from '../../src/plan';
import { fakeOps, svc, testConfig } from './fakes/ops';

const apps = {
  web: { processes: { web: { port: 8080 }, worker: { command: ['worker'] } }, database: false },
  api: { processes: { web: { port: 8080 } }, database: false },
};

test('one line per deployed app: release, what it changed, image, health and why, tasks, URL, alarms', async () => {
  const f = fakeOps(testConfig({ apps }));
  for (const app of ['web', 'api']) await deploy(f.ops, { target: { platform: 'acme', env: 'staging', app }, image: `shop:${app}`, ref: parseImage(`shop:${app}`) });
  f.services.set('web-worker', svc('web-worker', 'COMPLETED', 0, 2));
  const [fivexx] = webAlarmNames({ platform: 'acme', env: 'staging', app: 'api' });
  f.alarms.set(fivexx, { name: fivexx, state: 'ALARM', reason: 'Threshold Crossed', updatedAt: null });
  const s = await envStatus(f.ops, { platform: 'acme', env: 'staging' });
  const line = (app: string) => s.apps.find((a) => a.app === app)!;
  expect(s.apps.map((a) => a.app).sort()).toEqual(['api', 'web']);
  expect(line('web')).toMatchObject({ release: 1, description: 'Deploy shop:web', image: 'shop:web', health: 'degraded', problems: ['worker 0/2 running'], running: 1, desired: 3, url: expect.stringMatching(/^https?:\/\/web\.staging\.acme\.dev/) });
  expect(line('api')).toMatchObject({ health: 'degraded', problems: [`alarm ${fivexx}`], running: 1, desired: 1, alarms: [{ name: fivexx, state: 'ALARM' }] });
});

test('health: a rollout in progress is deploying, a failed one degraded, all running and quiet is ok', () => {
  const p = (rollout: string, running = 1, desired = 1) => ({ name: 'x-web', process: 'web', desired, running, pending: 0, min: null, max: null, rollout });
  expect(health({ status: 'UPDATE_COMPLETE', processes: [p('COMPLETED')], alarms: [] })).toEqual({ health: 'ok', problems: [] });
  expect(health({ status: 'UPDATE_COMPLETE', processes: [p('IN_PROGRESS', 0, 2)], alarms: [] })).toEqual({ health: 'deploying', problems: [] });
  expect(health({ status: 'UPDATE_COMPLETE', processes: [p('FAILED')], alarms: [] })).toEqual({ health: 'degraded', problems: ['web rollout failed'] });
  expect(health({ status: 'UPDATE_ROLLBACK_COMPLETE', processes: [p('COMPLETED')], alarms: [] }).problems).toEqual(['stack UPDATE_ROLLBACK_COMPLETE']);
  expect(health({ status: 'UPDATE_COMPLETE', processes: [p('COMPLETED')], alarms: null })).toEqual({ health: 'unknown', problems: ['alarm states could not be read'] });
});

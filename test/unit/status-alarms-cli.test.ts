/** `cyclops status` renders the alarms appStatus returns: a table of name, state, reason; --json field `alarms`. */
import type { AlarmState } from '../../src/aws/cloudwatch';
import { runCli } from '../support/run-cli';

const alarm = (name: string, state: AlarmState['state'], reason: string): AlarmState => ({ name, state, reason, updatedAt: '2030-01-01T00:00:00.000Z' });

jest.mock('../../src/ops/apps', () => ({
  ...jest.requireActual('../../src/ops/apps'),
  appStatus: jest.fn(),
}));

describe('cyclops status: alarms in the output', () => {
  const example = `${__dirname}/../../config.example.json`;
  const env = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
  const status = {
    app: 'shop', env: 'staging', stack: 'acme-staging-shop', status: 'UPDATE_COMPLETE', image: 'nginx:1.27', url: 'https://shop.staging.acme.dev', port: 20001,
    processes: [], release: null,
    alarms: [alarm('cyclops-acme-staging-shop-web-5xx', 'OK', 'no datapoints'), alarm('cyclops-acme-staging-shop-web-unhealthy', 'ALARM', '2 unhealthy targets')],
  };
  beforeEach(async () => {
    const mod = jest.requireMock('../../src/ops/apps') as { appStatus: jest.Mock };
    mod.appStatus.mockResolvedValue(status);
  });

  test('the human output has a table of name, state and reason', async () => {
    const r = await runCli(['--config', example, 'status', 'shop', 'staging'], { env });
    expect(r.code).toBe(0);
    const row = r.stdout.split('\n').find((l) => l.includes('cyclops-acme-staging-shop-web-unhealthy'));
    expect(row).toMatch(/cyclops-acme-staging-shop-web-unhealthy\s+ALARM\s+2 unhealthy targets/);
    expect(r.stdout).toMatch(/ALARM\s+STATE\s+REASON/);
  });

  test('--json has them as the field alarms', async () => {
    const r = await runCli(['--config', example, '--json', 'status', 'shop', 'staging'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).alarms).toEqual(status.alarms);
  });
});

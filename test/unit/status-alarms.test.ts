/**
 * `status` shows the web service's deployment alarms: appStatus over the in-memory fakes, the
 * CloudWatch module over a mocked client (paging, order, names with no alarm). The command's
 * output: status-alarms-cli.test.ts.
 */
import { mockClient } from 'aws-sdk-client-mock';
import type { Aws } from '../../src/aws/client';
import { describeAlarms, type AlarmState } from '../../src/aws/cloudwatch';
import * as sdk from '../../src/aws/sdk';
import { appStatus } from '../../src/ops/apps';
import { fakeOps } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const FIVE_XX = 'cyclops-acme-staging-web-web-5xx';
const UNHEALTHY = 'cyclops-acme-staging-web-web-unhealthy';
const alarm = (name: string, state: AlarmState['state'], reason: string): AlarmState => ({ name, state, reason, updatedAt: '2030-01-01T00:00:00.000Z' });

function deployed() {
  const f = fakeOps();
  f.stacks.set('acme-staging-web', { name: 'acme-staging-web', id: 'app', status: 'UPDATE_COMPLETE', outputs: {}, parameters: { Image: 'nginx:1.27' }, tags: {} });
  return f;
}

describe('appStatus: alarms', () => {
  test('lists each deployment alarm the app has, by its fixed name, with state and reason', async () => {
    const f = deployed();
    f.alarms.set(UNHEALTHY, alarm(UNHEALTHY, 'ALARM', 'Threshold Crossed: 1 datapoint [2.0] was >= the threshold (1.0)'));
    f.alarms.set(FIVE_XX, alarm(FIVE_XX, 'OK', 'Threshold Crossed: no datapoints were received'));
    f.alarms.set('cyclops-acme-staging-other-web-5xx', alarm('cyclops-acme-staging-other-web-5xx', 'ALARM', 'another app'));
    const s = await appStatus(f.ops, t);
    expect(s.alarms).toEqual([f.alarms.get(FIVE_XX), f.alarms.get(UNHEALTHY)]);
    expect(f.calls).toContain('alarms.describe');
  });

  test('a stack without alarms (alarms: false, or deployed before) lists none', async () => {
    expect((await appStatus(deployed().ops, t)).alarms).toEqual([]);
  });

  test('an app that is not deployed asks CloudWatch nothing', async () => {
    const f = fakeOps();
    expect((await appStatus(f.ops, t)).alarms).toEqual([]);
    expect(f.calls).not.toContain('alarms.describe');
  });

  test('alarms that cannot be read are a warning and null; the rest of the status stands', async () => {
    const f = deployed();
    f.onCall('alarms.describe', () => {
      throw new Error('read the alarms: AccessDenied');
    });
    const s = await appStatus(f.ops, t);
    expect(s.alarms).toBeNull();
    expect(s.status).toBe('UPDATE_COMPLETE');
    expect(f.events.events).toContainEqual(expect.objectContaining({ type: 'warning', message: expect.stringMatching(/web in staging: alarm states not shown: read the alarms: AccessDenied/) }));
  });
});

describe('src/aws/cloudwatch describeAlarms', () => {
  const cw = mockClient(sdk.cloudwatch.CloudWatchClient);
  const aws = { sdk, region: 'eu-west-1', calls: () => 0, cloudwatch: new sdk.cloudwatch.CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }) } as unknown as Aws;
  beforeEach(() => cw.reset());

  test('asks by name, follows NextToken, keeps the order asked and leaves out names with no alarm', async () => {
    const when = new Date('2030-01-02T03:04:05Z');
    cw.on(sdk.cloudwatch.DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: UNHEALTHY, StateValue: 'ALARM', StateReason: 'two unhealthy', StateUpdatedTimestamp: when }], NextToken: 'n' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: FIVE_XX, StateValue: 'INSUFFICIENT_DATA' }] });
    const got = await describeAlarms(aws, [FIVE_XX, 'cyclops-acme-staging-web-web-missing', UNHEALTHY]);
    expect(got).toEqual([
      { name: FIVE_XX, state: 'INSUFFICIENT_DATA', reason: '', updatedAt: null },
      { name: UNHEALTHY, state: 'ALARM', reason: 'two unhealthy', updatedAt: when.toISOString() },
    ]);
    const calls = cw.commandCalls(sdk.cloudwatch.DescribeAlarmsCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ AlarmNames: [FIVE_XX, 'cyclops-acme-staging-web-web-missing', UNHEALTHY], NextToken: undefined }),
      expect.objectContaining({ NextToken: 'n' }),
    ]);
  });

  test('an AWS error leaves as one line naming what was read', async () => {
    cw.on(sdk.cloudwatch.DescribeAlarmsCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudwatch:DescribeAlarms'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const e = await describeAlarms(aws, [FIVE_XX]).catch((x) => x);
    expect(e.message).toMatch(new RegExp(`read the alarms ${FIVE_XX}`));
  });
});

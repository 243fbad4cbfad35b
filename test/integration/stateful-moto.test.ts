/**
 * An app with a volume and a sidecar, deployed to moto: what moto makes of the EFS file system
 * and its access point (see the note below on what it cannot make), destroy keeping the file
 * system and --delete-volumes removing it; and status showing the deployment alarms of an app
 * whose stack moto can create.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { motoAws } from '../support/store-env';
import { motoCli, ok, outcome, writeMotoConfig } from '../support/moto-app';
import type { Aws } from '../../src/aws/client';
import { TAG_APP, TAG_ENV, TAG_PLATFORM } from '../../src/naming';
import { allStacks } from '../support/aws-reads';

const PLATFORM = 'stx';
const BUCKET = 'stx-stateful-config';
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-stateful-'));
let aws: Aws;

const cli = motoCli(dir);

/** The EFS file systems tagged as couch's in staging, read straight from EFS. */
async function couchFileSystems() {
  const page = await aws.efs.send(new aws.sdk.efs.DescribeFileSystemsCommand({}));
  return (page.FileSystems ?? []).filter((fs) => {
    const tags = Object.fromEntries((fs.Tags ?? []).map((t) => [t.Key, t.Value]));
    return tags[TAG_PLATFORM] === PLATFORM && tags[TAG_ENV] === 'staging' && tags[TAG_APP] === 'couch';
  });
}

beforeAll(async () => {
  aws = await motoAws();
  await writeMotoConfig(aws, dir, {
    platform: PLATFORM,
    bucket: BUCKET,
    domain: 'staging.stx.dev',
    range: [24000, 24999],
    staging: { database: { type: 'none' } },
    apps: {
      couch: {
        processes: {
          web: {
            port: 5984,
            volumes: { data: { path: '/opt/couchdb/data' } },
            sidecars: [{ name: 'proxy', image: 'public.ecr.aws/nginx/nginx:1.27', port: 8080, env: { UPSTREAM: 'http://127.0.0.1:5984' } }],
          },
        },
        database: false,
      },
      plain: { processes: { web: { port: 3000 } }, database: false },
    },
  });
  for (const args of [['bootstrap'], ['env', 'create', 'staging']]) expect(outcome(await cli(...args, '--json'))).toEqual(ok);
}, 120_000);

afterAll(() => {
  for (const c of [aws.s3, aws.cfn, aws.ecs, aws.efs, aws.cloudwatch, aws.route53]) c.destroy();
});

const TD_FAMILY = `${PLATFORM}-staging-couch-web`;

describe('an app with a volume and a sidecar, in moto', () => {
  // moto 5 creates the file system and the access point, then fails the stack: its EFS
  // AccessPoint has no Fn::GetAtt (AttributeError: 'AccessPoint' object has no attribute
  // 'get_cfn_attribute'), and the task role's policy names the access point's Arn. The stack
  // stays CREATE_IN_PROGRESS (DESIGN.md; the deploy waits for it until --timeout), so the mount targets, the task definition (with the
  // sidecar and the EFS volume) and the service are never made. Those are proven by the
  // template tests (test/templates/stateful.test.ts, cfn-lint on Fargate and EC2); here
  // moto shows what it can: the file system and access point as AWS holds them, and destroy.
  test('deploy makes the encrypted file system and its access point (moto fails the stack after them)', async () => {
    const r = await cli('deploy', 'registry.example.com/couch:3.4', 'couch', 'staging', '--timeout', '20s', '--json');
    expect(r.code).toBe(1); // moto's shortfall above; on AWS this deploy succeeds
    // moto answers CreateStack HTTP 500 once it has stored the stack; the SDK's retry is told it
    // exists, cyclops finds it is the one it made (src/aws/cloudformation.ts) and waits for it
    // until --timeout, since moto leaves it CREATE_IN_PROGRESS
    expect(r.stderr).toContain(`stack ${PLATFORM}-staging-couch: the reply to CreateStack was lost and its retry found the stack the first attempt created`);
    expect(r.json().error.message).toBe(`stack ${PLATFORM}-staging-couch: still CREATE_IN_PROGRESS after 20s; CloudFormation carries on; run the command again to keep waiting, or raise --timeout`);
    const [fs, ...more] = await couchFileSystems();
    expect(more).toEqual([]);
    expect(fs).toMatchObject({ Encrypted: true, ThroughputMode: 'elastic', LifeCycleState: 'available' });
    const points = (await aws.efs.send(new aws.sdk.efs.DescribeAccessPointsCommand({ FileSystemId: fs.FileSystemId }))).AccessPoints ?? [];
    expect(points).toHaveLength(1);
    // moto answers the ids as strings ("1000"), AWS as numbers: compare them as numbers
    const { PosixUser: user, RootDirectory: root } = points[0];
    expect([user?.Uid, user?.Gid, root?.CreationInfo?.OwnerUid, root?.CreationInfo?.OwnerGid].map(Number)).toEqual([1000, 1000, 1000, 1000]);
    expect(root).toMatchObject({ Path: '/data', CreationInfo: { Permissions: '0750' } });
    // Not made, because of moto's shortfall: mount targets and the task definition.
    expect((await aws.efs.send(new aws.sdk.efs.DescribeMountTargetsCommand({ FileSystemId: fs.FileSystemId }))).MountTargets).toEqual([]);
    const td = await aws.ecs.send(new aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: TD_FAMILY })).then(() => 'found', (e: Error) => e.name);
    expect(td).not.toBe('found');
  }, 120_000);

  test('destroy keeps the file system and says so', async () => {
    const [fs] = await couchFileSystems();
    // moto never settles the failed stack (destroy would wait for CREATE_IN_PROGRESS to end, as on
    // AWS): delete it straight away; the port and the failed release record are still there.
    await aws.cfn.send(new aws.sdk.cfn.DeleteStackCommand({ StackName: `${PLATFORM}-staging-couch` }));
    const r = await cli('destroy', 'couch', 'staging', '--yes', '--json');
    expect(outcome(r)).toEqual(ok);
    expect(JSON.parse(r.stdout).volumes).toEqual({ kept: [fs.FileSystemId], deleted: [] });
    expect(r.stderr).toContain(`kept the file systems of couch's volumes: ${fs.FileSystemId}; delete them with "cyclops destroy couch staging --delete-volumes"`);
    expect((await allStacks(aws)).map((s) => s.StackName)).not.toContain(`${PLATFORM}-staging-couch`);
    expect((await couchFileSystems()).map((f) => f.FileSystemId)).toEqual([fs.FileSystemId]);
  }, 120_000);

  test('destroy --delete-volumes --yes then removes it, as the hint said, with the stack already gone', async () => {
    const [fs] = await couchFileSystems();
    const r = await cli('destroy', 'couch', 'staging', '--delete-volumes', '--yes', '--json');
    expect(outcome(r)).toEqual(ok);
    expect(JSON.parse(r.stdout).volumes).toEqual({ kept: [], deleted: [fs.FileSystemId] });
    expect(await couchFileSystems()).toEqual([]);
  }, 120_000);

  // moto's CloudFormation accepts the alarms and DeploymentConfiguration.Alarms but makes no
  // AWS::CloudWatch::Alarm (the stack lists no such resource). The test puts the two alarms into
  // moto's CloudWatch under the names the template gives them, as the stack would on AWS, and
  // sets one to ALARM: status reads them through the live DescribeAlarms path.
  test('status shows the deployment alarms by their fixed names, with state and reason', async () => {
    expect(outcome(await cli('deploy', 'registry.example.com/plain:1', 'plain', 'staging', '--json'))).toEqual(ok);
    const [http5xx, unhealthy] = [`cyclops-${PLATFORM}-staging-plain-web-5xx`, `cyclops-${PLATFORM}-staging-plain-web-unhealthy`];
    for (const AlarmName of [unhealthy, http5xx]) {
      await aws.cloudwatch.send(new aws.sdk.cloudwatch.PutMetricAlarmCommand({
        AlarmName, Namespace: 'AWS/ApplicationELB', MetricName: 'UnHealthyHostCount', Statistic: 'Maximum', Period: 60, EvaluationPeriods: 3, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }));
    }
    await aws.cloudwatch.send(new aws.sdk.cloudwatch.SetAlarmStateCommand({ AlarmName: unhealthy, StateValue: 'ALARM', StateReason: '2 unhealthy targets' }));
    await aws.cloudwatch.send(new aws.sdk.cloudwatch.SetAlarmStateCommand({ AlarmName: http5xx, StateValue: 'OK', StateReason: 'no 5xx' }));
    const r = await cli('status', 'plain', 'staging', '--json');
    expect(outcome(r)).toEqual(ok);
    expect(JSON.parse(r.stdout).alarms).toEqual([
      expect.objectContaining({ name: http5xx, state: 'OK', reason: 'no 5xx' }),
      expect.objectContaining({ name: unhealthy, state: 'ALARM', reason: '2 unhealthy targets' }),
    ]);
    const human = await cli('status', 'plain', 'staging');
    expect(human.stdout).toMatch(new RegExp(`${unhealthy}\\s+ALARM\\s+2 unhealthy targets`));
  }, 120_000);
});

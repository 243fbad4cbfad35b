/**
 * cyclops env create/update/show/list/delete through the built binary against moto.
 *
 * Where moto falls short (DESIGN.md, "moto: what to expect"):
 * - It cannot create the RDS part of the cluster template (Fn::GetAtt Db.MasterUserSecret.SecretArn
 *   is unsupported), so the environment that is really created has `database: none`; the
 *   RDS environment is only checked with --dry-run (a CREATE change set lists the Db).
 * - CreateStack and ExecuteChangeSet finish at once and only stack-level events exist, so
 *   the progress shown is the stack's own events.
 * - DeleteStack of the cluster stack raises DependencyViolation for the VPC (moto cannot
 *   remove the load balancer through CloudFormation) yet drops the stack, so the test checks
 *   that the stack is gone and that the error is one clear line, not a clean exit code.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Aws } from '../../src/aws/client';
import { describeStack } from '../../src/stacks';
import { cyclops } from '../support/cli';
import { createPlainBucket, motoAws, TEST_REGION } from '../support/store-env';
import { createZone } from '../support/zones';

const PLATFORM = 'envit';
const BUCKET = `cyclops-envit-${Date.now().toString(36)}`;
let aws: Aws;
let cwd: string;
let env: NodeJS.ProcessEnv;

const zones: Record<string, string> = {};

function writeConfig(spot: boolean) {
  const config = {
    platform: { name: PLATFORM, region: TEST_REGION, bucket: BUCKET },
    ports: { range: [20000, 29999] },
    environments: {
      lean: {
        network: { cidr: '10.40.0.0/16', azs: 2, natGateways: 1 },
        capacity: { type: 'fargate', spot },
        dns: { domain: 'lean.envit.dev', hostedZoneId: zones.lean },
        database: { type: 'none' },
      },
      full: { dns: { domain: 'full.envit.dev', hostedZoneId: zones.full }, database: { type: 'rds', deletionProtection: false } },
    },
    apps: {},
  };
  writeFileSync(path.join(cwd, 'config.json'), JSON.stringify(config, null, 2));
}

const cli = (...args: string[]) => cyclops(args, { cwd, env });

beforeAll(async () => {
  aws = await motoAws();
  // A plain bucket: the bootstrap bucket's TLS-only policy makes moto (plain HTTP) refuse
  // every object request, so the template uploads could not happen against it.
  await createPlainBucket(aws, BUCKET);
  // Existing zones: moto cannot resolve the NameServers of a zone the stack creates.
  zones.lean = await createZone(aws, 'lean.envit.dev');
  zones.full = await createZone(aws, 'full.envit.dev');
  cwd = mkdtempSync(path.join(os.tmpdir(), 'cyclops-env-'));
  env = {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: TEST_REGION,
    AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  writeConfig(false);
});

test('env list shows every configured environment, none created yet', async () => {
  const r = await cli('env', 'list', '--json');
  expect(r.code).toBe(0);
  expect(r.json().environments).toEqual([
    expect.objectContaining({ env: 'lean', stack: 'envit-lean', status: 'NOT_CREATED' }),
    expect.objectContaining({ env: 'full', stack: 'envit-full', status: 'NOT_CREATED' }),
  ]);
});

test('env create --dry-run lists the resources it would create and leaves no stack behind', async () => {
  const r = await cli('env', 'create', 'full', '--dry-run', '--json');
  expect(r.code).toBe(0);
  const out = r.json();
  expect(out).toMatchObject({ env: 'full', action: 'dry-run', changed: true });
  expect(out.changes).toContainEqual(expect.objectContaining({ action: 'Add', logicalId: 'Db', resourceType: 'AWS::RDS::DBInstance' }));
  expect(r.stderr).toContain('+ Db (AWS::RDS::DBInstance)');
  // the CREATE change set and the REVIEW_IN_PROGRESS stack it made are both gone
  expect(await describeStack(aws, 'envit-full')).toBeNull();
});

test('env update of an environment that was never created is a usage error', async () => {
  const r = await cli('env', 'update', 'lean');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('stack envit-lean does not exist; create it with "cyclops env create lean"');
});

test('env create of an unknown environment is a usage error naming the known ones', async () => {
  const r = await cli('env', 'create', 'nope', '--json');
  expect(r.code).toBe(2);
  expect(r.json().error.message).toMatch(/"nope".*lean, full/);
});

test('env create creates the stack from a template in the config bucket, with outputs', async () => {
  const r = await cli('env', 'create', 'lean', '--json');
  expect(r.code).toBe(0);
  const out = r.json();
  expect(out).toMatchObject({ env: 'lean', stack: 'envit-lean', action: 'create', status: 'CREATE_COMPLETE', changed: true });
  expect(out.template.key).toMatch(/^templates\/cluster\/lean\/[0-9a-f]{64}\.json$/);
  expect(out.outputs.ClusterName).toBe('envit-lean');
  expect(r.stderr).toMatch(/envit-lean AWS::CloudFormation::Stack CREATE_COMPLETE/);
  const s = await describeStack(aws, 'envit-lean');
  expect(s?.tags).toMatchObject({ 'cyclops:platform': PLATFORM, 'cyclops:env': 'lean', 'cyclops:app': '-' });
});

test('creating it again is an idempotent update: no changes, nothing executed', async () => {
  const r = await cli('env', 'create', 'lean', '--json');
  expect(r.code).toBe(0);
  expect(r.json()).toMatchObject({ action: 'none', changed: false, template: { uploaded: false } });
  expect(r.stderr).toContain('no changes');
});

test('a config change shows in --dry-run without being applied, then env update applies it', async () => {
  writeConfig(true); // Fargate Spot: the capacity provider association changes
  const dry = await cli('env', 'update', 'lean', '--dry-run', '--json');
  expect(dry.code).toBe(0);
  expect(dry.json()).toMatchObject({ action: 'dry-run', changed: true });
  expect(dry.json().changes).toContainEqual(expect.objectContaining({ action: 'Modify', logicalId: 'ClusterCapacityProviders' }));
  expect((await describeStack(aws, 'envit-lean'))?.status).toBe('CREATE_COMPLETE');

  const r = await cli('env', 'update', 'lean', '--json');
  expect(r.code).toBe(0);
  expect(r.json()).toMatchObject({ action: 'update', status: 'UPDATE_COMPLETE', changed: true });
  const again = await cli('env', 'update', 'lean', '--json');
  expect(again.json()).toMatchObject({ action: 'none', changed: false });
});

test('env show gives the app URL pattern, cluster, zone and load balancer', async () => {
  const r = await cli('env', 'show', 'lean', '--json');
  expect(r.code).toBe(0);
  const out = r.json();
  expect(out).toMatchObject({ env: 'lean', stack: 'envit-lean', domain: 'lean.envit.dev', appUrl: 'http://APP.lean.envit.dev', cluster: 'envit-lean', database: null });
  expect(out.hostedZoneId).toEqual(expect.any(String));
  expect(out.loadBalancer).toMatch(/elb\.amazonaws\.com$/);
  const human = await cli('env', 'show', 'lean');
  expect(human.stdout).toMatch(/cluster\s+envit-lean/);
});

test('env list shows the created stack', async () => {
  const r = await cli('env', 'list', '--json');
  expect(r.json().environments[0]).toMatchObject({ env: 'lean', status: 'UPDATE_COMPLETE' });
});

test('env delete asks first, refuses while apps are deployed, and with --force deletes apps and the env', async () => {
  // an app stack of this env, as deploy would tag it
  await aws.cfn.send(
    new aws.sdk.cfn.CreateStackCommand({
      StackName: 'envit-lean-web',
      TemplateBody: JSON.stringify({ Resources: { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/cyclops/envit/lean/web' } } } }),
      Tags: [
        { Key: 'cyclops:platform', Value: PLATFORM },
        { Key: 'cyclops:env', Value: 'lean' },
        { Key: 'cyclops:app', Value: 'web' },
      ],
    }),
  );

  const refused = await cli('env', 'delete', 'lean', '--yes', '--json');
  expect(refused.code).toBe(2);
  expect(refused.json().error.message).toContain('apps are still deployed (web)');

  const noTty = await cli('env', 'delete', 'lean', '--force');
  expect(noTty.code).toBe(2);
  expect(noTty.stderr).toContain('pass --yes');
  // neither refusal touched anything
  expect(await describeStack(aws, 'envit-lean')).not.toBeNull();
  expect(await describeStack(aws, 'envit-lean-web')).not.toBeNull();

  const forced = await cli('env', 'delete', 'lean', '--force', '--yes', '--json');
  expect(await describeStack(aws, 'envit-lean-web')).toBeNull();
  expect(await describeStack(aws, 'envit-lean')).toBeNull();
  if (forced.code !== 0) {
    // moto: DependencyViolation on the VPC (see the top of this file); still one clear line
    expect(forced.code).toBe(1);
    expect(forced.json().error.message).toMatch(/^environment lean: stack envit-lean could not delete its VPC vpc-[0-9a-f]+: something outside the stack still uses it/);
  } else {
    expect(forced.json()).toMatchObject({ deleted: true, apps: ['web'] });
  }

  const show = await cli('env', 'show', 'lean');
  expect(show.code).toBe(2);
  const again = await cli('env', 'delete', 'lean', '--yes', '--json');
  expect(again.code).toBe(0);
  expect(again.json()).toMatchObject({ deleted: false });
});

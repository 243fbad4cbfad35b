/**
 * env delete → env create against moto, through the built binary: what an earlier stack of the
 * environment retained is adopted, not made twice.
 *
 * Where moto falls short:
 * - It cannot create a stack that makes its own hosted zone (no GetAtt HostedZone.NameServers), so
 *   the zone an earlier stack kept is made here directly, with the tags the cluster template gives
 *   it (what DeletionPolicy Retain leaves behind). Once adopted, the template no longer creates a
 *   zone, so moto can create the stack: the zone path runs end to end.
 * - It accepts CreateChangeSet's ImportExistingResources and ignores it (moto 5's CreateChangeSet
 *   never reads the parameter), so a kept log group cannot be imported there: its change set lists the
 *   group as an Add, and executing it fails (moto's log group create raises "already exists", which
 *   its CloudFormation answers in a form the SDK cannot parse). The import is proven over the unit
 *   fakes (test/unit/ops-adopt.test.ts) and on the request (test/unit/stacks-adopt.test.ts). Here
 *   the test shows what moto can: env delete keeps the group, and env create then finds it and says
 *   it will import it (the event and the dry run), before the first write.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Aws } from '../../src/aws/client';
import { describeStack } from '../../src/stacks';
import { cyclops } from '../support/cli';
import { createPlainBucket, motoAws, TEST_REGION } from '../support/store-env';

const PLATFORM = 'adopt';
const BUCKET = `cyclops-adopt-${Date.now().toString(36)}`;
const DOMAIN = 'kept.adopt.dev';
let aws: Aws;
let cwd: string;
let env: NodeJS.ProcessEnv;
let keptZone: string;

const cli = (...args: string[]) => cyclops(args, { cwd, env });

async function zonesNamed(domain: string): Promise<string[]> {
  const out = await aws.route53.send(new aws.sdk.route53.ListHostedZonesByNameCommand({ DNSName: `${domain}.` }));
  return (out.HostedZones ?? []).filter((z) => z.Name === `${domain}.`).map((z) => z.Id!.replace('/hostedzone/', ''));
}

async function logGroupExists(name: string): Promise<boolean> {
  const out = await aws.logs.send(new aws.sdk.logs.DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  return (out.logGroups ?? []).some((g) => g.logGroupName === name);
}

beforeAll(async () => {
  aws = await motoAws();
  await createPlainBucket(aws, BUCKET);
  // the zone an earlier stack of environment "kept" created and retained, with its tags
  const made = await aws.route53.send(new aws.sdk.route53.CreateHostedZoneCommand({ Name: `${DOMAIN}.`, CallerReference: `kept-${Date.now()}` }));
  keptZone = made.HostedZone!.Id!.replace('/hostedzone/', '');
  await aws.route53.send(
    new aws.sdk.route53.ChangeTagsForResourceCommand({
      ResourceType: 'hostedzone',
      ResourceId: keptZone,
      AddTags: [
        { Key: 'cyclops:platform', Value: PLATFORM },
        { Key: 'cyclops:env', Value: 'kept' },
        { Key: 'cyclops:app', Value: '-' },
      ],
    }),
  );
  // a zone of the same name that is not this environment's: left alone
  const other = await aws.route53.send(new aws.sdk.route53.CreateHostedZoneCommand({ Name: `${DOMAIN}.`, CallerReference: `other-${Date.now()}` }));
  expect(other.HostedZone?.Id).toBeDefined();
  cwd = mkdtempSync(path.join(os.tmpdir(), 'cyclops-adopt-'));
  env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT, AWS_EC2_METADATA_DISABLED: 'true' };
  const config = {
    platform: { name: PLATFORM, region: TEST_REGION, bucket: BUCKET },
    ports: { range: [20000, 29999] },
    environments: {
      kept: { network: { cidr: '10.41.0.0/16', azs: 2, natGateways: 1 }, dns: { domain: DOMAIN }, database: { type: 'none' } },
    },
    apps: {},
  };
  writeFileSync(path.join(cwd, 'config.json'), JSON.stringify(config, null, 2));
});

test('env create uses the zone the earlier stack kept: no second zone, and the outputs name the kept one', async () => {
  const r = await cli('env', 'create', 'kept', '--json');
  expect(r.code).toBe(0);
  const out = r.json();
  expect(out).toMatchObject({ action: 'create', status: 'CREATE_COMPLETE', adopted: { resources: [], hostedZone: { id: keptZone } } });
  expect(r.stderr).toContain(`hosted zone ${keptZone} (${DOMAIN}) was kept by an earlier stack of this environment; using it instead of creating a second one`);
  // AWS-side: the stack's outputs and template, and still exactly the two zones of that name
  const s = await describeStack(aws, 'adopt-kept');
  expect(s?.outputs.HostedZoneId).toBe(keptZone);
  const tpl = JSON.parse((await aws.cfn.send(new aws.sdk.cfn.GetTemplateCommand({ StackName: 'adopt-kept' }))).TemplateBody!);
  expect(tpl.Resources.HostedZone).toBeUndefined();
  expect(tpl.Metadata.CyclopsAdoptedHostedZone.HostedZoneId).toBe(keptZone);
  expect((await zonesNamed(DOMAIN)).sort()).toHaveLength(2);
  // a second run is an update with no changes: the adopted zone is kept from the live template
  const again = await cli('env', 'update', 'kept', '--json');
  expect(again.code).toBe(0);
  expect(again.json()).toMatchObject({ action: 'none', adopted: { resources: [], hostedZone: null } });
});

test('env delete keeps the flow-log group and the zone; env create then finds the group and asks to import it', async () => {
  const flow = `/cyclops/${PLATFORM}/kept/_vpc-flow-logs`;
  expect(await logGroupExists(flow)).toBe(true);
  const del = await cli('env', 'delete', 'kept', '--yes', '--json');
  // moto: DependencyViolation on the VPC (see env-moto.test.ts), yet the stack is gone
  expect([0, 1]).toContain(del.code);
  expect(await describeStack(aws, 'adopt-kept')).toBeNull();
  expect(await logGroupExists(flow)).toBe(true); // DeletionPolicy Retain
  expect(await zonesNamed(DOMAIN)).toContain(keptZone);

  const dry = await cli('env', 'create', 'kept', '--dry-run', '--json');
  expect(dry.code).toBe(0);
  expect(dry.json()).toMatchObject({ action: 'dry-run', adopted: { resources: [{ logicalId: 'FlowLogGroup', resourceType: 'AWS::Logs::LogGroup', name: flow }], hostedZone: { id: keptZone } } });
  expect(dry.stderr).toContain(`stack adopt-kept: AWS::Logs::LogGroup ${flow} was kept by an earlier stack; a real run imports it as FlowLogGroup instead of creating it`);
  expect(await describeStack(aws, 'adopt-kept')).toBeNull(); // the dry run left nothing
  expect(await logGroupExists(flow)).toBe(true);
});

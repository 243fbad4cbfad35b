/**
 * A custom domain in a zone moto holds, end to end: deploy makes the listener rule that answers
 * for it and its A and AAAA alias records, read back from CloudFormation and Route 53. moto's
 * CloudFormation has no ACM (docs/testing-moto.md), so the environment here is HTTP only: the
 * certificate, its DNS validation and the SNI attachment are proven by the template tests
 * (test/templates/scenario.test.ts, cfn-lint included).
 */
import { motoAws } from '../support/store-env';
import { motoPlatform, setUp, type MotoPlatform } from '../support/moto-platform';
import { createZone } from '../support/zones';
import type { Aws } from '../../src/aws/client';

const PLATFORM = 'dmx';
let p: MotoPlatform;
let aws: Aws;
let zone: string;
const cli = (...args: string[]) => p.run(...args);

beforeAll(async () => {
  const own = await motoAws();
  zone = await createZone(own, 'dmx-shop.com');
  own.route53.destroy();
  // the domains, in a zone of the account given once (www is found under it)
  const domains = ['www.dmx-shop.com', { name: 'dmx-shop.com', hostedZoneId: zone }];
  p = await motoPlatform({ platform: PLATFORM, database: 'none', apps: { web: { processes: { web: { port: 8080 } }, database: false, environments: { staging: { domains } } } } });
  aws = p.aws;
  await setUp(p);
}, 120_000);

afterAll(() => p.close());

test('deploy makes the listener rule for every host name and alias records in the domain\'s zone, apex included', async () => {
  const r = await cli('deploy', 'registry.example.com/web:1.0', 'web', 'staging', '--json');
  expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
  const stack = `${PLATFORM}-staging-web`;
  const body = (await aws.cfn.send(new aws.sdk.cfn.GetTemplateCommand({ StackName: stack }))).TemplateBody!;
  const template = JSON.parse(body);
  expect(template.Resources.WebListenerRule.Properties.Conditions[0].HostHeaderConfig.Values).toEqual(['web.staging.dmx.dev', 'www.dmx-shop.com', 'dmx-shop.com']);
  const resources = (await aws.cfn.send(new aws.sdk.cfn.ListStackResourcesCommand({ StackName: stack }))).StackResourceSummaries ?? [];
  expect(resources.filter((x) => x.ResourceType === 'AWS::ElasticLoadBalancingV2::ListenerRule').map((x) => x.LogicalResourceId)).toEqual(['WebListenerRule']);
  const records = (await aws.route53.send(new aws.sdk.route53.ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets ?? [];
  const aliases = records.filter((x) => x.AliasTarget).map((x) => `${x.Name} ${x.Type}`).sort();
  expect(aliases).toEqual(['dmx-shop.com. A', 'dmx-shop.com. AAAA', 'www.dmx-shop.com. A', 'www.dmx-shop.com. AAAA']);
}, 120_000);

test('status reads each domain\'s alias record in Route 53: it points at the load balancer (HTTP only: no certificate)', async () => {
  const s = await cli('status', 'web', 'staging', '--json');
  expect({ code: s.code, stderr: s.code === 0 ? '' : s.stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(s.stdout).domains.map((d: any) => [d.name, d.zone, d.zoneId, d.certificate.status, d.dns])).toEqual([
    ['www.dmx-shop.com', 'account', zone, 'HTTP', 'points'],
    ['dmx-shop.com', 'account', zone, 'HTTP', 'points'],
  ]);
}, 60_000);

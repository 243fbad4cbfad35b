/**
 * Config validation: each bad config gives one line per problem that names the key path,
 * the problem and the fix, and the error carries exit code 2.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/config/load';
import { appConfig } from '../../src/config/model';
import { CyclopsError } from '../../src/errors';

const example = JSON.parse(readFileSync(path.join(__dirname, '../../config.example.json'), 'utf8'));
const clone = () => JSON.parse(JSON.stringify(example));

function errorsOf(mutate: (c: any) => void): { lines: string[]; err: CyclopsError } {
  const c = clone();
  mutate(c);
  try {
    parseConfig(c, 'config.json');
  } catch (e) {
    const err = e as CyclopsError;
    expect(err).toBeInstanceOf(CyclopsError);
    expect(err.exitCode).toBe(2);
    return { lines: err.details.length ? err.details : [err.message], err };
  }
  throw new Error('expected the config to be rejected');
}

describe('a valid config', () => {
  test('config.example.json resolves with defaults filled in', () => {
    const config = parseConfig(clone(), 'config.example.json');
    expect(Object.keys(config.environments)).toEqual(['staging', 'production']);
    expect(config.environments.staging.database).toMatchObject({ type: 'rds', runner: 'task', engineVersion: '16' });
    expect(config.environments.production.capacity).toEqual({ type: 'ec2', instanceType: 't3.medium', min: 2, max: 8 });
    expect(config.apps.shop.processes.map((p) => p.kind)).toEqual(['web', 'worker', 'cron']);
    expect(config.apps.docs.database).toBe(false);
  });

  test('an unlisted app gets one web process on port 80, health check / and a database', () => {
    const config = parseConfig(clone(), 'config.json');
    const app = appConfig(config, 'newcomer', 'staging');
    expect(app.configured).toBe(false);
    expect(app.processes).toEqual([{ name: 'web', kind: 'web', command: undefined, count: 1, cpu: 256, memory: 512, port: 80, volumes: [], sidecars: [] }]);
    expect(app.healthCheckPath).toBe('/');
    expect(app.database).toBe(true);
  });

  test('the bucket defaults from platform name and region', () => {
    const c = clone();
    delete c.platform.bucket;
    expect(parseConfig(c, 'config.json').platform.bucket).toBe('acme-cyclops-eu-west-1');
  });
});

// [what is wrong, mutation, expected key path, words the message must contain]
const cases: [string, (c: any) => void, string, RegExp][] = [
  ['missing platform', (c) => delete c.platform, 'platform', /is required; add it/],
  ['missing platform name', (c) => delete c.platform.name, 'platform.name', /is required/],
  ['uppercase platform name', (c) => (c.platform.name = 'Acme'), 'platform.name', /lowercase letters/],
  ['platform name too long', (c) => (c.platform.name = 'a'.repeat(21)), 'platform.name', /longer than 20/],
  ['bad region', (c) => (c.platform.region = 'europe'), 'platform.region', /not an AWS region; use a region code/],
  ['bad bucket', (c) => (c.platform.bucket = 'My_Bucket'), 'platform.bucket', /not a valid S3 bucket name/],
  ['unknown top-level key', (c) => (c.enviroments = {}), 'enviroments', /not a known key; remove it or fix its spelling/],
  ['bad endpoint', (c) => (c.aws = { endpoint: 'not a url' }), 'aws.endpoint', /must be a URL/],
  ['ports range reversed', (c) => (c.ports.range = [30000, 20000]), 'ports.range', /above last port.*\[low, high\]/],
  ['ports above rule priority', (c) => (c.ports.range = [20000, 60000]), 'ports.range', /highest load-balancer rule priority/],
  ['ports range of strings', (c) => (c.ports.range = ['a', 'b']), 'ports.range[0]', /must be a whole number \(first port\)/],
  ['no environments', (c) => (c.environments = {}), 'environments', /has no environment; add one/],
  ['bad environment name', (c) => (c.environments.Prod_1 = c.environments.staging), 'environments.Prod_1', /not a valid environment name/],
  ['env name extending another', (c) => (c.environments['staging-web'] = c.environments.staging), 'environments["staging-web"]', /starts with environment "staging" and a dash.*rename one of the two/],
  ['env named platform', (c) => (c.environments.platform = c.environments.staging), 'environments.platform', /platform stack; rename the environment/],
  ['missing dns', (c) => delete c.environments.staging.dns, 'environments.staging.dns', /is required/],
  ['dns with trailing dot', (c) => (c.environments.staging.dns.domain = 'staging.acme.dev.'), 'environments.staging.dns.domain', /no trailing dot/],
  ['bad hosted zone id', (c) => (c.environments.production.dns.hostedZoneId = 'abc'), 'environments.production.dns.hostedZoneId', /hosted zone id/],
  ['bad cidr', (c) => (c.environments.staging.network.cidr = '10.0.0.0/8'), 'environments.staging.network.cidr', /between \/16 and \/24/],
  ['cidr with vpcId', (c) => (c.environments.staging.network = { vpcId: 'vpc-0abc1234', cidr: '10.0.0.0/16', publicSubnets: ['subnet-0abc1234', 'subnet-0abc1235'], privateSubnets: ['subnet-0abc1236', 'subnet-0abc1237'] }), 'environments.staging.network.cidr', /cannot be set with vpcId/],
  ['vpcId without subnets', (c) => (c.environments.staging.network = { vpcId: 'vpc-0abc1234' }), 'environments.staging.network.publicSubnets', /at least two subnet ids/],
  ['subnets without vpcId', (c) => (c.environments.staging.network = { publicSubnets: ['subnet-0abc1234'] }), 'environments.staging.network.vpcId', /is required when subnets are given/],
  ['bad capacity type', (c) => (c.environments.staging.capacity = { type: 'lambda' }), 'environments.staging.capacity.type', /"fargate" or "ec2"/],
  ['ec2 min above max', (c) => (c.environments.production.capacity.min = 9, c.environments.production.capacity.max = 6), 'environments.production.capacity.min', /above max 6; set min at or below max/],
  ['instance type on fargate', (c) => (c.environments.staging.capacity.instanceType = 't3.small'), 'environments.staging.capacity.instanceType', /only to EC2 capacity/],
  ['negative min', (c) => (c.environments.production.capacity.min = -1), 'environments.production.capacity.min', /at least 0/],
  ['tls with both', (c) => (c.environments.production.tls.create = true), 'environments.production.tls', /exactly one of certificateArn or "create"/],
  ['tls create in a zone the stack creates', (c) => delete c.environments.staging.dns.hostedZoneId, 'environments.staging.tls.create', /needs a delegated zone: .*set dns\.delegated: true/],
  ['no NAT gateway', (c) => (c.environments.staging.network.natGateways = 0), 'environments.staging.network.natGateways', /at least 1/],
  ['memory between Fargate steps', (c) => (c.apps.shop.processes.web.memory = 3000), 'apps.shop.processes.web.memory', /Fargate does not offer with 512 CPU units; use a whole number of GiB/],
  ['bad certificate arn', (c) => (c.environments.production.tls.certificateArn = 'arn:nope'), 'environments.production.tls.certificateArn', /not an ACM certificate ARN/],
  ['bad database type', (c) => (c.environments.staging.database.type = 'mysql'), 'environments.staging.database.type', /"rds", "external" or "none"/],
  ['storage too small', (c) => (c.environments.staging.database.storage = 5), 'environments.staging.database.storage', /at least 20/],
  ['external without host', (c) => (c.environments.staging.database = { type: 'external', adminUser: 'admin', adminPasswordEnv: 'PGPW' }), 'environments.staging.database.host', /is required for an external database/],
  ['external with two passwords', (c) => (c.environments.staging.database = { type: 'external', host: 'db', adminUser: 'a', adminPasswordEnv: 'PGPW', adminSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' }), 'environments.staging.database', /exactly one of adminSecretArn or adminPasswordEnv/],
  ['external with task runner and env password', (c) => (c.environments.staging.database = { type: 'external', host: 'db', adminUser: 'a', adminPasswordEnv: 'PGPW', runner: 'task' }), 'environments.staging.database.runner', /cannot read a local adminPasswordEnv/],
  ['rds with host', (c) => (c.environments.staging.database.host = 'db.example.com'), 'environments.staging.database.host', /only to an external database/],
  ['bad redis', (c) => (c.environments.production.redis = { nodeType: 'm5.large' }), 'environments.production.redis.nodeType', /ElastiCache node type/],
  ['bad app name', (c) => (c.apps['Shop!'] = {}), 'apps["Shop!"]', /not a valid app name; use a DNS label/],
  ['app with no process', (c) => (c.apps.api.processes = {}), 'apps.api.processes', /has no process/],
  ['process name that is not a DNS label', (c) => (c.apps.api.processes.Scheduler = {}), 'apps.api.processes.Scheduler', /not a valid process name/],
  ['cron without schedule', (c) => delete c.apps.shop.processes.cron.schedule, 'apps.shop.processes.cron.schedule', /is required/],
  ['bad cron schedule', (c) => (c.apps.shop.processes.cron.schedule = '0 3 * * *'), 'apps.shop.processes.cron.schedule', /not a schedule expression/],
  ['bad cpu', (c) => (c.apps.api.processes.web.cpu = 300), 'apps.api.processes.web.cpu', /one of 256, 512/],
  ['memory out of range for cpu', (c) => (c.apps.api.processes.web.memory = 4096), 'apps.api.processes.web.memory', /256 CPU units cannot have; use 512 to 2048/],
  ['string count', (c) => (c.apps.api.processes.web.count = '2'), 'apps.api.processes.web.count', /whole number/],
  ['fractional port', (c) => (c.apps.api.processes.web.port = 80.5), 'apps.api.processes.web.port', /whole number/],
  ['command as string', (c) => (c.apps.api.processes.web.command = 'npm start'), 'apps.api.processes.web.command', /list of strings/],
  ['health path without slash', (c) => (c.apps.api.healthCheckPath = 'health'), 'apps.api.healthCheckPath', /starting with "\/"/],
  ['numeric env value', (c) => (c.apps.api.env.WORKERS = 4), 'apps.api.env.WORKERS', /quote numbers/],
  ['bad env var name', (c) => (c.apps.api.env['1BAD'] = 'x'), 'apps.api.env["1BAD"]', /not a valid environment variable name; use letters/],
  ['DATABASE_URL set by hand', (c) => (c.apps.api.env.DATABASE_URL = 'postgres://x'), 'apps.api.env.DATABASE_URL', /set by cyclops from the app database secret/],
  ['bad secret reference', (c) => (c.apps.shop.secrets.STRIPE_API_KEY = 'stripe-key'), 'apps.shop.secrets.STRIPE_API_KEY', /SSM parameter name starting with "\/"/],
  ['same key in env and secrets', (c) => (c.apps.shop.env.SECRET_KEY_BASE = 'x'), 'apps.shop.env.SECRET_KEY_BASE', /also in secrets/],
  ['database not boolean', (c) => (c.apps.api.database = 'yes'), 'apps.api.database', /true or false/],
];

describe.each(cases)('rejects: %s', (_what, mutate, keyPath, words) => {
  test('one line naming the key path, the problem and the fix; exit code 2', () => {
    const { lines } = errorsOf(mutate);
    const line = lines.find((l) => l.startsWith(`config.json: ${keyPath}:`));
    expect(line).toBeDefined();
    expect(line).toMatch(words);
    expect(line).not.toContain('\n');
  });
});

test('every problem is collected, not only the first', () => {
  const { lines, err } = errorsOf((c) => {
    c.platform.region = 'mars';
    c.apps.api.processes.web.cpu = 3;
    c.environments.staging.capacity.type = 'lambda';
    c.extra = true;
  });
  expect(lines).toHaveLength(4);
  expect(err.message).toBe('config.json: 4 problems in config; fix each and run again');
});

test('one problem is reported as the error line itself', () => {
  const { err } = errorsOf((c) => (c.platform.region = 'mars'));
  expect(err.message).toMatch(/^config\.json: platform\.region: is not an AWS region/);
  expect(err.details).toEqual([]);
});

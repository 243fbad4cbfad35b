/**
 * Config rules and warnings for second-day safety (issue 9): a created zone stays in its
 * stack, subnets fit a load balancer, backups and storage, AWS name limits, task sizes on EC2
 * capacity, and the quota warnings validate prints. Errors are one line each with exit code 2.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/config/load';
import { configWarnings } from '../../src/config/warnings';
import { CyclopsError } from '../../src/errors';

const example = JSON.parse(readFileSync(path.join(__dirname, '../../config.example.json'), 'utf8'));
const clone = () => JSON.parse(JSON.stringify(example));
const make = (mutate: (c: any) => void) => {
  const c = clone();
  mutate(c);
  return c;
};

/** The one line about `keyPath`; fails when the config is accepted. */
function lineAt(mutate: (c: any) => void, keyPath: string): string {
  try {
    parseConfig(make(mutate), 'config.json');
  } catch (e) {
    const err = e as CyclopsError;
    expect(err.exitCode).toBe(2);
    const lines = err.details.length ? err.details : [err.message];
    const line = lines.find((l) => l.startsWith(`config.json: ${keyPath}:`));
    if (!line) throw new Error(`no line for ${keyPath} in:\n${lines.join('\n')}`);
    expect(line).not.toContain('\n');
    return line;
  }
  throw new Error('expected the config to be rejected');
}
const accepts = (mutate: (c: any) => void) => parseConfig(make(mutate), 'config.json');

describe('1. a created zone stays owned by its environment', () => {
  it('tls.create on a created zone needs dns.delegated, and the fix never says to move the zone to hostedZoneId', () => {
    const line = lineAt((c) => delete c.environments.staging.dns.hostedZoneId, 'environments.staging.tls.create');
    expect(line).toMatch(/delegate the zone to the name servers "cyclops env show" lists, then set dns\.delegated: true/);
    expect(line).toMatch(/never move it to dns\.hostedZoneId/);
    const c = accepts((c) => (c.environments.staging.dns = { domain: 'staging.acme.dev', delegated: true }));
    expect(c.environments.staging.dns).toEqual({ domain: 'staging.acme.dev', hostedZoneId: undefined, delegated: true });
  });
  it('dns.delegated with a hostedZoneId is refused', () => {
    expect(lineAt((c) => (c.environments.staging.dns.delegated = true), 'environments.staging.dns.delegated')).toMatch(/only to a zone this environment creates; remove it/);
  });
});

describe('2. subnets', () => {
  it('a VPC too small for /27 load-balancer subnets is refused, per layout', () => {
    expect(lineAt((c) => (c.environments.staging.network.cidr = '10.20.0.0/24'), 'environments.staging.network.cidr')).toMatch(
      /is a \/24, which leaves \/28 subnets, smaller than the \/27 a load balancer needs; use a \/23 or larger block/,
    );
    accepts((c) => (c.environments.staging.network.cidr = '10.20.0.0/23'));
    // the legacy split of 2 zones has 4 blocks: a /24 leaves /26
    accepts((c) => (c.environments.staging.network = { cidr: '10.20.0.0/24', azs: 2, layout: 'legacy' }));
    expect(lineAt((c) => (c.environments.staging.network = { vpcId: 'vpc-0abc1234', publicSubnets: ['subnet-0abc1234', 'subnet-0abc1235'], privateSubnets: ['subnet-0abc1236', 'subnet-0abc1237'], layout: 'slots' }), 'environments.staging.network.layout')).toMatch(/only to a VPC cyclops creates/);
  });
  it('the layout defaults to slots', () => {
    expect(accepts(() => {}).environments.staging.network).toMatchObject({ mode: 'create', layout: 'slots' });
  });
});

describe('6. RDS backups and storage', () => {
  it('refuses backupRetentionDays 0 unless deletion protection is off and the environment is disposable', () => {
    const at = 'environments.production.database.backupRetentionDays';
    expect(lineAt((c) => (c.environments.production.database.backupRetentionDays = 0), at)).toMatch(/turns off backups; keep at least 1 day, or set deletionProtection: false and the environment's "disposable": true/);
    lineAt((c) => Object.assign(c.environments.production.database, { backupRetentionDays: 0, deletionProtection: false }), at);
    lineAt((c) => {
      c.environments.production.database.backupRetentionDays = 0;
      c.environments.production.disposable = true;
    }, at);
    const ok = accepts((c) => {
      Object.assign(c.environments.production.database, { backupRetentionDays: 0, deletionProtection: false });
      c.environments.production.disposable = true;
    });
    expect(ok.environments.production.disposable).toBe(true);
  });
  it('maxStorage defaults to five times storage and is at least storage (equal turns autoscaling off)', () => {
    const c = accepts(() => {});
    expect(c.environments.production.database).toMatchObject({ storage: 100, maxStorage: 500 });
    expect(lineAt((c) => (c.environments.production.database.maxStorage = 50), 'environments.production.database.maxStorage')).toMatch(/is 50 GiB, below storage \(100 GiB\); use at least 110 GiB for storage autoscaling, or 100 to turn it off/);
    expect(lineAt((c) => (c.environments.production.database.maxStorage = 105), 'environments.production.database.maxStorage')).toMatch(/less than 10% above storage/);
    accepts((c) => (c.environments.production.database.maxStorage = 100));
    expect(lineAt((c) => (c.environments.staging.database = { type: 'none', maxStorage: 40 }), 'environments.staging.database.maxStorage')).toMatch(/no effect/);
  });
});

describe('7. AWS name limits (exit 2) and quota warnings', () => {
  it('refuses a host header APP.<domain> over 128 characters, for every configured app in every environment', () => {
    const app = 'a'.repeat(63);
    const domain = `${'d'.repeat(60)}.acme.dev`; // 63 + 1 + 69 = 133
    const line = lineAt((c) => {
      c.environments.staging.dns.domain = domain;
      c.apps[app] = {};
    }, `apps.${app}`);
    expect(line).toMatch(/host name in environment staging .* has 133 characters, more than the 128 a load-balancer rule accepts; use a shorter app name or domain/);
  });
  it('refuses a certificate name *.<domain> over 64 characters when TLS creates the certificate', () => {
    const domain = `${'d'.repeat(55)}.acme.dev`; // *. + 64 = 66
    expect(lineAt((c) => (c.environments.staging.dns.domain = domain), 'environments.staging.dns.domain')).toMatch(/certificate name \*\.d+\.acme\.dev of 66 characters, more than ACM's 64/);
    // with a certificate ARN there is no name to create
    accepts((c) => (c.environments.production.dns.domain = domain));
  });
  it('warns past 100 web apps per environment and past 5 NAT gateways in the region', () => {
    const many = accepts((c) => {
      for (let i = 0; i < 99; i++) c.apps[`app${i}`] = {};
    });
    expect(configWarnings(many).filter((w) => /web apps/.test(w))).toEqual([
      'environment staging: 102 web apps, more than the 100 target groups one load balancer can have (a limit AWS does not raise); split the apps across environments',
      'environment production: 102 web apps, more than the 100 target groups one load balancer can have (a limit AWS does not raise); split the apps across environments',
    ]);
    expect(configWarnings(accepts(() => {})).filter((w) => /web apps|NAT/.test(w))).toEqual([]);
    const nats = accepts((c) => {
      c.environments.staging.network = { cidr: '10.20.0.0/16', azs: 3, natGateways: 3 };
    });
    expect(configWarnings(nats)).toContain(
      'region eu-west-1: 6 NAT gateways across environments, more than the default quota of 5 Elastic IPs per region; request a higher quota or lower network.natGateways',
    );
  });
});

describe('8. task sizes against EC2 instance types', () => {
  it('refuses a task larger than the instance type offers', () => {
    const line = lineAt((c) => (c.apps.api.processes.web = { cpu: 4096, memory: 8192 }), 'apps.api.processes.web');
    expect(line).toMatch(/needs 4096 CPU units and 8192 MiB, more than one t3\.medium of environment production offers tasks \(2048 units, 3686 MiB\); use a smaller task or a larger capacity\.instanceType/);
    accepts((c) => {
      c.apps.api.processes.web = { cpu: 4096, memory: 8192 };
      c.environments.production.capacity.instanceType = 'm5.2xlarge';
    });
  });
  it('warns about an instance type it does not know, and when ENIs cannot hold a 200% deployment', () => {
    const unknown = accepts((c) => (c.environments.production.capacity.instanceType = 'x2iedn.xlarge'));
    expect(configWarnings(unknown)).toContain('environment production: instance type x2iedn.xlarge is not in cyclops\'s table, so task sizes and network interfaces are not checked against it');
    // shop web 2 + worker 1, api 2, docs 1 → 12 at 200 %, plus 1 cron task; 6 × t3.medium hold 12
    const eni = configWarnings(accepts((c) => (c.environments.production.capacity.max = 6))).filter((w) => /ENI trunking/.test(w));
    expect(eni).toEqual([
      'environment production: 13 awsvpc tasks while every service deploys at 200 %, but 6 × t3.medium hold only 12 (2 each without ENI trunking); raise capacity.max, use a larger instance type, or turn on ENI trunking (docs/templates.md)',
    ]);
    expect(configWarnings(accepts((c) => (c.environments.production.capacity.max = 7))).filter((w) => /ENI/.test(w))).toEqual([]);
    // the example is free of warnings
    expect(configWarnings(accepts(() => {}))).toEqual([]);
  });
});

/** Custom domains in config: names, zones, and the load balancer's limits, each a one-line error at its key. */
import { parseConfig } from '../../src/config/load';
import { appConfig } from '../../src/config/model';
import { resolveDomains } from '../../src/config/domains';
import { configWarnings } from '../../src/config/warnings';
import { blockedChanges } from '../../src/stacks/guard';
import type { CyclopsError } from '../../src/errors';

const base = (web: Record<string, unknown>, extra: Record<string, any> = {}) => ({
  platform: { name: 'acme', region: 'eu-west-1' },
  ports: { range: [20000, 20099] },
  environments: {
    production: { dns: { domain: 'acme.dev', hostedZoneId: 'Z0ACMEDEV' }, tls: { create: true }, database: { type: 'none' } },
    staging: { dns: { domain: 'staging.acme.dev' }, database: { type: 'none' } },
  },
  apps: { web: { database: false, ...web }, ...extra },
});
const problems = (raw: unknown): string[] => {
  try {
    parseConfig(raw, 'config.json');
  } catch (e) {
    const err = e as CyclopsError;
    return err.details?.length ? (err.details as string[]) : [err.message];
  }
  return [];
};

test('zones: the entry\'s own, the environment\'s, another entry\'s, another environment\'s; else elsewhere', () => {
  const c = parseConfig(
    base({ domains: ['shop.acme.dev', 'www.acme.com', { name: 'acme.com', hostedZoneId: 'Z0ACMECOM' }, 'www.other.org', 'staging.acme.dev'] }),
    'config.json',
  );
  expect(resolveDomains(c, 'production', appConfig(c, 'web', 'production'))).toEqual([
    { name: 'shop.acme.dev', zone: 'env' },
    { name: 'www.acme.com', zone: 'Z0ACMECOM' },
    { name: 'acme.com', zone: 'Z0ACMECOM' },
    { name: 'www.other.org', zone: null },
    // under production's acme.dev, though staging's zone is more specific: staging creates its own zone, whose id config does not know
    { name: 'staging.acme.dev', zone: 'env' },
  ]);
});

test('names: 253 characters, labels of 63, lower case', () => {
  const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}.com`;
  expect(long.length).toBe(255);
  expect(problems(base({ domains: [long] }))).toEqual([expect.stringMatching(/apps\.web\.domains\[0\]: is longer than 253 characters/)]);
  expect(problems(base({ domains: [`${'a'.repeat(64)}.com`] }))[0]).toMatch(/apps\.web\.domains\[0\]: is not a lowercase domain name with labels of 1 to 63/);
  expect(problems(base({ domains: ['WWW.acme.com'] }))[0]).toMatch(/is not a lowercase domain name/);
});

test('a host name is served by one app per environment', () => {
  const lines = problems(base({ domains: ['www.acme.com'] }, { api: { database: false, environments: { production: { domains: ['www.acme.com'] } } } }));
  expect(lines).toEqual(['config.json: apps.api.environments.production.domains[0]: "www.acme.com" is already served in environment production by app web; list each host name once']);
  expect(problems(base({ domains: ['web.acme.dev'] }))[0]).toMatch(/"web\.acme\.dev" is already served in environment production by this app/);
});

test('domains need a web process', () => {
  expect(problems(base({ processes: { worker: { command: ['w'] } }, domains: ['www.acme.com'] }))[0]).toMatch(/apps\.web\.domains: applies only to an app with a "web" process/);
});

test('the rules must fit the priorities: with ports.range [20000, 29999] an app has 3 blocks (15 host names)', () => {
  // HTTP only: 14 names elsewhere would pass the 10 names of one certificate (tested below)
  const wide = (n: number) => {
    const raw = { ...base({ domains: Array.from({ length: n }, (_, i) => `d${i}.acme.com`) }), ports: { range: [20000, 29999] } };
    delete (raw.environments.production as any).tls;
    return raw;
  };
  expect(problems(wide(14))).toEqual([]);
  expect(problems(wide(15))[0]).toMatch(/apps\.web\.domains: needs 4 listener rules \(5 condition values each\), whose priorities would reach 59999, above 50000; list fewer domains, or use a smaller ports\.range/);
});

test('ACM: at most 10 names on the certificate; at most 25 certificates on the listener', () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `d${i}.acme.dev`);
  expect(problems(base({ domains: names(11) }))[0]).toMatch(/has 11 domains in zones of this account, more than the 10 names ACM puts on one certificate/);
  const apps = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`app${i}`, { database: false, domains: [`app${i}.acme.com`] }]));
  const raw = base({}, apps);
  raw.apps.web = { database: false } as any;
  (raw.apps as any).app0.domains = [{ name: 'app0.acme.com', hostedZoneId: 'Z0ACMECOM' }];
  for (const a of Object.values(raw.apps) as any[]) if (a.domains?.[0] && typeof a.domains[0] === 'string') a.domains[0] = { name: a.domains[0], hostedZoneId: 'Z0ACMECOM' };
  expect(problems(raw)).toEqual([
    'config.json: environments.production: needs 26 certificates for custom domains on its HTTPS listener (one per app for domains in zones of this account, one per app for domains elsewhere), more than the 25 certificates a load balancer listener takes besides its default one; move apps to another environment',
  ]);
  // an environment without TLS makes no certificates
  delete (raw.environments.production as any).tls;
  expect(problems(raw)).toEqual([]);
});

test('domains elsewhere: their certificate (cyclops domains) counts toward the 25, and takes at most 10 names', () => {
  const elsewhere = (n: number) => Array.from({ length: n }, (_, i) => `d${i}.acme.com`);
  expect(problems(base({ domains: elsewhere(10) }))).toEqual([]);
  expect(problems(base({ domains: elsewhere(11) }))).toEqual([
    'config.json: apps.web.domains: has 11 domains whose zone is elsewhere, more than the 10 names ACM puts on one certificate by default (cyclops domains requests one for them); list at most 10',
  ]);
  // 13 apps, each with a domain in a zone of the account and one elsewhere: 26 certificates
  const apps = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`app${i}`, { database: false, domains: [`www-app${i}.acme.dev`, `app${i}.example.org`] }]));
  const raw = base({}, apps);
  raw.apps.web = { database: false } as any;
  expect(problems(raw)).toEqual([expect.stringMatching(/^config\.json: environments\.production: needs 26 certificates for custom domains/)]);
  delete (raw.apps as any).app12;
  expect(problems(raw)).toEqual([]);
});

test('more than 100 rules on a listener is a warning (the quota can be raised)', () => {
  const apps = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`app${i}`, { database: false, domains: Array.from({ length: 5 }, (_, j) => `d${j}.app${i}.acme.com`) }]));
  const raw = { ...base({}, apps), ports: { range: [20000, 20099] } };
  delete (raw.environments.production as any).tls; // on HTTPS, 60 certificates for the domains elsewhere would be refused first
  const c = parseConfig(raw, 'config.json');
  expect(configWarnings(c)).toContain(
    'environment production: its apps need 121 listener rules, more than the 100 a load balancer has by default; ask AWS for a higher "Rules per Application Load Balancer" quota, or move apps to another environment',
  );
});

test('removing a domain removes its alias records: the change-safety guard refuses it unless allowed', () => {
  const rows = [{ logicalId: 'DomainWwwAcmeCom1a2b3cA', resourceType: 'AWS::Route53::RecordSet', action: 'Remove' as const }];
  expect(blockedChanges(rows as any)).toEqual([{ logicalId: 'DomainWwwAcmeCom1a2b3cA', resourceType: 'AWS::Route53::RecordSet', action: 'remove', properties: [] }]);
  expect(blockedChanges(rows as any, ['DomainWwwAcmeCom1a2b3cA'])).toEqual([]);
});

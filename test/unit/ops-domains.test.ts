/**
 * `cyclops domains` and the deploy/status side of domains whose zone is elsewhere, on the unit
 * fakes (ACM, Route 53, public DNS and the stack engine in memory): the certificate is
 * requested once, its records printed, and once issued it reaches the stack's
 * ExternalCertificateArn through the normal stack path (a release of kind "domains"), or
 * through the next deploy. The AWS side (moto, aws-sdk-client-mock) is in
 * test/integration/domains-external-moto.test.ts and test/unit/aws-acm.test.ts.
 */
import { deploy } from '../../src/ops/deploy';
import { domains } from '../../src/ops/domains';
import { appStatus } from '../../src/ops/apps';
import { parseImage } from '../../src/plan/inputs';
import { requestToken } from '../../src/ops/external-certificate';
import { fakeOps, testConfig, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const LB = 'acme-staging-123.eu-west-1.elb.amazonaws.com';
const config = (names: unknown[] = ['www.shop.example', 'shop.example', { name: 'api.acme.dev', hostedZoneId: 'Z9' }]) =>
  testConfig({
    environments: { staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, tls: { certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-aaaa-bbbb-cccc-000000000000' }, database: { type: 'none' } } },
    apps: { web: { processes: { web: { port: 8080 } }, database: false, domains: names } },
  });
const setup = (c = config()) => {
  const f = fakeOps(c);
  f.stacks.get('acme-staging')!.outputs = { LoadBalancerDnsName: LB, HostedZoneId: 'Z1' };
  return f;
};
const ship = (f: Fake, image = 'nginx:1') => deploy(f.ops, { target: t, image, ref: parseImage(image) });
const param = (f: Fake) => f.stacks.get('acme-staging-web')!.parameters.ExternalCertificateArn;
const issue = (f: Fake, arn: string) => {
  const c = f.certificates.get(arn)!;
  c.status = 'ISSUED';
  c.validation = c.validation.map((v) => ({ ...v, status: 'SUCCESS' }));
};

test('requests one certificate for the names elsewhere, prints its validation CNAMEs and the records to the load balancer (ALIAS at the apex)', async () => {
  const f = setup();
  await ship(f);
  expect(param(f)).toBe(''); // deployed before any certificate: HTTPS for them waits
  expect(f.events.codes()).toContain('deploy.domains.certificate-pending');
  const r = await domains(f.ops, t);
  expect(f.certificates.size).toBe(1);
  const [cert] = f.certificates.values();
  expect(cert).toMatchObject({ names: ['www.shop.example', 'shop.example'], env: 'staging', app: 'web', token: requestToken(t, ['www.shop.example', 'shop.example'], []) });
  expect(r).toMatchObject({ attached: 'pending-validation', certificate: { arn: cert.arn, status: 'PENDING_VALIDATION', requested: true }, loadBalancer: LB });
  expect(r.records).toEqual([
    { purpose: 'validation', domain: 'www.shop.example', name: '_v.www.shop.example.', type: 'CNAME', value: '_x.www.shop.example.acm-validations.aws.' },
    { purpose: 'validation', domain: 'shop.example', name: '_v.shop.example.', type: 'CNAME', value: '_x.shop.example.acm-validations.aws.' },
    { purpose: 'traffic', domain: 'www.shop.example', name: 'www.shop.example.', type: 'CNAME', value: `${LB}.` },
    { purpose: 'traffic', domain: 'shop.example', name: 'shop.example.', type: 'ALIAS', value: `${LB}.` },
  ]);
  expect(f.calls).toContain('store.acquireLock'); // the request is a write: under the app lock
  // a rerun finds it by its tags: no second request, no lock
  f.calls.length = 0;
  const again = await domains(f.ops, t);
  expect(f.certificates.size).toBe(1);
  expect(again.certificate).toMatchObject({ arn: cert.arn, requested: false });
  expect(f.calls.filter((c) => /certificates.request|acquireLock|stacks.apply/.test(c))).toEqual([]);
});

test('once ACM issued it, domains puts it on the stack (a release of kind domains); a rerun has nothing to do', async () => {
  const f = setup();
  await ship(f);
  await domains(f.ops, t);
  const [cert] = f.certificates.values();
  issue(f, cert.arn);
  const r = await domains(f.ops, t);
  expect(r).toMatchObject({ attached: 'attached', release: 2 });
  expect(param(f)).toBe(cert.arn);
  expect(f.log.get('staging/web')!.at(-1)).toMatchObject({ kind: 'domains', image: 'nginx:1', parameters: { ExternalCertificateArn: cert.arn } });
  f.calls.length = 0;
  expect((await domains(f.ops, t)).attached).toBe('already');
  expect(f.calls.filter((c) => /acquireLock|stacks.apply/.test(c))).toEqual([]);
  // the next deploy keeps it
  await ship(f, 'nginx:2');
  expect(param(f)).toBe(cert.arn);
});

test('a first deploy after the certificate was issued attaches it itself', async () => {
  const f = setup();
  const r = await domains(f.ops, t); // not deployed yet: the request and the records, nothing to attach to
  expect(r.attached).toBe('pending-validation');
  issue(f, r.certificate!.arn);
  expect((await domains(f.ops, t)).attached).toBe('needs-deploy');
  await ship(f);
  expect(param(f)).toBe(r.certificate!.arn);
});

test('a changed list of names: a new certificate; the stack keeps the old one until the new one is issued; --prune deletes the old once unused', async () => {
  const f = setup();
  await ship(f);
  const first = (await domains(f.ops, t)).certificate!.arn;
  issue(f, first);
  await domains(f.ops, t);
  f.ops.config = config(['www.shop.example']); // shop.example removed
  const r = await domains(f.ops, t);
  const second = r.certificate!.arn;
  expect(second).not.toBe(first);
  expect(param(f)).toBe(first); // still serving www.shop.example while the new one validates
  expect(r.stale).toEqual([]); // the attached one is not stale
  issue(f, second);
  f.certificates.get(first)!.inUseBy = ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/acme-staging/1'];
  const swapped = await domains(f.ops, t, { prune: true });
  expect(param(f)).toBe(second);
  expect(swapped.stale).toEqual([{ arn: first, names: ['www.shop.example', 'shop.example'], status: 'ISSUED', outcome: 'in-use' }]); // ACM refuses: kept
  f.certificates.get(first)!.inUseBy = [];
  const pruned = await domains(f.ops, t, { prune: true });
  expect(pruned.stale).toEqual([{ arn: first, names: ['www.shop.example', 'shop.example'], status: 'ISSUED', outcome: 'deleted' }]);
  expect([...f.certificates.keys()]).toEqual([second]);
});

test('a failed certificate: the next run requests a new one (another idempotency token) and lists the failed one as stale', async () => {
  const f = setup();
  const first = (await domains(f.ops, t)).certificate!.arn;
  f.certificates.get(first)!.status = 'FAILED';
  const r = await domains(f.ops, t);
  expect(r.certificate!.arn).not.toBe(first);
  expect(f.certificates.get(r.certificate!.arn)!.token).toBe(requestToken(t, ['www.shop.example', 'shop.example'], [first]));
  expect(r.stale.map((s) => [s.arn, s.status])).toEqual([[first, 'FAILED']]);
});

test('HTTP only: no certificate, only the records to the load balancer', async () => {
  const c = config();
  delete (c.environments.staging as any).tls;
  (c.environments.staging as any).tls = { mode: 'none' };
  const f = setup(c);
  const r = await domains(f.ops, t);
  expect(r).toMatchObject({ https: false, attached: 'not-needed', certificate: null });
  expect(r.records.map((x) => x.purpose)).toEqual(['traffic', 'traffic']);
  expect(f.calls.filter((x) => /certificates/.test(x))).toEqual([]);
});

test('status shows each domain: zone, certificate state, and where its DNS points', async () => {
  const f = setup();
  await ship(f);
  const cert = (await domains(f.ops, t)).certificate!.arn;
  issue(f, cert);
  await domains(f.ops, t);
  f.aliases.set('Z9/api.acme.dev', `dualstack.${LB.toUpperCase()}`);
  f.publicDns.set('www.shop.example', 'yes');
  f.publicDns.set('shop.example', 'no');
  const s = await appStatus(f.ops, t);
  expect(s.domains).toEqual([
    { name: 'www.shop.example', zone: 'external', zoneId: null, certificate: { arn: cert, status: 'ISSUED', attached: true }, dns: 'points' },
    { name: 'shop.example', zone: 'external', zoneId: null, certificate: { arn: cert, status: 'ISSUED', attached: true }, dns: 'elsewhere' },
    // the stack's own certificate is read from its resources; the fake stack lists none: NONE
    { name: 'api.acme.dev', zone: 'account', zoneId: 'Z9', certificate: { arn: null, status: 'NONE', attached: false }, dns: 'points' },
  ]);
  f.publicDns.clear(); // offline: unknown, never a failed status
  f.aliases.clear();
  const offline = await appStatus(f.ops, t);
  expect(offline.domains!.map((d) => d.dns)).toEqual(['unknown', 'unknown', 'missing']);
});

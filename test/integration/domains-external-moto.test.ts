/**
 * Domains whose zone is elsewhere, end to end against moto: `cyclops domains` requests one
 * DNS-validated certificate through ACM (read back: its names, tags and status), prints moto's
 * validation CNAMEs and the records to the load balancer, finds the same certificate on a rerun,
 * and status reports it. The environment serves HTTPS with a given certificate (moto's
 * CloudFormation has no ACM resource), so the app stack has the ExternalCertificateArn
 * parameter; DescribeStacks shows what deploy passed.
 * moto issues a DNS-validated certificate MOTO_ACM_VALIDATION_WAIT seconds after its request, never
 * by checking records: this file runs its own moto with that wait at 20 s (the default 60 s
 * would cost the suite 40 s), and the second test waits that out and proves the attach through a release of
 * kind domains on the stack's parameter. What moto cannot show: the seconds before ACM publishes
 * the validation records, a delete refused while in use (test/unit/aws-acm.test.ts,
 * aws-sdk-client-mock), and the listener certificate itself, since its CloudFormation skips
 * AWS::ElasticLoadBalancingV2::ListenerCertificate (test/templates/external-domains.test.ts,
 * cfn-lint).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '../../src/aws/client';
import { startMoto } from '../support/global-setup';
import { setTestCredentials, TEST_REGION } from '../support/store-env';
import { motoCli, writeMotoConfig } from '../support/moto-app';
import type { Aws } from '../../src/aws/client';

const PLATFORM = 'dxe';
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-domains-ext-'));
/** moto's MOTO_ACM_VALIDATION_WAIT for this file's own moto */
const ISSUE_AFTER_SECONDS = 20;
let aws: Aws;
let moto: Awaited<ReturnType<typeof startMoto>>;
const cli = motoCli(dir);
const ok = (r: { code: number; stderr: string }) => expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
const NAMES = ['www.dxe-shop.org', 'dxe-shop.org'];

beforeAll(async () => {
  moto = await startMoto(1, false, { MOTO_ACM_VALIDATION_WAIT: String(ISSUE_AFTER_SECONDS) });
  // the CLI (motoCli) and writeMotoConfig read MOTO_ENDPOINT: this file's moto
  process.env.MOTO_ENDPOINT = moto.endpoint;
  setTestCredentials();
  aws = await connect({ region: TEST_REGION, endpoint: moto.endpoint, maxAttempts: 2 });
  // the environment's own (default) certificate, made outside cyclops as tls.certificateArn expects
  const envCert = (await aws.acm.send(new aws.sdk.acm.RequestCertificateCommand({ DomainName: '*.staging.dxe.dev', ValidationMethod: 'DNS' }))).CertificateArn!;
  await writeMotoConfig(aws, dir, {
    platform: PLATFORM,
    bucket: 'dxe-domains-config',
    domain: 'staging.dxe.dev',
    range: [26000, 26999],
    staging: { database: { type: 'none' }, tls: { certificateArn: envCert } },
    apps: { web: { processes: { web: { port: 8080 } }, database: false } },
  });
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.apps.web.environments = { staging: { domains: NAMES } };
  writeFileSync(file, JSON.stringify(config));
  for (const args of [['bootstrap'], ['env', 'create', 'staging']]) ok(await cli(...args, '--json'));
}, 180_000);

afterAll(async () => {
  for (const c of [aws.s3, aws.cfn, aws.acm]) c.destroy();
  await moto.stop();
});

const stackParams = async () => {
  const s = (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: `${PLATFORM}-staging-web` }))).Stacks![0];
  return Object.fromEntries((s.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
};
const appCertificates = async () => {
  const out: { arn: string; tags: Record<string, string> }[] = [];
  for (const c of (await aws.acm.send(new aws.sdk.acm.ListCertificatesCommand({}))).CertificateSummaryList ?? []) {
    const tags = Object.fromEntries(((await aws.acm.send(new aws.sdk.acm.ListTagsForCertificateCommand({ CertificateArn: c.CertificateArn! }))).Tags ?? []).map((t) => [t.Key, t.Value]));
    if (tags['cyclops:certificate'] === 'external-domains') out.push({ arn: c.CertificateArn!, tags });
  }
  return out;
};

test('deploy, then domains: one tagged certificate, its validation and traffic records; a rerun finds it; status shows it', async () => {
  const d = await cli('deploy', 'registry.example.com/web:1.0', 'web', 'staging', '--json');
  ok(d);
  expect(d.stderr).toContain('www.dxe-shop.org, dxe-shop.org: no certificate was requested for them'); // deploy.domains.certificate-pending
  expect((await stackParams()).ExternalCertificateArn).toBe(''); // no certificate yet: no listener certificate

  const r = await cli('domains', 'web', 'staging', '--json');
  ok(r);
  const out = JSON.parse(r.stdout);
  const certs = await appCertificates();
  expect(certs).toHaveLength(1);
  expect(certs[0].tags).toMatchObject({ 'cyclops:platform': PLATFORM, 'cyclops:env': 'staging', 'cyclops:app': 'web' });
  const described = (await aws.acm.send(new aws.sdk.acm.DescribeCertificateCommand({ CertificateArn: certs[0].arn }))).Certificate!;
  expect(described.DomainName).toBe('www.dxe-shop.org');
  expect([...new Set([described.DomainName, ...(described.SubjectAlternativeNames ?? [])])].sort()).toEqual([...NAMES].sort());
  expect(described.Status).toBe('PENDING_VALIDATION');
  expect(out).toMatchObject({ attached: 'pending-validation', certificate: { arn: certs[0].arn, status: 'PENDING_VALIDATION', requested: true } });
  // moto's validation records, as DescribeCertificate gives them
  const validation = out.records.filter((x: any) => x.purpose === 'validation');
  expect(validation.map((x: any) => x.domain).sort()).toEqual([...NAMES].sort());
  for (const v of validation) expect(v).toMatchObject({ type: 'CNAME', name: expect.stringMatching(new RegExp(`\\.${v.domain.replace(/\./g, '\\.')}\\.$`)), value: expect.stringMatching(/acm-validations\.aws\.$/) });
  const lb = out.loadBalancer;
  expect(lb).toBeTruthy();
  expect(out.records.filter((x: any) => x.purpose === 'traffic')).toEqual([
    { purpose: 'traffic', domain: 'www.dxe-shop.org', name: 'www.dxe-shop.org.', type: 'CNAME', value: `${lb}.` },
    { purpose: 'traffic', domain: 'dxe-shop.org', name: 'dxe-shop.org.', type: 'ALIAS', value: `${lb}.` },
  ]);

  const again = JSON.parse((await cli('domains', 'web', 'staging', '--json')).stdout);
  expect(again.certificate).toMatchObject({ arn: certs[0].arn, requested: false });
  expect(await appCertificates()).toHaveLength(1);

  const s = await cli('status', 'web', 'staging', '--json');
  ok(s);
  const st = JSON.parse(s.stdout);
  expect(st.domains.map((x: any) => [x.name, x.zone, x.certificate.status, x.certificate.attached])).toEqual([
    ['www.dxe-shop.org', 'external', 'PENDING_VALIDATION', false],
    ['dxe-shop.org', 'external', 'PENDING_VALIDATION', false],
  ]);
}, 180_000);

test('once moto says ISSUED (after its validation wait), domains puts the certificate on the stack through a release of kind domains', async () => {
  const [cert] = await appCertificates();
  const created = (await aws.acm.send(new aws.sdk.acm.DescribeCertificateCommand({ CertificateArn: cert.arn }))).Certificate!.CreatedAt!;
  // moto issues a DNS-validated certificate MOTO_ACM_VALIDATION_WAIT seconds after its creation
  const wait = created.getTime() + (ISSUE_AFTER_SECONDS + 2) * 1000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const r = await cli('domains', 'web', 'staging', '--json');
  ok(r);
  expect(JSON.parse(r.stdout)).toMatchObject({ attached: 'attached', certificate: { arn: cert.arn, status: 'ISSUED' } });
  expect((await stackParams()).ExternalCertificateArn).toBe(cert.arn);
  const releases = JSON.parse((await cli('releases', 'web', 'staging', '--json')).stdout);
  expect(JSON.stringify(releases)).toContain('"kind":"domains"');
  // a deploy after it keeps it
  ok(await cli('deploy', 'registry.example.com/web:1.1', 'web', 'staging', '--json'));
  expect((await stackParams()).ExternalCertificateArn).toBe(cert.arn);
}, 180_000);

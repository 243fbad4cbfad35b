/**
 * Domains whose zone is elsewhere, on the template: the app stack takes the certificate
 * `cyclops domains` requested through the ExternalCertificateArn parameter, and puts it on the
 * HTTPS listener only when it is set. moto's CloudFormation does not create
 * AWS::ElasticLoadBalancingV2::ListenerCertificate (it skips the type), so the attachment is
 * proven here and by cfn-lint; test/integration/domains-external-moto.test.ts proves the
 * parameter the stack runs with.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appParameters, renderApp, templateBody } from '../../src/plan';
import { rawScenario } from './scenario-fixture';
import { parseConfig } from '../../src/config/load';
import { findCfnLint } from './cfn-lint-path';

const ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

/** The scenario with production also answering shop.example.org (a zone elsewhere); `tls: false` makes production HTTP only. */
function config(opts: { tls?: boolean; domains?: unknown[] } = {}) {
  const raw = rawScenario();
  raw.apps.web.environments.production.domains = opts.domains ?? ['www.acme.com', { name: 'acme.com', hostedZoneId: 'Z0ACMECOM00000000001' }, 'shop.example.org', 'example.org'];
  if (opts.tls === false) delete raw.environments.production.tls;
  return parseConfig(raw, 'config.json');
}
const render = (c = config()) => renderApp(c, 'production', 'web', { port: 20000 }) as any;

test('a domain elsewhere on HTTPS: an ExternalCertificateArn parameter (empty by default) and a listener certificate only when it is set', () => {
  const t = render();
  expect(t.Parameters.ExternalCertificateArn).toMatchObject({ Type: 'String', Default: '' });
  expect(t.Parameters.ExternalCertificateArn.Description).toMatch(/shop\.example\.org, example\.org/);
  expect(t.Conditions.HasExternalCertificate).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ExternalCertificateArn' }, ''] }] });
  expect(t.Resources.ExternalListenerCertificate).toEqual({
    Type: 'AWS::ElasticLoadBalancingV2::ListenerCertificate',
    Condition: 'HasExternalCertificate',
    Properties: { ListenerArn: { 'Fn::ImportValue': 'acme-production:HttpsListenerArn' }, Certificates: [{ CertificateArn: { Ref: 'ExternalCertificateArn' } }] },
  });
  // the stack's own certificate stays for the names in the account's zones only
  const own = t.Resources.DomainCertificate.Properties;
  expect([own.DomainName, ...own.SubjectAlternativeNames]).toEqual(['www.acme.com', 'acme.com']);
  // no records in a zone cyclops does not hold; the listener rule answers for every name
  const records = Object.values(t.Resources).filter((r: any) => r.Type === 'AWS::Route53::RecordSet').map((r: any) => r.Properties.Name);
  expect(records.filter((n: string) => n.includes('example.org'))).toEqual([]);
  expect(t.Resources.WebListenerRule.Properties.Conditions[0].HostHeaderConfig.Values).toEqual(['web.acme.dev', 'www.acme.com', 'acme.com', 'shop.example.org', 'example.org']);
});

test('the parameter refuses what is not an ACM certificate ARN (exit before any resource changes)', () => {
  const pattern = new RegExp(render().Parameters.ExternalCertificateArn.AllowedPattern);
  expect(pattern.test('')).toBe(true);
  expect(pattern.test(ARN)).toBe(true);
  expect(pattern.test('arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/abc-123')).toBe(true);
  expect(pattern.test('arn:aws:iam::123456789012:server-certificate/x')).toBe(false);
});

test('appParameters passes the issued certificate, or empty while there is none', () => {
  const params = (arn?: string) => Object.fromEntries(appParameters(config(), 'production', 'web', 'img', {}, {}, {}, arn).map((p) => [p.ParameterKey, p.ParameterValue]));
  expect(params(ARN).ExternalCertificateArn).toBe(ARN);
  expect(params().ExternalCertificateArn).toBe('');
});

test('no parameter when every domain is in a zone of the account, or on HTTP only (no listener to put it on)', () => {
  for (const c of [config({ domains: [{ name: 'www.acme.com', hostedZoneId: 'Z0ACMECOM00000000001' }] }), config({ tls: false })]) {
    const t = render(c);
    expect(t.Parameters.ExternalCertificateArn).toBeUndefined();
    expect(t.Resources.ExternalListenerCertificate).toBeUndefined();
    expect(appParameters(c, 'production', 'web', 'img').map((p) => p.ParameterKey)).not.toContain('ExternalCertificateArn');
  }
});

test('passes cfn-lint with no errors and no warnings', () => {
  const lint = findCfnLint();
  if (!lint) throw new Error('cfn-lint is not on PATH; install it with "pip install cfn-lint" — this test does not skip');
  const dir = mkdtempSync(path.join(tmpdir(), 'cyclops-lint-external-'));
  const file = path.join(dir, 'web-production.json');
  writeFileSync(file, templateBody(render()));
  const res = spawnSync(lint, ['--format', 'parseable', '--', file], { encoding: 'utf8' });
  expect(`${res.stdout}${res.stderr}`.trim()).toBe('');
  expect(res.status).toBe(0);
});

/**
 * Golden scenario "production differs from staging" (scenario-fixture.ts): every template byte
 * for byte (UPDATE_GOLDEN=1 rewrites them), and what differs between the two environments.
 * moto's CloudFormation has no ACM, so the certificate, its DNS validation and the listener
 * certificate are proven here, on the template, and by cfn-lint.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appParameters, templateBody } from '../../src/plan';
import { fileName, renderAll } from '../../src/plan/all';
import { rawScenario, scenario } from './scenario-fixture';
import { findCfnLint } from './cfn-lint-path';
import { parseConfig } from '../../src/config/load';

const DIR = path.join(__dirname, 'golden-scenario');
const update = process.env.UPDATE_GOLDEN === '1';
const rendered = renderAll(scenario());
const app = (env: string) => rendered.find((r) => r.app === 'web' && r.env === env)!.template as any;
const ofType = (t: any, type: string) => Object.entries(t.Resources).filter(([, r]: [string, any]) => r.Type === type) as [string, any][];

describe('production differs from staging', () => {
  if (update) mkdirSync(DIR, { recursive: true });
  for (const r of rendered) {
    it(`${fileName(r)} matches its golden file`, () => {
      const body = templateBody(r.template) + '\n';
      const file = path.join(DIR, fileName(r));
      if (update) writeFileSync(file, body);
      if (!existsSync(file)) throw new Error(`${file} is missing; run UPDATE_GOLDEN=1 npx jest test/templates/scenario.test.ts`);
      expect(body).toBe(readFileSync(file, 'utf8'));
    });
  }
  it('has no stale golden files', () => {
    expect(readdirSync(DIR).sort()).toEqual(rendered.map((r) => fileName(r)).sort());
  });

  it('staging: 1 × 256/512 on x86_64 (no RuntimePlatform), its own host name only, no certificate', () => {
    const t = app('staging');
    expect(t.Resources.WebTaskDefinition.Properties).toMatchObject({ Cpu: '256', Memory: '512' });
    expect(t.Resources.WebTaskDefinition.Properties.RuntimePlatform).toBeUndefined();
    expect(t.Parameters.WebCount.Default).toBe(1);
    expect(t.Resources.WebListenerRule.Properties.Conditions).toEqual([{ Field: 'host-header', HostHeaderConfig: { Values: ['web.staging.acme.dev'] } }]);
    expect(ofType(t, 'AWS::CertificateManager::Certificate')).toEqual([]);
    const params = Object.fromEntries(appParameters(scenario(), 'staging', 'web', 'img').map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(params.WebCount).toBe('1');
  });

  it('production: 4 × 1024/2048 on ARM64, answering www.acme.com and the apex with a certificate validated in their zone, attached by SNI, and A/AAAA aliases', () => {
    const t = app('production');
    expect(t.Resources.WebTaskDefinition.Properties).toMatchObject({ Cpu: '1024', Memory: '2048', RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
    expect(t.Parameters.WebCount.Default).toBe(4);
    expect(t.Resources.WebListenerRule.Properties.Conditions).toEqual([{ Field: 'host-header', HostHeaderConfig: { Values: ['web.acme.dev', 'www.acme.com', 'acme.com'] } }]);
    const [[, cert]] = ofType(t, 'AWS::CertificateManager::Certificate');
    expect(cert.Properties).toMatchObject({
      DomainName: 'www.acme.com',
      SubjectAlternativeNames: ['acme.com'],
      ValidationMethod: 'DNS',
      DomainValidationOptions: [
        { DomainName: 'www.acme.com', HostedZoneId: 'Z0ACMECOM00000000001' },
        { DomainName: 'acme.com', HostedZoneId: 'Z0ACMECOM00000000001' },
      ],
    });
    const [[, sni]] = ofType(t, 'AWS::ElasticLoadBalancingV2::ListenerCertificate');
    expect(sni.Properties.Certificates).toEqual([{ CertificateArn: { Ref: 'DomainCertificate' } }]);
    expect(JSON.stringify(sni.Properties.ListenerArn)).toContain('HttpsListenerArn');
    const records = ofType(t, 'AWS::Route53::RecordSet').map(([, r]) => `${r.Properties.Name} ${r.Properties.Type} ${typeof r.Properties.HostedZoneId === 'string' ? r.Properties.HostedZoneId : 'env'}`);
    expect(records.sort()).toEqual(['acme.com. A Z0ACMECOM00000000001', 'acme.com. AAAA Z0ACMECOM00000000001', 'web.acme.dev. A env', 'www.acme.com. A Z0ACMECOM00000000001', 'www.acme.com. AAAA Z0ACMECOM00000000001']);
  });

  it('more host names than one rule holds are split across rules of at most 5 values, with priorities from the app\'s blocks', () => {
    const raw = rawScenario();
    raw.apps.web.environments.production.domains = ['a.acme.com', 'b.acme.com', 'c.acme.com', 'd.acme.com', 'e.acme.com', { name: 'acme.com', hostedZoneId: 'Z0ACMECOM00000000001' }];
    raw.apps.web.environments.production.allow = ['203.0.113.0/24'];
    const t = renderAll(parseConfig(raw, 'scenario.json')).find((r) => r.app === 'web' && r.env === 'production')!.template as any;
    const rules = ofType(t, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([id, r]) => [id, r.Properties.Priority, r.Properties.Conditions[0].HostHeaderConfig.Values.length]);
    // 7 host names, 4 per rule beside one source CIDR: 2 forward rules and their 403 rules; blocks of 100 (ports.range)
    expect(rules.sort()).toEqual([
      ['WebDenyRule', 20100, 4],
      ['WebDenyRule2', 20300, 3],
      ['WebListenerRule', 20000, 4],
      ['WebListenerRule2', 20200, 3],
    ]);
  });

  it('passes cfn-lint with no errors and no warnings', () => {
    const lint = findCfnLint();
    if (!lint) throw new Error('cfn-lint is not on PATH; install it with "pip install cfn-lint" — this test does not skip');
    const dir = mkdtempSync(path.join(tmpdir(), 'cyclops-lint-scenario-'));
    const files = rendered.map((r) => {
      const file = path.join(dir, fileName(r));
      writeFileSync(file, templateBody(r.template));
      return file;
    });
    const res = spawnSync(lint, ['--format', 'parseable', '--', ...files], { encoding: 'utf8' });
    expect(`${res.stdout}${res.stderr}`.trim()).toBe('');
    expect(res.status).toBe(0);
  });
});

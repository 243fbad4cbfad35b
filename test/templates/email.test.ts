/**
 * Email (SES) in the templates: golden files for the example with email, cfn-lint on them, and
 * what each piece must hold. The example without email renders byte for byte as before
 * (test/templates/golden.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderApp, renderCluster, templateBody } from '../../src/plan';
import { fileName, renderAll } from '../../src/plan/all';
import { parseConfig } from '../../src/config/load';
import { emailExample, example, rawEmail } from './fixtures';
import { findCfnLint } from './cfn-lint-path';
import { goldenFiles } from './golden-files';

const DIR = path.join(__dirname, 'golden-email');
const rendered = renderAll(emailExample());
const byType = (t: any, type: string) => Object.entries(t.Resources).filter(([, r]: [string, any]) => r.Type === type) as [string, any][];

describe('golden templates with email', () => {
  goldenFiles(DIR, rendered, 'test/templates/email.test.ts');
});

describe('the environment stack', () => {
  const staging = renderCluster(emailExample(), 'staging') as any;
  const production = renderCluster(emailExample(), 'production') as any;

  it('has an identity with Easy DKIM and its three CNAMEs in the environment zone', () => {
    const [[, identity]] = byType(staging, 'AWS::SES::EmailIdentity');
    expect(identity.Properties.EmailIdentity).toBe('staging.acme.dev');
    expect(identity.Properties.DkimSigningAttributes).toEqual({ NextSigningKeyLength: 'RSA_2048_BIT' });
    expect(identity.Properties.ConfigurationSetAttributes).toEqual({ ConfigurationSetName: { Ref: 'EmailConfigurationSet' } });
    expect(identity.Properties.MailFromAttributes).toBeUndefined();
    const cnames = byType(staging, 'AWS::Route53::RecordSet').filter(([, r]) => r.Properties.Type === 'CNAME');
    expect(cnames.map(([, r]) => [r.Properties.HostedZoneId, r.Properties.Name, r.Properties.ResourceRecords])).toEqual(
      [1, 2, 3].map((n) => ['Z0STAGING0ACME0DEV01', { 'Fn::GetAtt': ['EmailIdentity', `DkimDNSTokenName${n}`] }, [{ 'Fn::GetAtt': ['EmailIdentity', `DkimDNSTokenValue${n}`] }]]),
    );
  });

  it('gives the MAIL FROM domain its MX (the region\'s feedback endpoint) and SPF records', () => {
    const [[, identity]] = byType(production, 'AWS::SES::EmailIdentity');
    expect(identity.Properties.MailFromAttributes).toEqual({ MailFromDomain: 'bounce.acme.dev', BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' });
    const records = Object.fromEntries(byType(production, 'AWS::Route53::RecordSet').filter(([, r]) => r.Properties.Name === 'bounce.acme.dev.').map(([, r]) => [r.Properties.Type, r.Properties.ResourceRecords]));
    expect(records).toEqual({ MX: ['10 feedback-smtp.eu-west-1.amazonses.com'], TXT: ['"v=spf1 include:amazonses.com ~all"'] });
    expect(production.Outputs.EmailMailFromDomain.Value).toBe('bounce.acme.dev');
  });

  it('has a configuration set with a CloudWatch destination, exported for the apps', () => {
    const [[, set]] = byType(staging, 'AWS::SES::ConfigurationSet');
    expect(set.Properties.Name).toBe('cyclops-acme-staging');
    const [[, dest]] = byType(staging, 'AWS::SES::ConfigurationSetEventDestination');
    expect(dest.Properties.ConfigurationSetName).toEqual({ Ref: 'EmailConfigurationSet' });
    expect(dest.Properties.EventDestination.MatchingEventTypes).toEqual(expect.arrayContaining(['BOUNCE', 'COMPLAINT', 'DELIVERY']));
    expect(dest.Properties.EventDestination.CloudWatchDestination).toBeDefined();
    expect(staging.Outputs.EmailDomain.Export.Name).toBe('acme-staging:EmailDomain');
    expect(staging.Outputs.EmailConfigurationSet.Value).toEqual({ Ref: 'EmailConfigurationSet' });
  });

  it('puts no record in the zone for a domain outside it (the user publishes them)', () => {
    const raw = rawEmail();
    raw.environments.staging.email = { domain: 'mail.example.org' };
    const t = renderCluster(parseConfig(raw, 'x.json'), 'staging') as any;
    expect(byType(t, 'AWS::SES::EmailIdentity')[0][1].Properties.EmailIdentity).toBe('mail.example.org');
    expect(byType(t, 'AWS::Route53::RecordSet').filter(([id]) => id.startsWith('Email'))).toEqual([]);
  });

  it('without email has no SES resource and no email output', () => {
    const t = renderCluster(example(), 'staging') as any;
    expect(Object.values(t.Resources).filter((r: any) => r.Type.startsWith('AWS::SES::'))).toEqual([]);
    expect(Object.keys(t.Outputs).filter((k) => k.startsWith('Email'))).toEqual([]);
  });
});

describe('an app that sends email', () => {
  const cfg = emailExample();
  const app = (name: string) => renderApp(cfg, 'staging', name, { port: 20001 }) as any;
  const vars = (t: any) => Object.fromEntries(byType(t, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0].Environment.map((e: any) => [e.Name, e.Value]));
  const secrets = (t: any) => Object.fromEntries(byType(t, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0].Secrets.map((e: any) => [e.Name, e.ValueFrom]));
  const policy = (t: any, role: string, name: string) => t.Resources[role].Properties.Policies?.find((p: any) => p.PolicyName === name)?.PolicyDocument.Statement;

  it('by role: may send only as the identity through the configuration set, and gets both names', () => {
    const t = app('api');
    const [statement] = policy(t, 'TaskRole', 'send-email');
    expect(statement.Action).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    expect(JSON.stringify(statement.Resource)).toContain(':identity/');
    expect(JSON.stringify(statement.Resource)).toContain('acme-staging:EmailDomain');
    expect(JSON.stringify(statement.Resource)).toContain(':configuration-set/');
    expect(statement.Resource).not.toContain('*');
    expect(vars(t).MAIL_FROM_DOMAIN).toEqual({ 'Fn::ImportValue': 'acme-staging:EmailDomain' });
    expect(vars(t).AWS_SES_CONFIGURATION_SET).toEqual({ 'Fn::ImportValue': 'acme-staging:EmailConfigurationSet' });
    expect(vars(t).SMTP_HOST).toBeUndefined();
    expect(t.Resources.TaskRole.Properties.PermissionsBoundary).toBeDefined();
  });

  it('over SMTP: host and port as variables, user name and password from the stored secret only', () => {
    const t = app('shop');
    expect(vars(t).SMTP_HOST).toEqual({ 'Fn::Sub': 'email-smtp.${AWS::Region}.amazonaws.com' });
    expect(vars(t).SMTP_PORT).toBe('587');
    expect(vars(t).SMTP_PASSWORD).toBeUndefined();
    expect(secrets(t).SMTP_PASSWORD['Fn::Sub']).toMatch(/:secret:cyclops\/acme\/staging\/shop\/smtp:password::$/);
    expect(secrets(t).SMTP_USERNAME['Fn::Sub']).toMatch(/:secret:cyclops\/acme\/staging\/shop\/smtp:username::$/);
    const read = policy(t, 'ExecutionRole', 'read-app-secrets');
    expect(JSON.stringify(read)).toContain('secret:cyclops/acme/staging/shop/smtp-??????');
  });

  it('an app without email gets none of it', () => {
    const t = app('docs');
    expect(policy(t, 'TaskRole', 'send-email')).toBeUndefined();
    expect(vars(t).MAIL_FROM_DOMAIN).toBeUndefined();
  });
});

describe('config', () => {
  const problems = (mutate: (raw: any) => void) => {
    const raw = rawEmail();
    mutate(raw);
    try {
      parseConfig(raw, 'x.json');
      return '';
    } catch (e) {
      const err = e as Error & { details?: string[] };
      return [err.message, ...(err.details ?? [])].join('\n');
    }
  };
  it('refuses an app that sends email in an environment without it, naming the fix', () => {
    expect(problems((r) => delete r.environments.production.email)).toMatch(/apps\.shop\.email.*needs email in environment production; set environments\.production\.email/s);
    expect(problems((r) => {
      delete r.environments.production.email;
      r.apps.shop.environments = { production: { email: false } };
      r.apps.api.environments = { production: { email: false } };
    })).toBe('');
  });
  it('refuses a MAIL FROM domain outside the identity and variables cyclops sets', () => {
    expect(problems((r) => (r.environments.production.email = { mailFrom: 'bounce.other.dev' }))).toMatch(/mailFrom.*not under the identity's domain acme\.dev/s);
    expect(problems((r) => (r.apps.shop.env = { SMTP_HOST: 'x' }))).toMatch(/apps\.shop\.env\.SMTP_HOST.*set by cyclops/s);
    expect(problems((r) => (r.platform.region = 'eu-south-1'))).toMatch(/no SMTP endpoint in eu-south-1/);
  });
});

describe('cfn-lint on the email templates', () => {
  it('passes with no errors and no warnings', () => {
    const lint = findCfnLint();
    if (!lint) throw new Error('cfn-lint is not on PATH (nor in the pyenv shims)');
    const dir = mkdtempSync(path.join(tmpdir(), 'cyclops-email-lint-'));
    try {
      const files = rendered.filter((r) => !fileName(r).startsWith('platform')).map((r) => {
        const f = path.join(dir, fileName(r));
        writeFileSync(f, templateBody(r.template));
        return f;
      });
      const res = spawnSync(lint, ['--format', 'parseable', '--', ...files], { encoding: 'utf8' });
      expect(res.stdout + res.stderr).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('an app on SMTP gets no warning about its credentials secret: deploy makes it (src/email/smtp-user.ts)', async () => {
  const { configWarnings } = await import('../../src/config/warnings');
  expect(configWarnings(emailExample()).filter((w) => /smtp/i.test(w))).toEqual([]);
});

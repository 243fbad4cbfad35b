/**
 * `env show`'s email line over the unit fakes (SES v2 GetAccount and GetEmailIdentity bound to
 * an in-memory account): moto's SES v2 has no GetAccount sandbox state to set, so the states
 * are set here. The binding to the SDK (src/aws/sesv2.ts) is checked with aws-sdk-client-mock.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import * as sesv2 from '@aws-sdk/client-sesv2';
import { showEnv } from '../../src/ops/env';
import { emailLine, SANDBOX_DOC } from '../../src/email/status';
import { sesAccount, sesIdentity } from '../../src/aws/sesv2';
import type { Aws } from '../../src/aws/client';
import { fakeOps, testConfig } from './fakes/ops';

const env = { platform: 'acme', env: 'staging' };
const withEmail = () => testConfig({ environments: { staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' }, email: { mailFrom: 'bounce.staging.acme.dev' } } } });

test('env show: identity verified, DKIM pending, in the sandbox: one line with the page that lifts it', async () => {
  const f = fakeOps(withEmail());
  f.email.identities.set('staging.acme.dev', { verification: 'SUCCESS', dkim: 'PENDING', sendingEnabled: true, mailFrom: 'PENDING' });
  const view = await showEnv(f.ops, env);
  expect(view.email).toEqual({ domain: 'staging.acme.dev', identity: { verification: 'SUCCESS', dkim: 'PENDING', sendingEnabled: true, mailFrom: 'PENDING' }, sandbox: true, sendingEnabled: true });
  expect(emailLine(view.email!)).toBe(`staging.acme.dev: identity success, DKIM pending, MAIL FROM pending; SES sandbox: only verified recipients get mail, 200 a day; ask AWS to lift it: ${SANDBOX_DOC}`);
});

test('env show: out of the sandbox; an identity SES does not have yet says what makes it; no email: no SES call', async () => {
  const f = fakeOps(withEmail());
  f.email.sesAccount = { sandbox: false, sendingEnabled: true };
  const view = await showEnv(f.ops, env);
  expect(emailLine(view.email!)).toBe('staging.acme.dev: no SES identity yet (run "cyclops env update"); production access');
  const g = fakeOps();
  expect((await showEnv(g.ops, env)).email).toBeNull();
  expect(g.calls.filter((c) => c.startsWith('email.'))).toEqual([]);
});

test('env show: a failed SES read does not fail the command; the line says why', async () => {
  const f = fakeOps(withEmail());
  f.onCall('email.account', () => {
    throw new Error('not authorized to perform ses:GetAccount');
  });
  const view = await showEnv(f.ops, env);
  expect(emailLine(view.email!)).toBe('staging.acme.dev: SES status unavailable (not authorized to perform ses:GetAccount)');
});

test('the SES v2 reads map GetAccount and GetEmailIdentity (and a missing identity is null)', async () => {
  const mock = mockClient(SESv2Client);
  const aws = { sdk: { sesv2 }, region: 'eu-west-1', sesv2: new SESv2Client({ region: 'eu-west-1' }) } as unknown as Aws;
  mock.on(GetAccountCommand).resolves({ ProductionAccessEnabled: false, SendingEnabled: true, SendQuota: { Max24HourSend: 200 } });
  expect(await sesAccount(aws)).toEqual({ sandbox: true, sendingEnabled: true, max24HourSend: 200 });
  mock.on(GetEmailIdentityCommand, { EmailIdentity: 'acme.dev' }).resolves({ VerificationStatus: 'SUCCESS', VerifiedForSendingStatus: true, DkimAttributes: { Status: 'SUCCESS' } });
  expect(await sesIdentity(aws, 'acme.dev')).toEqual({ verification: 'SUCCESS', dkim: 'SUCCESS', sendingEnabled: true });
  mock.on(GetEmailIdentityCommand, { EmailIdentity: 'nope.dev' }).rejects(Object.assign(new Error('not found'), { name: 'NotFoundException' }));
  expect(await sesIdentity(aws, 'nope.dev')).toBeNull();
  mock.restore();
});

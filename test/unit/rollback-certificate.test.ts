/**
 * A rollback to a release whose domains certificate was pruned (or expired) keeps the stack's
 * issued certificate instead: over the unit fakes' ACM (certificates by env and app) and stacks.
 * What it protects: CloudFormation would fail the listener certificate of an ARN that no longer
 * exists, so the rollback itself would fail at 2 a.m.
 */
import { rollbackParameters } from '../../src/ops/rollback';
import { EXTERNAL_CERTIFICATE_PARAMETER as P } from '../../src/plan';
import { fakeOps, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const OLD = 'arn:aws:acm:eu-west-1:123456789012:certificate/old';
const NOW = 'arn:aws:acm:eu-west-1:123456789012:certificate/now';

function withCertificates(statuses: Record<string, string>, live: string): Fake {
  const f = fakeOps();
  for (const [arn, status] of Object.entries(statuses)) {
    f.certificates.set(arn, { arn, names: ['shop.example.org'], status, inUseBy: [], validation: [], env: 'staging', app: 'web', token: arn });
  }
  f.stacks.set('acme-staging-web', { name: 'acme-staging-web', id: 'acme-staging-web', status: 'UPDATE_COMPLETE', parameters: { [P]: live }, outputs: {}, tags: {} });
  return f;
}

test('the target release\'s certificate still issued: its parameters go as they are, nothing said', async () => {
  const f = withCertificates({ [OLD]: 'ISSUED', [NOW]: 'ISSUED' }, NOW);
  expect(await rollbackParameters(f.ops, t, { Image: 'img:1', [P]: OLD })).toEqual({ Image: 'img:1', [P]: OLD });
  expect(f.events.coded('rollback.certificate-kept')).toHaveLength(0);
});

test('the target release\'s certificate was pruned: the stack keeps its issued one, and says so', async () => {
  const f = withCertificates({ [NOW]: 'ISSUED' }, NOW);
  expect(await rollbackParameters(f.ops, t, { Image: 'img:1', [P]: OLD })).toEqual({ Image: 'img:1', [P]: NOW });
  expect(f.events.coded('rollback.certificate-kept').map((e) => e.data)).toEqual([{ app: 'web', env: 'staging', wanted: OLD, kept: NOW }]);
});

test('neither is issued (the old one expired, the stack\'s revoked): no certificate rather than a failed update', async () => {
  const f = withCertificates({ [OLD]: 'EXPIRED', [NOW]: 'REVOKED' }, NOW);
  expect((await rollbackParameters(f.ops, t, { [P]: OLD }))[P]).toBe('');
  expect(f.events.coded('rollback.certificate-kept').map((e) => e.data.kept)).toEqual([null]);
});

test('a release without a domains certificate is not looked up in ACM', async () => {
  const f = withCertificates({}, '');
  f.calls.length = 0;
  expect(await rollbackParameters(f.ops, t, { Image: 'img:1', [P]: '' })).toEqual({ Image: 'img:1', [P]: '' });
  expect(f.calls).not.toContain('certificates.list');
});

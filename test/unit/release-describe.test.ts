/** Release descriptions: written with every kind of record, derived on read for records of earlier versions, never a value. */
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { describePage, describeRelease, shortImage } from '../../src/ops/release-describe';
import { listReleases } from '../../src/ops/release-log';
import { rollback } from '../../src/ops/rollback';
import { scale } from '../../src/ops/scale';
import { setSecret, unsetSecret } from '../../src/ops/secrets';
import { setVars, unsetVars } from '../../src/ops/vars';
import type { ReleaseRecord } from '../../src/store';
import { fakeOps, testConfig, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const digest = 'sha256:ab12cd34ef56' + '0'.repeat(52);
const ship = (f: Fake, image: string) => deploy(f.ops, { target: t, image, ref: parseImage(image) });
const stored = (f: Fake) => (f.log.get('staging/web') ?? []).map((r) => r.description);

test('every operation writes what it changed into the record, and releases lists it', async () => {
  const f = fakeOps(testConfig({ apps: { web: { processes: { web: { port: 8080, count: { min: 2, max: 6, cpu: 60 } }, worker: { command: ['worker'], count: 1 } }, database: false } } }));
  await ship(f, `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/shop:1.4.2@${digest}`);
  await setVars(f.ops, t, { FEATURE_X: 'on', OLD_FLAG: '1' });
  await unsetVars(f.ops, t, ['OLD_FLAG']);
  await setVars(f.ops, t, { FEATURE_X: 'off' });
  await setSecret(f.ops, t, 'STRIPE_KEY', 'sk_live_do-not-print-me');
  await setSecret(f.ops, t, 'STRIPE_KEY', 'sk_live_rotated-value'); // same ARN, new version
  await unsetSecret(f.ops, t, 'STRIPE_KEY');
  await scale(f.ops, t, { counts: { worker: 2 }, ranges: { web: { min: 3, max: 8 } } });
  await scale(f.ops, t, { counts: { worker: 4 } });
  await rollback(f.ops, t, { to: 1 });
  await ship(f, 'nginx:1.27');
  expect(stored(f)).toEqual([
    'Deploy shop:1.4.2 (sha256:ab12cd34ef56…)',
    'Set FEATURE_X, OLD_FLAG',
    'Unset OLD_FLAG',
    'Set FEATURE_X',
    'Set secret STRIPE_KEY',
    'Set secret STRIPE_KEY',
    'Unset secret STRIPE_KEY',
    'Scale web=3..8 worker=2',
    'Scale worker=4',
    'Rollback to 1',
    'Deploy nginx:1.27',
  ]);
  const listed = await listReleases(f.ops, t);
  expect(listed.releases.map((r) => r.description)).toEqual([...stored(f)].reverse());
  expect(JSON.stringify(listed)).not.toMatch(/do-not-print-me|rotated-value/);
});

test('a promote says where its image came from; a deploy with --count says the counts', async () => {
  const f = fakeOps();
  await deploy(f.ops, { target: t, image: 'shop:2.0.0', ref: parseImage('shop:2.0.0') }, { promotedFrom: { env: 'qa', release: 12 }, counts: { worker: 3 } });
  expect(stored(f)).toEqual(['Promote from qa 12 (shop:2.0.0)']);
  expect(describeRelease({ image: 'shop:2.0.0', counts: { worker: 3 } })).toBe('Deploy shop:2.0.0 with worker=3');
  expect(describeRelease({ image: `registry.example.com/shop@${digest}` })).toBe('Deploy shop@sha256:ab12cd34ef56…');
});

const old = (number: number, fields: Partial<ReleaseRecord>): { number: number; record: ReleaseRecord } => ({ number, record: { app: 'web', env: 'staging', image: 'shop:1', deployedAt: 'x', deployedBy: 'y', number, ...fields } });

test('records of earlier versions get a description on read from the record below them; a stored one wins', () => {
  const page = [
    old(5, { kind: 'scale', counts: { web: 4 }, ranges: { worker: { min: 2, max: 6 } } }),
    old(4, { kind: 'vars', settings: { vars: { A: '2', C: '1' }, secrets: {} } }),
    old(3, { kind: 'vars', settings: { vars: { A: '1', B: '1' }, secrets: {} } }),
    old(2, { kind: 'secrets', settings: { vars: {}, secrets: { K: 'arn:k' } }, description: 'kept as written' }),
    old(1, { kind: 'vars', settings: { vars: { A: '1' }, secrets: {} } }),
  ];
  const d = describePage(page);
  expect([...d.values()]).toEqual(['Scale web=4 worker=2..6', 'Set A, C, unset B', 'Set A, B', 'kept as written', 'Change variables']);
  // 3 is compared with 2 (a secrets record whose snapshot holds no variables); 1 has nothing below it on the page
  expect(describeRelease(page[2].record, page[4].record)).toBe('Set B');
  expect(describeRelease(old(9, { kind: 'rollback', target: 41 }).record)).toBe('Rollback to 41');
  expect(shortImage('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/shop:1.4.2')).toBe('shop:1.4.2');
});

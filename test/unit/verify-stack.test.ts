/**
 * Rollback, scale, vars and secrets (and deploy) check the live stack before they record
 * success: a fake stack engine that answers "no changes" and leaves the stack as it was (what
 * an empty change set, or CloudFormation comparing with stale parameters, looks like) must
 * give exit 1 and no succeeded record.
 */
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { rollback } from '../../src/ops/rollback';
import { scale } from '../../src/ops/scale';
import { setSecret } from '../../src/ops/secrets';
import { setVars } from '../../src/ops/vars';
import { stackDifferences, templateDigestOf } from '../../src/ops/verify-stack';
import { TEMPLATE_DIGEST_OUTPUT } from '../../src/naming';
import { failure, fakeOps, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const ship = (f: Fake, image: string) => deploy(f.ops, { target: t, image, ref: parseImage(image) });
const log = (f: Fake) => f.log.get('staging/web') ?? [];
const currentNumber = (f: Fake) => {
  const s = f.releases.get('staging/web');
  return s?.state === 'ok' ? s.record.number : null;
};

/** From now on the stack engine says "no changes" and changes nothing. */
function ignoreUpdates(f: Fake) {
  const real = f.ops.stacks.apply;
  f.ops.stacks.apply = async (input) => {
    const s = f.stacks.get(input.stackName);
    if (!s) return real(input);
    f.calls.push('stacks.apply (ignored)');
    return { stackName: input.stackName, action: 'none', status: s.status, changed: false, changes: [], outputs: s.outputs };
  };
}

async function expectMismatch(f: Fake, p: Promise<unknown>, kind: string, what: RegExp) {
  const before = log(f).length;
  const current = currentNumber(f);
  const e = await failure(p);
  expect(e.exitCode).toBe(1);
  expect(e.code).toBe('stack-mismatch');
  expect(e.message).toMatch(/^stack acme-staging-web: does not run what was applied: /);
  expect(e.message).toMatch(what);
  expect(e.message).toMatch(/nothing is recorded as succeeded/);
  // a failed record at most, never a succeeded one; the current release is unchanged
  const added = log(f).slice(before);
  expect(added.every((r) => r.outcome === 'failed' && r.kind === kind)).toBe(true);
  expect(currentNumber(f)).toBe(current);
  expect(f.locks.size).toBe(0);
}

describe('a stack that ignores the update is reported, never recorded as a success', () => {
  test('rollback', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await ship(f, 'nginx:2');
    ignoreUpdates(f);
    await expectMismatch(f, rollback(f.ops, t), 'rollback', /parameter Image is "nginx:2" \(applied "nginx:1"\)/);
  });

  test('scale', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    ignoreUpdates(f);
    await expectMismatch(f, scale(f.ops, t, { counts: { web: 3 } }), 'scale', /parameter WebCount is "1" \(applied "3"\)/);
  });

  test('vars set (the template changes: its digest is compared)', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    ignoreUpdates(f);
    await expectMismatch(f, setVars(f.ops, t, { FOO: 'bar' }), 'vars', /template digest [0-9a-f]{12}… \(applied [0-9a-f]{12}…\)/);
    // the stored variables stay pending: the rerun tries again rather than saying nothing to do
    const again = await failure(setVars(f.ops, t, { FOO: 'bar' }));
    expect(again.code).toBe('stack-mismatch');
  });

  test('secrets set', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    ignoreUpdates(f);
    await expectMismatch(f, setSecret(f.ops, t, 'API_TOKEN', 'hunter2-value'), 'secrets', /template digest/);
  });

  test('deploy of a new image', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    ignoreUpdates(f);
    await expectMismatch(f, ship(f, 'nginx:2'), 'deploy', /parameter Image is "nginx:1" \(applied "nginx:2"\)/);
  });
});

test('templateDigestOf reads the TemplateDigest output of a JSON template', () => {
  expect(templateDigestOf(JSON.stringify({ Outputs: { [TEMPLATE_DIGEST_OUTPUT]: { Value: 'abc' } } }))).toBe('abc');
  expect(templateDigestOf('Resources: {}')).toBeUndefined();
  expect(templateDigestOf(null)).toBeUndefined();
});

test('stackDifferences: nothing when the stack runs it; each differing parameter and the digest otherwise', () => {
  const stack = { stack: { name: 's', id: 'i', status: 'UPDATE_COMPLETE', outputs: {}, parameters: { Image: 'x:1', WebCount: '1' }, tags: {} }, templateDigest: 'a'.repeat(64) };
  expect(stackDifferences(stack, { parameters: { Image: 'x:1', WebCount: '1' }, digest: 'a'.repeat(64) })).toEqual([]);
  expect(stackDifferences(stack, { parameters: { Image: 'x:1', WebCount: '1' } })).toEqual([]); // no digest known: parameters only
  expect(stackDifferences(stack, { parameters: { Image: 'x:2', WebCount: '1', New: 'v' }, digest: 'b'.repeat(64) })).toEqual([
    `template digest ${'a'.repeat(12)}… (applied ${'b'.repeat(12)}…)`,
    'parameter Image is "x:1" (applied "x:2")',
    'parameter New is missing (applied "v")',
  ]);
  expect(stackDifferences({ stack: null, templateDigest: undefined }, { parameters: {} })).toEqual(['the stack does not exist']);
});

/**
 * ECS's 64 KiB task definition quota: a variable that would push a task definition past it is
 * refused before anything is stored (vars set), and a deploy whose settings are already past it
 * stops before the lock. The size is measured on the rendered template.
 */
import { deploy } from '../../src/ops/deploy';
import { listVars, setVars } from '../../src/ops/vars';
import { setSecret } from '../../src/ops/secrets';
import { renderApp } from '../../src/plan';
import { parseImage } from '../../src/plan/inputs';
import { TASK_DEFINITION_MAX_BYTES, taskDefinitionSizes } from '../../src/plan/task-definition-size';
import { failure, fakeOps, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const ship = (f: Fake, image: string) => deploy(f.ops, { target: t, image, ref: parseImage(image) });

test('the measure follows the rendered task definitions: a value adds its bytes (JSON-escaped) to every one of them', () => {
  const f = fakeOps();
  const plain = taskDefinitionSizes(renderApp(f.ops.config, 'staging', 'web', { port: 20000 }));
  expect(plain.length).toBeGreaterThan(0);
  for (const s of plain) expect(s.bytes).toBeGreaterThan(500); // the container definition, roles, logs
  const value = 'a"b\n'.repeat(1000); // 4000 characters, 6000 bytes once JSON-escaped
  const big = taskDefinitionSizes(renderApp(f.ops.config, 'staging', 'web', { port: 20000, overlay: { vars: { BLOB: value }, secrets: {} } }));
  expect(big.map((s) => s.resource)).toEqual(plain.map((s) => s.resource));
  const entry = JSON.stringify({ Name: 'BLOB', Value: value }).length;
  big.forEach((s, i) => expect([entry, entry + 1]).toContain(s.bytes - plain[i].bytes)); // the entry, and a comma unless it is the only one
});

describe('vars set refuses a value that would push a task definition past 64 KiB', () => {
  test.each([70_000, 120_000])('%i bytes: exit 2, one line, nothing stored, no lock', async (n) => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    const before = structuredClone(f.settings.get('staging/web'));
    const releases = f.log.get('staging/web')!.length;
    f.calls.length = 0;
    const e = await failure(setVars(f.ops, t, { BLOB: 'x'.repeat(n) }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^vars set BLOB: task definition acme-staging-web-web would be [\d,]+ bytes( \(and \d+ more of the app's task definitions\))?; ECS registers at most 65,536 \(64 KiB\); keep large data out of variables/);
    expect(e.message).not.toContain('xxxx'); // the value is never repeated
    expect(e.message.split('\n')).toHaveLength(1);
    expect(f.settings.get('staging/web')).toEqual(before);
    expect(f.calls).not.toContain('store.acquireLock');
    expect(f.calls).not.toContain('store.updateSettings');
    expect(f.log.get('staging/web')).toHaveLength(releases);
    expect((await listVars(f.ops, t)).pending).toEqual({});
  });

  test('a large value that fits is stored and applied', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    const r = await setVars(f.ops, t, { BLOB: 'x'.repeat(40_000) });
    expect(r).toMatchObject({ changed: true, deployed: true, pending: false });
  });

  test('the limit counts what is already stored: a second value that tips it over is refused', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await setVars(f.ops, t, { A: 'x'.repeat(40_000) });
    const e = await failure(setVars(f.ops, t, { B: 'y'.repeat(30_000) }));
    expect(e.exitCode).toBe(2);
    expect(Object.keys(f.settings.get('staging/web')!.vars)).toEqual(['A']);
  });
});

test('a deploy whose stored variables are past the limit (stored before the check) stops before the lock: exit 2', async () => {
  const f = fakeOps();
  f.settings.set('staging/web', { version: 1, revision: 1, vars: { BLOB: 'x'.repeat(TASK_DEFINITION_MAX_BYTES) }, secrets: {} });
  f.calls.length = 0;
  const e = await failure(ship(f, 'nginx:1'));
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/^deploy web staging: task definition acme-staging-web-web would be [\d,]+ bytes( \(and \d+ more of the app's task definitions\))?; ECS registers at most 65,536 \(64 KiB\); make the app's variables smaller \("cyclops vars list web staging" shows them\)$/);
  expect(f.calls).not.toContain('store.acquireLock');
  expect(f.stacks.has('acme-staging-web')).toBe(false);
});

describe('secrets set counts the new reference (its ARN goes in the task definition, never its value)', () => {
  /** variables that leave the task definition `room` bytes under the limit */
  async function nearlyFull(room: number): Promise<Fake> {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    const now = Math.max(...taskDefinitionSizes(renderApp(f.ops.config, 'staging', 'web', { port: f.log.get('staging/web')![0].port! })).map((s) => s.bytes));
    const entry = JSON.stringify({ Name: 'FILL', Value: '' }).length + 1;
    await setVars(f.ops, t, { FILL: 'x'.repeat(TASK_DEFINITION_MAX_BYTES - now - entry - room) });
    return f;
  }

  test('a new secret that tips a task definition over: exit 2, one line, nothing stored in Secrets Manager or the settings', async () => {
    const f = await nearlyFull(50);
    const settings = structuredClone(f.settings.get('staging/web'));
    f.calls.length = 0;
    const e = await failure(setSecret(f.ops, t, 'STRIPE_KEY', 'sk_live_value'));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^secrets set STRIPE_KEY: task definition acme-staging-web-web would be [\d,]+ bytes.*; ECS registers at most 65,536 \(64 KiB\); /);
    expect(e.message).not.toContain('sk_live_value');
    expect(f.calls.filter((c) => c.startsWith('secrets.') || c === 'store.acquireLock' || c === 'store.updateSettings')).toEqual([]);
    expect(f.settings.get('staging/web')).toEqual(settings);
  });

  test('with room for its reference, the secret is stored and applied', async () => {
    const f = await nearlyFull(400);
    const r = await setSecret(f.ops, t, 'STRIPE_KEY', 'sk_live_value');
    expect(r).toMatchObject({ action: 'created', deployed: true });
  });
});

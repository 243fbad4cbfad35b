/**
 * Settings changes under the lock, over the in-memory fakes: the loser of a lock race stores
 * nothing, and every way a vars/secrets change can stop after its write (interrupted, failed,
 * killed before the record) leaves the settings pending, never "nothing to do", until the
 * natural rerun applies them with exactly one release.
 */
import { appSecretName } from '../../src/naming';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { setSecret, unsetSecret } from '../../src/ops/secrets';
import { listVars, setVars, unsetVars } from '../../src/ops/vars';
import { TEMPLATE_DIGEST_OUTPUT } from '../../src/naming';
import { failure, fakeOps, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const STACK = 'acme-staging-web';
const ship = (f: Fake, image: string) => deploy(f.ops, { target: t, image, ref: parseImage(image) });
const log = (f: Fake) => f.log.get('staging/web') ?? [];
const current = (f: Fake) => {
  const s = f.releases.get('staging/web');
  return s?.state === 'ok' ? s.record : null;
};
const infos = (f: Fake) => f.events.events.map((e) => ('message' in e ? String(e.message) : '')).join('\n');

/** The stack runs what the current release says, which carries the stored settings' revision. */
function expectApplied(f: Fake, vars: Record<string, string>) {
  const rec = current(f)!;
  expect(rec.settings?.vars).toEqual(vars);
  expect(rec.settingsRevision).toBe(f.settings.get('staging/web')!.revision);
  expect(f.stacks.get(STACK)!.outputs[TEMPLATE_DIGEST_OUTPUT]).toBe(rec.templateDigest);
  expect(f.locks.size).toBe(0);
}

/** Fail `name` once, the first time it is called after this. */
function failOnce(f: Fake, name: string, error: () => Error) {
  let armed = true;
  f.onCall(name, () => {
    if (!armed) return;
    armed = false;
    throw error();
  });
}

describe('the loser of a lock race writes nothing', () => {
  test('vars set while the app is locked: exit 3, no settings stored', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    f.locks.add('locks/staging/web.json');
    const e = await failure(setVars(f.ops, t, { FOO: 'bar' }));
    expect(e.exitCode).toBe(3);
    expect(f.settings.get('staging/web')).toBeUndefined();
    expect(f.calls).not.toContain('store.updateSettings');
  });

  test('secrets set while the app is locked: exit 3, no value reaches Secrets Manager', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    f.locks.add('locks/staging/web.json');
    const e = await failure(setSecret(f.ops, t, 'API_TOKEN', 'hunter2-value'));
    expect(e.exitCode).toBe(3);
    expect(f.secretValues.size).toBe(0);
    expect(f.calls).not.toContain('secrets.put');
  });

  test('vars unset and secrets unset while locked: exit 3, the settings as they were', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await setVars(f.ops, t, { FOO: 'bar' });
    await setSecret(f.ops, t, 'API_TOKEN', 'hunter2-value');
    const before = structuredClone(f.settings.get('staging/web'));
    f.locks.add('locks/staging/web.json');
    expect((await failure(unsetVars(f.ops, t, ['FOO']))).exitCode).toBe(3);
    expect((await failure(unsetSecret(f.ops, t, 'API_TOKEN'))).exitCode).toBe(3);
    expect(f.settings.get('staging/web')).toEqual(before);
    const id = appSecretName(t.platform, t.env, t.app, 'API_TOKEN');
    expect(f.secretValues.get(id)).toEqual(['hunter2-value']);
    expect(f.deletedSecrets.has(id)).toBe(false);
  });
});

describe('a stopped settings change converges on the natural rerun', () => {
  test('interrupted before the stack changed: exit 130, says the variables are stored but not applied; the rerun applies them', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    f.onCall('stacks.apply', () => (f.calls.filter((c) => c === 'stacks.apply').length === 2 ? f.abort.abort() : undefined));
    const e = await failure(setVars(f.ops, t, { FOO: 'bar' }));
    expect(e.exitCode).toBe(130);
    expect(e.message).toMatch(/the variables of web in staging are stored but not applied: run the same command again to apply them$/);
    expect(e.message).not.toMatch(/nothing (more )?was changed/);
    expect(f.settings.get('staging/web')!.vars).toEqual({ FOO: 'bar' });
    expect((await listVars(f.ops, t)).pending).toEqual({ FOO: 'bar' });

    // the same fakes, a fresh signal: the user runs the same command again
    const rerun = await setVars(rebind(f), t, { FOO: 'bar' });
    expect(rerun).toMatchObject({ changed: true, deployed: true, pending: false, deploy: { release: { kind: 'vars', number: 3 } } });
    // the stopped run left an interrupted record (it had asked the stack to change); the rerun the succeeded one
    expect(log(f).map((r) => `${r.kind} ${r.outcome ?? 'succeeded'}`)).toEqual(['deploy succeeded', 'vars interrupted', 'vars succeeded']);
    expect(infos(f)).not.toMatch(/already say so and run; nothing to do/);
    expect(log(f).filter((r) => r.kind === 'vars' && (r.outcome ?? 'succeeded') === 'succeeded')).toHaveLength(1);
    expectApplied(f, { FOO: 'bar' });
    expect((await listVars(f.ops, t)).pending).toEqual({});
  });

  test('stopped after the stack changed and before the release record (a kill): the rerun records exactly one vars release', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    failOnce(f, 'store.writeRelease', () => new Error('killed'));
    await expect(setVars(f.ops, t, { FOO: 'bar' })).rejects.toThrow('killed');
    // the stack already runs FOO, the record does not
    expect(current(f)!.number).toBe(1);
    const applies = f.applied.length;
    const rerun = await setVars(f.ops, t, { FOO: 'bar' });
    expect(rerun.deploy!.release).toMatchObject({ number: 2, kind: 'vars' });
    expect(f.applied.length).toBe(applies + 1); // one more apply, which found nothing to change
    expect(log(f).map((r) => r.kind)).toEqual(['deploy', 'vars']);
    expectApplied(f, { FOO: 'bar' });
    // and now it is really nothing to do
    const third = await setVars(f.ops, t, { FOO: 'bar' });
    expect(third).toMatchObject({ changed: false, deployed: false, pending: false });
    expect(log(f)).toHaveLength(2);
  });

  test('--no-deploy stores a pending revision: list shows it; a rerun without it applies it though nothing changes', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await setVars(f.ops, t, { FOO: 'bar' }, { noDeploy: true });
    expect(await listVars(f.ops, t)).toMatchObject({ vars: { FOO: 'bar' }, running: {}, pending: { FOO: 'bar' } });
    const again = await setVars(f.ops, t, { FOO: 'bar' }, { noDeploy: true });
    expect(again).toMatchObject({ changed: false, pending: true });
    const applied = await setVars(f.ops, t, { FOO: 'bar' });
    expect(applied).toMatchObject({ changed: true, deployed: true, pending: false });
    expectApplied(f, { FOO: 'bar' });
  });

  test('secrets set stopped by a failed rollout: exit 1, the rerun stores a new version and records one secrets release', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    failOnce(f, 'services.waitForRollout', () => Object.assign(new Error('rollout failed'), { exitCode: 1 }));
    await expect(setSecret(f.ops, t, 'API_TOKEN', 'hunter2-value')).rejects.toThrow('rollout failed');
    const r = await setSecret(f.ops, t, 'API_TOKEN', 'hunter2-value');
    expect(r).toMatchObject({ deployed: true, pending: false, deploy: { release: { kind: 'secrets' } } });
    expect(log(f).filter((x) => x.kind === 'secrets' && (x.outcome ?? 'succeeded') === 'succeeded')).toHaveLength(1);
    expect(current(f)!.settings?.secrets).toHaveProperty('API_TOKEN');
    expect(f.locks.size).toBe(0);
  });

  test('secrets unset stopped before the stack changed: the rerun applies it and deletes the secret', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await setSecret(f.ops, t, 'API_TOKEN', 'hunter2-value');
    failOnce(f, 'stacks.apply', () => Object.assign(new Error('throttled'), { exitCode: 1 }));
    await expect(unsetSecret(f.ops, t, 'API_TOKEN')).rejects.toThrow('throttled');
    const id = appSecretName(t.platform, t.env, t.app, 'API_TOKEN');
    expect(f.deletedSecrets.has(id)).toBe(false); // still referenced by what runs
    const r = await unsetSecret(f.ops, t, 'API_TOKEN');
    expect(r).toMatchObject({ action: 'removed', deployed: true, pending: false });
    expect(f.deletedSecrets.has(id)).toBe(true); // scheduled for deletion, restorable
    expect(current(f)!.settings?.secrets).toEqual({});
  });
});

/** The same fakes with a fresh Ctrl-C signal: the next process. */
function rebind(f: Fake) {
  const abort = new AbortController();
  f.abort = abort;
  return Object.assign(f.ops, { signal: abort.signal });
}

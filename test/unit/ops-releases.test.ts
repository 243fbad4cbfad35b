/** rollback, scale, restart, vars and secrets over in-memory fakes: target selection, records, the lock on every path, redaction. */
import { CyclopsError } from '../../src/errors';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { listReleases } from '../../src/ops/release-log';
import { restart } from '../../src/ops/restart';
import { rollback, rollbackTarget } from '../../src/ops/rollback';
import { parseCounts, scale } from '../../src/ops/scale';
import { setSecret, unsetSecret } from '../../src/ops/secrets';
import { setVars } from '../../src/ops/vars';
import type { ReleaseRecord } from '../../src/store';
import { failure, fakeOps, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const ship = (f: Fake, image: string) => deploy(f.ops, { target: t, image, ref: parseImage(image) });
const log = (f: Fake) => f.log.get('staging/web') ?? [];
/** the template body the newest release applied */
const lastTemplate = (f: Fake) => f.templates.get(log(f)[log(f).length - 1].templateUrl!)!;
const rec = (number: number, outcome?: ReleaseRecord['outcome']): ReleaseRecord => ({ app: 'web', env: 'staging', image: `img:${number}`, deployedAt: 'x', deployedBy: 'y', number, outcome });

describe('rollback target', () => {
  const logs = [rec(1), rec(2, 'failed'), rec(3), rec(4, 'interrupted'), rec(5)];
  test('default: the last succeeded release before the current one, skipping failures', () => {
    expect(rollbackTarget(logs, rec(5), undefined, t).number).toBe(3);
    expect(rollbackTarget(logs, rec(3), undefined, t).number).toBe(1);
  });
  test('--to N picks N; a failed or missing one is a usage error', () => {
    expect(rollbackTarget(logs, rec(5), 1, t).number).toBe(1);
    expect(() => rollbackTarget(logs, rec(5), 2, t)).toThrow(/release 2 failed, so it never ran/);
    expect(() => rollbackTarget(logs, rec(5), 9, t)).toThrow(/has no release 9/);
    expect(() => rollbackTarget([rec(1)], rec(1), undefined, t)).toThrow(/nothing earlier to roll back to/);
  });
});

describe('rollback', () => {
  test('re-applies the earlier release\'s stored template and parameters under the lock, and records kind rollback', async () => {
    const f = fakeOps();
    const v1 = await ship(f, 'nginx:1');
    await ship(f, 'nginx:2');
    f.calls.length = 0;
    const r = await rollback(f.ops, t);
    expect(r).toMatchObject({ from: 2, to: 1, image: 'nginx:1', note: expect.stringMatching(/migrations are not rolled back/) });
    expect(f.calls).toEqual(expect.arrayContaining(['store.acquireLock', 'stacks.apply', 'services.waitForRollout', 'store.writeRelease', 'store.releaseLock']));
    // no re-render: no template upload; the stack gets release 1's template and Image again
    expect(f.calls).not.toContain('store.pushTemplate');
    expect(f.stacks.get('acme-staging-web')!.parameters.Image).toBe('nginx:1');
    expect(log(f).map((x) => [x.number, x.kind, x.outcome, x.target])).toEqual([
      [1, 'deploy', 'succeeded', undefined],
      [2, 'deploy', 'succeeded', undefined],
      [3, 'rollback', 'succeeded', 1],
    ]);
    expect(log(f)[2].templateKey).toBe(v1.release!.templateKey);
    expect(f.events.of('warning').map((w) => w.message)).toContainEqual(expect.stringMatching(/database migrations are not rolled back/));
    expect(f.locks.size).toBe(0);
  });

  test('to the current release: a no-op, nothing written', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await ship(f, 'nginx:2');
    f.calls.length = 0;
    const r = await rollback(f.ops, t, { to: 2 });
    expect(r.changed).toBe(false);
    expect(f.calls).not.toContain('store.acquireLock');
    expect(f.calls).not.toContain('store.writeRelease');
  });

  test('a template that is gone: exit 2, nothing written', async () => {
    const f = fakeOps();
    const v1 = await ship(f, 'nginx:1');
    await ship(f, 'nginx:2');
    f.missingObjects.add(v1.release!.templateKey!);
    f.calls.length = 0;
    const e = await failure(rollback(f.ops, t));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/the template of release 1 \(s3:\/\/acme-config\/templates\/app\/staging\/web\/[0-9a-f]+\.json\) is gone/);
    expect(f.calls).not.toContain('store.acquireLock');
  });

  test('a failed rollback is recorded as failed, the error stands, and the lock is released', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await ship(f, 'nginx:2');
    f.onCall('stacks.apply', () => {
      throw new CyclopsError('stack acme-staging-web: update failed', { code: 'stack-failed' });
    });
    const e = await failure(rollback(f.ops, t));
    expect(e.code).toBe('stack-failed');
    expect(log(f)[2]).toMatchObject({ number: 3, kind: 'rollback', outcome: 'failed', target: 1 });
    expect(f.releases.get('staging/web')).toMatchObject({ record: { number: 2 } });
    expect(f.locks.size).toBe(0);
  });

  test('Ctrl-C during the rollout: exit 130, an interrupted record, the lock released', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await ship(f, 'nginx:2');
    f.onCall('services.waitForRollout', () => {
      f.abort.abort();
      throw new CyclopsError('interrupted while waiting', { exitCode: 130 });
    });
    const e = await failure(rollback(f.ops, t));
    expect(e.exitCode).toBe(130);
    expect(log(f)[2]).toMatchObject({ kind: 'rollback', outcome: 'interrupted' });
    expect(f.locks.size).toBe(0);
  });
});

describe('scale', () => {
  test('changes only the counts, keeps them across deploys, and --reset goes back to config', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    f.calls.length = 0;
    const r = await scale(f.ops, t, { counts: { web: 3 } });
    expect(r).toMatchObject({ counts: { web: 3, worker: 1 }, previous: { web: 1, worker: 1 }, changed: true, release: { number: 2, kind: 'scale', counts: { web: 3 } } });
    expect(f.calls).not.toContain('store.pushTemplate');
    expect(f.stacks.get('acme-staging-web')!.parameters).toMatchObject({ Image: 'nginx:1', WebCount: '3' });
    await ship(f, 'nginx:2');
    expect(f.stacks.get('acme-staging-web')!.parameters).toMatchObject({ Image: 'nginx:2', WebCount: '3' });
    const reset = await scale(f.ops, t, { counts: {}, reset: true });
    expect(reset.counts).toEqual({ web: 1, worker: 1 });
    expect(reset.release!.counts).toBeUndefined();
    await ship(f, 'nginx:3');
    expect(f.stacks.get('acme-staging-web')!.parameters.WebCount).toBe('1');
    expect(f.locks.size).toBe(0);
  });

  test.each([
    [{ db: 1 }, /has no db process/],
    [{ web: 101 }, /not a valid task count; use a whole number from 0 to 100/],
    [{ web: -1 }, /not a valid task count/],
  ])('bad counts %j: exit 2 before any call', async (counts, msg) => {
    const f = fakeOps();
    const e = await failure(scale(f.ops, t, { counts }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(msg);
    expect(f.calls).toEqual([]);
  });

  test('a cron has no count; malformed arguments are one line', async () => {
    const { testConfig } = await import('./fakes/ops');
    const f = fakeOps(testConfig({ apps: { web: { processes: { web: { port: 8080 }, cron: { command: ['x'], schedule: 'rate(1 hour)' } }, database: false } } }));
    expect((await failure(scale(f.ops, t, { counts: { cron: 1 } }))).message).toMatch(/cron=1: web's cron is a cron process: it runs on its schedule and has no task count; scale web$/);
    expect(() => parseCounts(['web:3'])).toThrow(/scale web:3: not a process count; use PROCESS=N/);
  });

  test('an app without a release: exit 2', async () => {
    const e = await failure(scale(fakeOps().ops, t, { counts: { web: 2 } }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/has no release in staging; deploy it first/);
  });
});

describe('restart', () => {
  test('a new deployment of the current release, waited for; no record; the lock released', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    f.calls.length = 0;
    const r = await restart(f.ops, t, { process: 'worker' });
    expect(r.restarted).toEqual(['web-worker']);
    expect(f.calls).toEqual(['store.readRelease', 'store.acquireLock', 'services.restart', 'services.waitForRollout', 'store.releaseLock']);
    expect((await failure(restart(f.ops, t, { process: 'db' }))).exitCode).toBe(2);
  });
});

describe('vars', () => {
  test('set re-applies the current image with the variable and records kind vars', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    const r = await setVars(f.ops, t, { FOO: 'bar' });
    expect(r).toMatchObject({ changed: true, deployed: true, vars: { FOO: 'bar' }, deploy: { release: { number: 2, kind: 'vars', image: 'nginx:1' } } });
    const body = lastTemplate(f);
    expect(body).toMatch(/"Name": "FOO",\s*"Value": "bar"/);
  });

  test.each([
    ['DATABASE_URL', /is set by cyclops itself/],
    ['PGHOST', /is set by cyclops itself/],
    ['PORT', /is set by cyclops itself/],
    ['REDIS_URL', /is set by cyclops itself/],
    ['1ABC', /not a valid environment variable name/],
    ['API_TOKEN', /looks like a secret; store it with "cyclops secrets set web staging API_TOKEN"/],
    ['STRIPE_KEY', /looks like a secret/],
  ])('%s is refused (exit 2, nothing stored)', async (name, msg) => {
    const f = fakeOps();
    const e = await failure(setVars(f.ops, t, { [name]: 'x' }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(msg);
    expect(f.calls).not.toContain('store.updateSettings');
  });

  test('--plain allows a secret-looking name; --no-deploy only stores', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    f.calls.length = 0;
    const r = await setVars(f.ops, t, { PUBLIC_KEY: 'abc' }, { plain: true, noDeploy: true });
    expect(r).toMatchObject({ changed: true, deployed: false });
    expect(f.calls).toEqual(['store.updateSettings']);
  });
});

describe('secrets', () => {
  test('set: the value goes to Secrets Manager only; the template gets the ARN; a new value restarts', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    const value = 'hunter2-very-secret';
    const r = await setSecret(f.ops, t, 'API_TOKEN', value);
    expect(r).toMatchObject({ action: 'created', deployed: true, deploy: { release: { number: 2, kind: 'secrets' } } });
    expect(f.secretValues.get('cyclops/staging/web/API_TOKEN')).toEqual([value]);
    const body = lastTemplate(f);
    expect(body).toContain('"ValueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cyclops/staging/web/API_TOKEN-AbCdEf"');
    f.calls.length = 0;
    const again = await setSecret(f.ops, t, 'API_TOKEN', 'another-value-2');
    expect(again.action).toBe('updated');
    expect(f.calls).toContain('services.restart');
    expect(again.deploy!.release).toMatchObject({ number: 3, kind: 'secrets' });
    // never in a template, a record, an event or the result
    const everything = JSON.stringify([...f.templates.values(), log(f), f.events.events, r, again, [...f.settings.values()]]);
    expect(everything).not.toContain(value);
    expect(everything).not.toContain('another-value-2');
  });

  test('unset: the template stops referencing it, then it is deleted', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await setSecret(f.ops, t, 'API_TOKEN', 'hunter2-very-secret');
    f.calls.length = 0;
    const r = await unsetSecret(f.ops, t, 'API_TOKEN');
    expect(r.action).toBe('removed');
    expect(f.calls.indexOf('stacks.apply')).toBeLessThan(f.calls.indexOf('secrets.remove'));
    expect(lastTemplate(f)).not.toContain('API_TOKEN');
  });
});

test('releases: newest first, the current one marked', async () => {
  const f = fakeOps();
  await ship(f, 'nginx:1');
  f.onCall('stacks.apply', () => {
    if (f.calls.filter((c) => c === 'stacks.apply').length === 2) throw new CyclopsError('boom', { code: 'stack-failed' });
  });
  await failure(ship(f, 'nginx:2'));
  const r = await listReleases(f.ops, t);
  expect(r.releases.map((x) => [x.number, x.image, x.outcome, x.current])).toEqual([
    [2, 'nginx:2', 'failed', false],
    [1, 'nginx:1', 'succeeded', true],
  ]);
  expect(r.releases[0].reason).toBe('boom');
});

/** rollback, scale, restart, vars and secrets over in-memory fakes: target selection, records, the lock on every path, redaction. */
import { CyclopsError } from '../../src/errors';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { listReleases } from '../../src/ops/release-log';
import { restart } from '../../src/ops/restart';
import { rollback, rollbackTarget } from '../../src/ops/rollback';
import { parseCounts, scale } from '../../src/ops/scale';
import { restoreAppSecret, setSecret, unsetSecret } from '../../src/ops/secrets';
import { setVars } from '../../src/ops/vars';
import type { ReleaseRecord } from '../../src/store';
import { failure, fakeOps, secretArn, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const ship = (f: Fake, image: string) => deploy(f.ops, { target: t, image, ref: parseImage(image) });
const log = (f: Fake) => f.log.get('staging/web') ?? [];
/** the template body the newest release applied */
const lastTemplate = (f: Fake) => f.templates.get(log(f)[log(f).length - 1].templateUrl!)!;
const rec = (number: number, outcome?: ReleaseRecord['outcome']): ReleaseRecord => ({ app: 'web', env: 'staging', image: `img:${number}`, deployedAt: 'x', deployedBy: 'y', number, outcome });

describe('rollback target', () => {
  const logs = [rec(1), rec(2, 'failed'), rec(3), rec(4, 'interrupted'), rec(5)];
  /** A lookup over `logs` that records which numbers were read. */
  const reader = (records: ReleaseRecord[] = logs) => {
    const read: number[] = [];
    const lookup = async (n: number) => {
      read.push(n);
      const record = records.find((r) => r.number === n);
      return record ? { record } : null;
    };
    return { read, lookup };
  };
  test('default: the pointer\'s previous release, one read whatever the log holds', async () => {
    const r = reader();
    expect((await rollbackTarget(r.lookup, rec(5), 3, undefined, t)).number).toBe(3);
    expect(r.read).toEqual([3]);
  });
  test('a pointer without previous (an earlier version wrote it): read back to the last succeeded release, skipping failures', async () => {
    const r = reader();
    expect((await rollbackTarget(r.lookup, rec(5), undefined, undefined, t)).number).toBe(3);
    expect(r.read).toEqual([4, 3]);
    expect((await rollbackTarget(reader().lookup, rec(3), undefined, undefined, t)).number).toBe(1);
  });
  test('--to N reads only N; a failed, unreadable or missing one is a usage error', async () => {
    const r = reader();
    expect((await rollbackTarget(r.lookup, rec(5), 3, 1, t)).number).toBe(1);
    expect(r.read).toEqual([1]);
    await expect(rollbackTarget(r.lookup, rec(5), 3, 2, t)).rejects.toThrow(/release 2 failed, so it never ran/);
    await expect(rollbackTarget(r.lookup, rec(5), 3, 9, t)).rejects.toThrow(/has no release 9/);
    await expect(rollbackTarget(async () => ({ problem: 'not JSON' }), rec(5), 3, 4, t)).rejects.toThrow(/the record of release 4 is unreadable \(not JSON\)/);
    await expect(rollbackTarget(reader([rec(1)]).lookup, rec(1), undefined, undefined, t)).rejects.toThrow(/nothing earlier to roll back to/);
  });
});

describe('rollback', () => {
  test('reads the current release and the one record it goes back to, never the log', async () => {
    const f = fakeOps();
    for (const v of [1, 2, 3, 4]) await ship(f, `nginx:${v}`);
    f.calls.length = 0;
    const r = await rollback(f.ops, t, { dryRun: true });
    expect(r).toMatchObject({ from: 4, to: 3, dryRun: true });
    expect(f.calls.filter((c) => c.startsWith('store.'))).toEqual(['store.readRelease', 'store.releaseRecord', 'store.objectExists']);
    f.pointerWithoutPrevious = true;
    f.calls.length = 0;
    expect(await rollback(f.ops, t, { dryRun: true, to: 1 })).toMatchObject({ from: 4, to: 1 });
    expect(f.calls.filter((c) => c === 'store.releaseRecord' || c === 'store.listReleases')).toEqual(['store.releaseRecord']);
  });

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
    expect(r).toMatchObject({ changed: true, deployed: false, pending: true });
    // read, then the write under the lock, then the pending check; no stack call
    expect(f.calls).toEqual(['store.readSettings', 'store.readRelease', 'store.acquireLock', 'store.updateSettings', 'store.readRelease', 'store.releaseLock']);
  });
});

describe('secrets', () => {
  test('set: the value goes to Secrets Manager only; the template gets the ARN; a new value restarts', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    const value = 'hunter2-very-secret';
    const r = await setSecret(f.ops, t, 'API_TOKEN', value);
    expect(r).toMatchObject({ action: 'created', deployed: true, deploy: { release: { number: 2, kind: 'secrets' } } });
    expect(f.secretValues.get('cyclops/acme/staging/web/API_TOKEN')).toEqual([value]);
    const body = lastTemplate(f);
    expect(body).toContain('"ValueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cyclops/acme/staging/web/API_TOKEN-AbCdEf"');
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

  test('unset: the template stops referencing it, then it is scheduled for deletion (7 days unless told); restore brings it back', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await setSecret(f.ops, t, 'API_TOKEN', 'hunter2-very-secret');
    f.calls.length = 0;
    const r = await unsetSecret(f.ops, t, 'API_TOKEN');
    expect(r.action).toBe('removed');
    expect(f.calls.indexOf('stacks.apply')).toBeLessThan(f.calls.indexOf('secrets.remove'));
    expect(lastTemplate(f)).not.toContain('API_TOKEN');
    expect(f.deletedSecrets.get('cyclops/acme/staging/web/API_TOKEN')).toBe(7);
    expect(f.secretValues.get('cyclops/acme/staging/web/API_TOKEN')).toEqual(['hunter2-very-secret']); // not gone: recoverable
    const back = await restoreAppSecret(f.ops, t, 'API_TOKEN');
    expect(back).toMatchObject({ action: 'restored', arn: secretArn('cyclops/acme/staging/web/API_TOKEN'), deployed: true });
    expect(f.deletedSecrets.size).toBe(0);
    expect(lastTemplate(f)).toContain(`"ValueFrom": "${secretArn('cyclops/acme/staging/web/API_TOKEN')}"`);
    expect((await restoreAppSecret(f.ops, t, 'API_TOKEN')).action).toBe('none');
    await unsetSecret(f.ops, t, 'API_TOKEN', { recoveryDays: 30 });
    expect(f.deletedSecrets.get('cyclops/acme/staging/web/API_TOKEN')).toBe(30);
  });

  test('unset --recovery-days outside 7-30 and restore of a secret that never was: exit 2, nothing touched', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await setSecret(f.ops, t, 'API_TOKEN', 'hunter2-very-secret');
    f.calls.length = 0;
    for (const days of [6, 31, 7.5]) await expect(unsetSecret(f.ops, t, 'API_TOKEN', { recoveryDays: days })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('--recovery-days') });
    expect(f.calls).toEqual([]);
    await expect(restoreAppSecret(f.ops, t, 'NEVER_SET')).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('there is none to restore') });
    expect(f.calls.filter((c) => c !== 'secrets.restore' && c !== 'store.readSettings')).toEqual([]);
  });

  test('a secret stored before platform namespaces moves on its next set: the new one is injected, then the old one is retired (only when this platform tagged it)', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    const legacy = 'cyclops/staging/web/API_TOKEN';
    f.secretValues.set(legacy, ['old-value']);
    await f.ops.store.updateSettings('staging', 'web', (s) => ({ ...s, secrets: { ...s.secrets, API_TOKEN: { arn: secretArn(legacy), updatedAt: '2026-01-01T00:00:00Z' } } }));
    f.calls.length = 0;
    const r = await setSecret(f.ops, t, 'API_TOKEN', 'new-value');
    expect(r.arn).toBe(secretArn('cyclops/acme/staging/web/API_TOKEN'));
    expect(f.calls.indexOf('stacks.apply')).toBeLessThan(f.calls.indexOf('secrets.remove')); // never a task on a deleted ARN
    expect(f.deletedSecrets.get(legacy)).toBe(7);
    expect(f.secretValues.get(legacy)).toEqual(['old-value']); // recoverable
    // another platform's legacy secret of the same name is never retired
    const g = fakeOps();
    await ship(g, 'nginx:1');
    g.secretValues.set(legacy, ['theirs']);
    g.foreignSecrets.add(legacy);
    await g.ops.store.updateSettings('staging', 'web', (s) => ({ ...s, secrets: { ...s.secrets, API_TOKEN: { arn: secretArn(legacy), updatedAt: '2026-01-01T00:00:00Z' } } }));
    await setSecret(g.ops, t, 'API_TOKEN', 'new-value');
    expect(g.deletedSecrets.size).toBe(0);
    expect(g.events.events.map((e) => JSON.stringify(e)).join('\n')).toContain('not tagged with this platform');
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

describe('a corrupt release record is "unreadable", never "no release N"', () => {
  /** The log's record `n` no longer parses (as the store reports it: a problem, not a missing record). */
  const corrupt = (f: Fake, n: number) => {
    const real = f.ops.store.releaseRecord;
    f.ops.store.releaseRecord = async (env, app, k) => (k === n ? { problem: 'not JSON (Unexpected token < in JSON at position 0)' } : real(env, app, k));
  };

  test('rollback --to N: exit 2 naming the record unreadable, nothing locked or applied', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await ship(f, 'nginx:2');
    corrupt(f, 1);
    const before = log(f).length;
    f.calls.length = 0;
    const e = await failure(rollback(f.ops, t, { to: 1 }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('rollback --to 1: the record of release 1 is unreadable (not JSON (Unexpected token < in JSON at position 0)); pick another from "cyclops releases web staging"');
    expect(e.message).not.toMatch(/no release 1/);
    expect(f.calls).not.toContain('store.acquireLock');
    expect(log(f)).toHaveLength(before);
  });

  test('promote --release N: the same word', async () => {
    const { promoteSource } = await import('../../src/ops/promote');
    const f = fakeOps();
    await ship(f, 'nginx:1');
    corrupt(f, 1);
    const e = await failure(promoteSource(f.ops, t, 1));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^promote --release 1: the record of release 1 of web in staging is unreadable \(not JSON/);
  });
});

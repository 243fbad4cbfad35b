/** deploy over in-memory fakes: ordering, decide-before-write, skip-deploy, reconcile, Ctrl-C and lease loss. */
import { CyclopsError } from '../../src/errors';
import { TEMPLATE_DIGEST_OUTPUT } from '../../src/naming';
import { deploy, type DeployOptions } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { deployTarget } from '../../src/plan/target';
import { fakeOps, svc, testConfig, type Fake } from './fakes/ops';
import { failure } from './fakes/ops';

const target = { platform: 'acme', env: 'staging', app: 'web' };
const run = (f: Fake, image = 'nginx:1.27', opts: DeployOptions = {}) => deploy(f.ops, { target, image, ref: parseImage(image) }, opts);
const corrupt = (problem: string, versionId: string, image: string, number: number) => ({
  state: 'corrupt' as const,
  bucket: 'acme-config',
  key: 'releases/staging/web.json',
  problem,
  lastGood: { versionId, record: { app: 'web', env: 'staging', image, deployedAt: 'x', deployedBy: 'y', number } },
});
const writes = (f: Fake) => f.calls.filter((c) => /acquireLock|allocatePort|pushTemplate|apply|writeRelease|ensure/.test(c));


describe('deploy', () => {
  test('a first deploy: read, plan, lock, re-check, write, live template checked, wait, record, unlock, in that order; the stack is read twice, not three times', async () => {
    const f = fakeOps();
    const r = await run(f);
    expect(f.calls).toEqual([
      // 1 read (in parallel), and ports.json because this deploy takes its first port
      'store.readRelease',
      'stacks.describe',
      'store.readSettings',
      'stacks.envOutputs',
      'store.readPorts',
      // 3 lock, 4 re-check under it
      'store.acquireLock',
      'store.readRelease',
      'stacks.describe',
      // 5 write
      'store.allocatePort',
      'logGroups.ensure',
      'store.pushTemplate',
      'stacks.apply',
      // the live template's digest is checked (the settled stack came back with apply)
      'stacks.template',
      // 6 wait, 7 record
      'services.waitForRollout',
      'store.writeRelease',
      'store.releaseLock',
    ]);
    expect(r).toMatchObject({ changed: true, action: 'create', port: 20000, skipped: false, release: { number: 1, image: 'nginx:1.27', port: 20000 } });
    const stack = f.stacks.get('acme-staging-web')!;
    expect(r.release!.templateDigest).toBe(stack.outputs[TEMPLATE_DIGEST_OUTPUT]);
    expect(r.release!.stackUpdatedAt).toBe(stack.lastUpdated!.toISOString());
    expect(f.locks.size).toBe(0);
  });

  test('an unchanged redeploy takes the fast path: three reads, the lock, the re-check, the rollout check', async () => {
    const f = fakeOps();
    await run(f);
    f.calls.length = 0;
    const r = await run(f);
    // no settings (the record carries the newest), no env outputs, no ports.json, no template, no stack write
    expect(f.calls).toEqual([
      'store.readRelease',
      'stacks.describe',
      'store.acquireLock',
      'store.readRelease',
      'stacks.describe',
      'services.waitForRollout',
      'store.releaseLock',
    ]);
    expect(r).toMatchObject({ changed: false, action: 'none', skipped: true, release: { number: 1 } });
  });

  test('the fast path still waits for an unfinished rollout, and --no-wait reports it instead of a false success', async () => {
    const f = fakeOps();
    await run(f);
    f.services.set('web-web', svc('web-web', 'IN_PROGRESS', 0, 1));
    f.calls.length = 0;
    const r = await run(f, 'nginx:1.27', { wait: false });
    expect(f.calls).toContain('services.describe');
    expect(r.services).toContainEqual(expect.objectContaining({ name: 'web-web', rollout: 'IN_PROGRESS' }));
    expect(f.events.coded('deploy.rollout.not-waiting').map((e) => e.data)).toEqual([{ services: [{ name: 'web-web', rollout: 'IN_PROGRESS', running: 0, desired: 1 }] }]);
  });

  test('a stale TemplateDigest output can only send the deploy down the full path', async () => {
    const f = fakeOps();
    await run(f);
    f.stacks.get('acme-staging-web')!.outputs[TEMPLATE_DIGEST_OUTPUT] = 'stale';
    f.calls.length = 0;
    const r = await run(f);
    expect(f.calls).toContain('stacks.apply');
    expect(r.skipped).toBe(false);
  });

  test('one witness for the skip: a stack updated since its record with the same template and parameters is skipped', async () => {
    const f = fakeOps();
    await run(f);
    // An update outside cyclops that changed nothing cyclops renders (a tag, a stack policy).
    f.stacks.get('acme-staging-web')!.lastUpdated = new Date(Date.parse('2031-01-01T00:00:00Z'));
    f.calls.length = 0;
    expect((await run(f)).skipped).toBe(true);
    expect(f.calls).not.toContain('stacks.apply');
    // ...while changed parameters on the stack (someone scaled it by hand) are not.
    f.stacks.get('acme-staging-web')!.parameters.WebCount = '5';
    f.calls.length = 0;
    expect((await run(f)).skipped).toBe(false);
    expect(f.stacks.get('acme-staging-web')!.parameters.WebCount).toBe('1');
  });

  test('something moved between the reads and the lock: read and plan again under the one lock, never unlock and lock again', async () => {
    const f = fakeOps();
    await run(f);
    // A vars change lands while this deploy waits for the lock.
    f.onCall('store.acquireLock', async () => {
      if (f.settings.get('staging/web')?.revision) return;
      await f.ops.store.updateSettings('staging', 'web', (s) => ({ ...s, vars: { FOO: 'bar' } }));
      const cur = f.releases.get('staging/web')!;
      f.releases.set('staging/web', { ...cur, settingsRevision: 1 } as typeof cur);
    });
    f.calls.length = 0;
    const r = await run(f);
    expect(f.calls.filter((c) => c === 'store.acquireLock')).toHaveLength(1);
    // the settings were read again under the lock (before it, the record carried the newest)
    expect(f.calls.indexOf('store.readSettings')).toBeGreaterThan(f.calls.indexOf('store.acquireLock'));
    expect(r.skipped).toBe(false);
    expect(r.release).toMatchObject({ number: 2, settings: { vars: { FOO: 'bar' } }, settingsRevision: 1 });
  });

  test('reconcile: the stack runs what was asked but no release says so → the record is written', async () => {
    const f = fakeOps();
    await run(f);
    f.releases.clear(); // a deploy killed just before its release write
    f.log.clear();
    f.calls.length = 0;
    const r = await run(f);
    expect(r.changed).toBe(false);
    expect(f.calls).toContain('store.writeRelease');
    expect(r.release).toMatchObject({ number: 1, image: 'nginx:1.27' });
    expect(f.events.coded('deploy.release.reconciling').map((e) => e.data)).toEqual([{ stack: 'acme-staging-web', image: 'nginx:1.27' }]);
    // and the next redeploy is a plain no-op on the fast path
    f.calls.length = 0;
    expect((await run(f)).skipped).toBe(true);
  });

  test('a dry run takes no lock and allocates nothing', async () => {
    const f = fakeOps();
    const r = await run(f, 'nginx:1.27', { dryRun: true });
    expect(r.action).toBe('dry-run');
    expect(f.calls).not.toContain('store.acquireLock');
    expect(f.calls).not.toContain('store.allocatePort');
    expect(f.calls).not.toContain('store.writeRelease');
    expect(f.ports).toBeNull();
  });

  test('a failed stack is recorded as failed (the original error stands) and releases the lock', async () => {
    const f = fakeOps();
    f.onCall('stacks.apply', () => {
      throw new CyclopsError('stack acme-staging-web: create failed', { code: 'stack-failed' });
    });
    const e = await failure(run(f));
    expect(e.code).toBe('stack-failed');
    expect(f.log.get('staging/web')).toEqual([
      expect.objectContaining({ number: 1, kind: 'deploy', outcome: 'failed', reason: 'stack acme-staging-web: create failed', image: 'nginx:1.27' }),
    ]);
    // a failure never becomes the current release
    expect(f.releases.get('staging/web')).toBeUndefined();
    expect(f.calls[f.calls.length - 1]).toBe('store.releaseLock');
    expect(f.locks.size).toBe(0);
  });

  test.each([
    ['store.allocatePort', ['stacks.apply', 'store.pushTemplate', 'store.writeRelease']],
    ['store.pushTemplate', ['stacks.apply', 'store.writeRelease']],
  ])('Ctrl-C at %s (before the stack is touched): exit 130, no release, the lock is released, and nothing after it runs', async (step, notCalled) => {
    const f = fakeOps();
    f.onCall(step, () => f.abort.abort());
    const e = await failure(run(f));
    expect(e.exitCode).toBe(130);
    for (const c of notCalled) expect(f.calls).not.toContain(c);
    expect(f.calls[f.calls.length - 1]).toBe('store.releaseLock');
    expect(f.locks.size).toBe(0);
  });

  test.each(['stacks.apply', 'services.waitForRollout'])('Ctrl-C at %s (the stack was touched): exit 130, an interrupted release, the lock released', async (step) => {
    const f = fakeOps();
    f.onCall(step, () => f.abort.abort());
    const e = await failure(run(f));
    expect(e.exitCode).toBe(130);
    expect(f.log.get('staging/web')).toEqual([expect.objectContaining({ number: 1, outcome: 'interrupted' })]);
    expect(f.releases.get('staging/web')).toBeUndefined();
    expect(f.calls[f.calls.length - 1]).toBe('store.releaseLock');
    expect(f.locks.size).toBe(0);
  });

  test('a lost lease stops the deploy before its next write', async () => {
    const f = fakeOps();
    f.onCall('store.allocatePort', () => f.lease.abort());
    const e = await failure(run(f));
    expect(e.code).toBe('lock-lost');
    expect(f.calls).not.toContain('store.pushTemplate');
    expect(f.calls).not.toContain('stacks.apply');
    expect(f.locks.size).toBe(0);
  });

  describe('decides before the first write (exit 2, no lock, no port)', () => {
    test('missing database credentials', async () => {
      const config = testConfig({
        environments: {
          staging: {
            dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' },
            database: { type: 'external', host: 'db', port: 5432, adminUser: 'admin', adminPasswordEnv: 'CYCLOPS_TEST_UNSET_PW', runner: 'direct' },
          },
        },
        apps: {},
      });
      const f = fakeOps(config);
      const { checkCredentials } = await import('../../src/database');
      f.ops.database.preflight = async (env, app, runner) => checkCredentials(config, env, app, runner);
      const e = await failure(run(f));
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(/admin password variable CYCLOPS_TEST_UNSET_PW is not set/);
      expect(writes(f)).toEqual([]);
    });

    test('no env stack and no bucket: run bootstrap first', async () => {
      const f = fakeOps();
      f.stacks.delete('acme-staging');
      f.ops.store.bucketRegion = async () => null;
      const e = await failure(run(f));
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(/no config bucket acme-config yet; run "cyclops bootstrap" first/);
      expect(writes(f)).toEqual([]);
    });

    test('no env stack, the bucket in another region: names the region', async () => {
      const f = fakeOps();
      f.stacks.delete('acme-staging');
      f.ops.store.bucketRegion = async () => 'us-east-2';
      const e = await failure(run(f));
      expect(e.message).toMatch(/not in eu-west-1, and the config bucket acme-config is in us-east-2; pass --region us-east-2/);
      expect(writes(f)).toEqual([]);
    });

    test('no env stack: run env create', async () => {
      const f = fakeOps();
      f.stacks.delete('acme-staging');
      const e = await failure(run(f));
      expect(e.message).toMatch(/stack acme-staging does not exist; run "cyclops env create staging" first/);
      expect(writes(f)).toEqual([]);
    });

    test('a corrupt release record and no stack to prove what runs: the restore command, nothing written', async () => {
      const f = fakeOps();
      f.releases.set('staging/web', corrupt('not JSON', 'v42', 'nginx:1.26', 3));
      const e = await failure(run(f));
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(/aws s3api copy-object --bucket acme-config --key releases\/staging\/web.json --copy-source 'acme-config\/releases\/staging\/web.json\?versionId=v42'/);
      expect(writes(f)).toEqual([]);
    });

    test('a stack whose tags name another app', async () => {
      const f = fakeOps();
      await run(f, 'nginx:1.27');
      f.stacks.get('acme-staging-web')!.tags['cyclops:app'] = 'other';
      f.calls.length = 0;
      const e = await failure(run(f, 'nginx:1.28'));
      expect(e.message).toMatch(/is not web in staging \(its cyclops tags say app "other"/);
      expect(writes(f)).toEqual([]);
    });
  });

  test('a corrupt record is replaced when the stack proves what is deployed, numbering on from the last good one', async () => {
    const f = fakeOps();
    await run(f, 'nginx:1.27');
    f.releases.set('staging/web', corrupt('image: expected string', 'v1', 'nginx:1.27', 1));
    const r = await run(f, 'nginx:1.28');
    expect(r.release).toMatchObject({ number: 2, image: 'nginx:1.28' });
    expect(f.releases.get('staging/web')).toMatchObject({ state: 'ok' });
    expect(f.events.of('warning').map((w) => w.message).join('\n')).toMatch(/is not a valid release record \(image: expected string\); this deploy replaces it/);
  });

  test('a rollout the circuit breaker rolled back is recorded as rolled-back; the previous release stays current', async () => {
    const f = fakeOps();
    await run(f, 'nginx:1.27');
    f.onCall('services.waitForRollout', () => {
      throw new CyclopsError('service web-web: the deployment failed and the circuit breaker rolled it back (x)', { code: 'rollout-failed' });
    });
    const e = await failure(run(f, 'nginx:1.28'));
    expect(e.code).toBe('rollout-failed');
    expect(f.log.get('staging/web')!.map((r) => [r.number, r.image, r.outcome])).toEqual([
      [1, 'nginx:1.27', 'succeeded'],
      [2, 'nginx:1.28', 'rolled-back'],
    ]);
    expect(f.releases.get('staging/web')).toMatchObject({ record: { number: 1 } });
    expect(f.locks.size).toBe(0);
  });

  test('a release record that cannot be written does not hide the deploy error', async () => {
    const f = fakeOps();
    f.onCall('stacks.apply', () => {
      throw new CyclopsError('stack acme-staging-web: create failed', { code: 'stack-failed' });
    });
    f.onCall('store.writeRelease', () => {
      throw new Error('S3 is down');
    });
    const e = await failure(run(f));
    expect(e.code).toBe('stack-failed');
    expect(f.events.of('warning').map((w) => w.message).join('\n')).toMatch(/could not record the failed release of web in staging: S3 is down/);
    expect(f.locks.size).toBe(0);
  });

  test('--count for a process the app does not have, or a cron: exit 2 from the plan, before the lock and any write', async () => {
    const f = fakeOps(testConfig({ apps: { web: { processes: { web: { port: 8080 } }, database: false } } }));
    const e = await failure(run(f, 'nginx:1.27', { counts: { worker: 2 } }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/worker=2: web has no worker process \(it has web\)/);
    expect(writes(f)).toEqual([]);
  });

  test('counts set by --count (or scale) are kept by later deploys; a drift from config is one line', async () => {
    const f = fakeOps();
    await run(f, 'nginx:1.27', { counts: { web: 3 } });
    const r = await run(f, 'nginx:1.28');
    expect(r.release).toMatchObject({ number: 2, counts: { web: 3 }, parameters: { WebCount: '3', WorkerCount: '1' } });
    expect(f.events.coded('deploy.counts.drift').at(-1)?.data).toEqual({ counts: { web: 3 } });
  });

  test('a vars change since the current release is never skipped, and the next deploy renders it', async () => {
    const f = fakeOps();
    await run(f, 'nginx:1.27');
    await f.ops.store.updateSettings('staging', 'web', (s) => ({ ...s, vars: { FOO: 'bar' } }));
    f.calls.length = 0;
    const r = await run(f, 'nginx:1.27');
    expect(r.skipped).toBe(false);
    expect(f.calls).toContain('stacks.apply');
    expect(r.release).toMatchObject({ number: 2, settings: { vars: { FOO: 'bar' } }, settingsRevision: 1 });
    const body = [...f.templates.values()].find((b) => b.includes('"FOO"'));
    expect(body).toBeDefined();
    // and then it is up to date: the fast path again
    expect((await run(f, 'nginx:1.27')).skipped).toBe(true);
  });

  test(':latest gives one warning line', async () => {
    const f = fakeOps();
    await run(f, 'nginx:latest');
    expect(f.events.coded('deploy.image.mutable-tag').map((e) => [e.type, e.data])).toEqual([['warning', { image: 'nginx:latest', tag: 'latest' }]]);
  });
});

describe('deploy target', () => {
  const config = testConfig();
  test('swapped arguments name the one that looks like an image', () => {
    expect(() => deployTarget(config, 'web', 'registry/web:1.0', 'staging')).toThrow(/"registry\/web:1.0" looks like an image and "web" like an app name; the image comes first/);
  });
  test('an unknown env offers the closest one', () => {
    expect(() => deployTarget(config, 'nginx:1', 'web', 'stagin')).toThrow(/environment "stagin": not in config.json; did you mean staging\?/);
  });
});

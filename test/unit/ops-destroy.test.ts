/** destroy, ports release, env delete and status over in-memory fakes. */
import { CyclopsError } from '../../src/errors';
import { appStatus, destroyApp } from '../../src/ops/apps';
import { deploy } from '../../src/ops/deploy';
import { deleteEnv, planEnvDelete } from '../../src/ops/env';
import { releaseAppPort } from '../../src/ops/guards';
import { parseImage } from '../../src/plan/inputs';
import { fakeOps, type Fake } from './fakes/ops';
import { failure } from './fakes/ops';

const t = (app: string) => ({ platform: 'acme', env: 'staging', app });
const deployed = async (f: Fake, app: string) => {
  await deploy(f.ops, { target: t(app), image: 'nginx:1.27', ref: parseImage('nginx:1.27') });
  f.calls.length = 0;
};

test('destroy: stack, then port, then release, under the lock', async () => {
  const f = fakeOps();
  await deployed(f, 'web');
  const r = await destroyApp(f.ops, t('web'));
  // an app without SMTP: only its secret is looked for (config may have dropped smtp since; the secret says whether it had a user), no IAM call
  expect(f.calls).toEqual(['stacks.describe', 'store.readPorts', 'store.readRelease', 'store.acquireLock', 'stacks.delete', 'email.secretExists', 'email.deleteSecret', 'store.releasePort', 'store.deleteRelease', 'volumes.list', 'store.releaseLock']);
  expect(r).toMatchObject({ deleted: true, outcome: 'destroyed', port: 20000, database: 'none', logs: { group: '/cyclops/acme/staging/web', retentionDays: 30 } });
  expect(f.stacks.has('acme-staging-web')).toBe(false);
  // the log group outlives the stack (DeletionPolicy Retain / created by deploy): destroy says where the logs stay
  expect(f.events.of('info').map((e) => e.message).join('\n')).toMatch(/logs of web stay in log group \/cyclops\/acme\/staging\/web, each event kept for 30 days/);
});

test('destroy of an app that is neither in config nor deployed is a typo: exit 2, the closest name, nothing locked', async () => {
  const f = fakeOps();
  await deployed(f, 'web');
  const e = await failure(destroyApp(f.ops, t('wbe')));
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/app "wbe": not in config\.json and not deployed in staging; did you mean "?web"?\?/);
  expect(f.calls).not.toContain('store.acquireLock');
});

test('destroy of a configured app with nothing deployed takes no lock and writes nothing', async () => {
  const f = fakeOps();
  const r = await destroyApp(f.ops, t('web'));
  expect(r).toMatchObject({ deleted: false, outcome: 'nothing', port: null, logs: null });
  expect(f.calls).toEqual(['stacks.describe', 'store.readPorts', 'store.readRelease']);
});

test('destroy of a stack whose tags name another app refuses before the lock', async () => {
  const f = fakeOps();
  await deployed(f, 'web');
  f.stacks.get('acme-staging-web')!.tags['cyclops:app'] = 'api';
  const e = await failure(destroyApp(f.ops, t('web')));
  expect(e.exitCode).toBe(2);
  expect(f.calls).not.toContain('store.acquireLock');
});

test('destroy releases the lock when the stack delete fails, and touches nothing after it', async () => {
  const f = fakeOps();
  await deployed(f, 'web');
  f.onCall('stacks.delete', () => {
    throw new CyclopsError('stack acme-staging-web: delete ended DELETE_FAILED');
  });
  await failure(destroyApp(f.ops, t('web')));
  expect(f.calls).not.toContain('store.releasePort');
  expect(f.calls[f.calls.length - 1]).toBe('store.releaseLock');
});

test('Ctrl-C during the stack delete: the port and release are kept for the rerun, the lock is released', async () => {
  const f = fakeOps();
  await deployed(f, 'web');
  f.onCall('stacks.delete', () => f.abort.abort());
  const e = await failure(destroyApp(f.ops, t('web')));
  expect(e.exitCode).toBe(130);
  expect(f.calls).not.toContain('store.releasePort');
  expect(f.locks.size).toBe(0);
});

test('ports release of a deployed app refuses before the lock', async () => {
  const f = fakeOps();
  await deployed(f, 'web');
  const e = await failure(releaseAppPort(f.ops, t('web')));
  expect(e.message).toMatch(/is deployed and its load-balancer rule uses the port/);
  expect(f.calls).toEqual(['stacks.describe']);
});

test('env delete --force destroys each app through ops, then the env stack', async () => {
  const f = fakeOps();
  await deployed(f, 'web');
  await deployed(f, 'api');
  await expect(planEnvDelete(f.ops, { platform: 'acme', env: 'staging' }, {})).rejects.toThrow(/apps are still deployed \(api, web\)/);
  const plan = await planEnvDelete(f.ops, { platform: 'acme', env: 'staging' }, { force: true });
  f.calls.length = 0;
  await deleteEnv(f.ops, { platform: 'acme', env: 'staging' }, plan, {});
  expect(f.calls.filter((c) => c === 'store.acquireLock')).toHaveLength(2);
  expect(f.calls.filter((c) => c === 'store.releaseLock')).toHaveLength(2);
  expect(f.calls[f.calls.length - 1]).toBe('stacks.delete');
  expect([...f.stacks.keys()]).toEqual([]);
});

test('status of an app neither in config nor deployed: exit 2 with the closest name', async () => {
  const f = fakeOps();
  const e = await failure(appStatus(f.ops, t('wbe')));
  expect(e.exitCode).toBe(2);
  expect(e.message).toBe('app "wbe": not in config.json and not deployed in staging; did you mean web?');
});

test('status of a configured app that is not deployed is NOT_DEPLOYED', async () => {
  const f = fakeOps();
  expect((await appStatus(f.ops, t('web'))).status).toBe('NOT_DEPLOYED');
});

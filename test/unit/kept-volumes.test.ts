/**
 * destroy → deploy re-attaches the file system the destroy kept (moto cannot attach EFS, so the
 * in-memory fakes and the template are the proof): the new stack gets its id as
 * VolumeDataKeptFileSystemId, later deploys keep it, and an ambiguous choice is refused.
 */
import { destroyApp } from '../../src/ops/apps';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { failure, fakeOps, testConfig, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const STACK = 'acme-staging-web';
const KEPT = 'fs-0123456789abcdef0';
const config = (volumes: Record<string, unknown> = { data: { path: '/data' } }) =>
  testConfig({ apps: { web: { processes: { web: { port: 8080, count: 1, volumes } }, database: false } } });
const ship = (f: Fake, image = 'couchdb:3') => deploy(f.ops, { target: t, image, ref: parseImage(image) });
const stackParam = (f: Fake) => f.stacks.get(STACK)!.parameters.VolumeDataKeptFileSystemId;
const liveTemplate = (f: Fake) => JSON.parse(f.templates.get(`live:${STACK}`)!) as { Resources: Record<string, { Condition?: string }> };

test('destroy keeps the file system; the next deploy attaches it (same id), and later deploys keep it', async () => {
  const f = fakeOps(config());
  await ship(f);
  expect(stackParam(f)).toBe(''); // the first stack makes its own
  // what the first stack made, as EFS lists it after the destroy: tagged with its volume
  f.volumes.set('staging/web', [{ id: KEPT, sizeBytes: 6144, state: 'available', volume: 'data' }]);
  const d = await destroyApp(f.ops, t);
  expect(d.volumes.kept).toEqual([KEPT]);
  expect(f.stacks.has(STACK)).toBe(false);

  await ship(f);
  expect(stackParam(f)).toBe(KEPT);
  expect(liveTemplate(f).Resources.VolumeDataFileSystem.Condition).toBe('VolumeDataNew'); // so no new file system
  expect(f.events.of('info').some((e) => e.message === `volume data: attaching file system ${KEPT}, kept when web was destroyed`)).toBe(true);

  // a later deploy of a new image keeps what the stack was created with (no EFS listing needed)
  f.calls.length = 0;
  await ship(f, 'couchdb:3.1');
  expect(stackParam(f)).toBe(KEPT);
  expect(f.calls).not.toContain('volumes.list');
  // and destroy --delete-volumes then deletes the one file system there is
  const gone = await destroyApp(f.ops, t, { deleteVolumes: true });
  expect(gone.volumes.deleted).toEqual([KEPT]);
});

test('a file system kept before volumes were tagged is attached when the app has one volume', async () => {
  const f = fakeOps(config());
  f.volumes.set('staging/web', [{ id: KEPT, sizeBytes: 0, state: 'available' }]);
  await ship(f);
  expect(stackParam(f)).toBe(KEPT);
});

test('two kept file systems for one volume: exit 2 before anything is written, naming both', async () => {
  const f = fakeOps(config());
  f.volumes.set('staging/web', [
    { id: 'fs-0aaaaaaaaaaaaaaaa', sizeBytes: 0, state: 'available', volume: 'data' },
    { id: 'fs-0bbbbbbbbbbbbbbbb', sizeBytes: 0, state: 'available', volume: 'data' },
  ]);
  const e = await failure(ship(f));
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/^volume data of web in staging: 2 kept file systems \(fs-0aaaaaaaaaaaaaaaa, fs-0bbbbbbbbbbbbbbbb\) could be attached; /);
  expect(f.calls).not.toContain('store.acquireLock');
  expect(f.stacks.has(STACK)).toBe(false);
});

test('a file system of a volume the app no longer has is not attached, and the deploy says so', async () => {
  const f = fakeOps(config({ files: { path: '/files' } }));
  f.volumes.set('staging/web', [{ id: KEPT, sizeBytes: 0, state: 'available', volume: 'data' }]);
  await ship(f);
  expect(f.stacks.get(STACK)!.parameters.VolumeFilesKeptFileSystemId).toBe('');
  expect(f.events.of('warning').some((e) => e.message.includes(`${KEPT} (data)`))).toBe(true);
});

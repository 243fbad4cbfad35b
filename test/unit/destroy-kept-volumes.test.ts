/** destroy --delete-volumes after an earlier destroy kept the file systems (no stack, port or release left). */
import { destroyApp } from '../../src/ops/apps';
import { fakeOps } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };

test('deletes the kept file systems although nothing else of the app is left', async () => {
  const f = fakeOps();
  f.volumes.set('staging/web', [{ id: 'fs-1', sizeBytes: 0 }]);
  const r = await destroyApp(f.ops, t, { deleteVolumes: true });
  expect(r.volumes).toEqual({ kept: [], deleted: ['fs-1'] });
  expect(f.volumes.get('staging/web')).toEqual([]);
  expect(f.calls).toContain('store.acquireLock'); // under the app's lock, like any destroy
});

test('without --delete-volumes, nothing left is still "nothing to destroy", and the file systems stay', async () => {
  const f = fakeOps();
  f.volumes.set('staging/web', [{ id: 'fs-1', sizeBytes: 0 }]);
  const r = await destroyApp(f.ops, t);
  expect(r.deleted).toBe(false);
  expect(f.volumes.get('staging/web')).toEqual([{ id: 'fs-1', sizeBytes: 0 }]);
  expect(f.calls).not.toContain('store.acquireLock');
});

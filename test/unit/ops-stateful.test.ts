/**
 * deploy over in-memory fakes with the stateful options: an autoscaled process gets no
 * DesiredCount (neither in the template nor as a parameter), so a redeploy never resets what
 * autoscaling set; a process with a writable volume deploys as a singleton.
 */
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { fakeOps, testConfig, type Fake } from './fakes/ops';

const target = { platform: 'acme', env: 'staging', app: 'web' };
const run = (f: Fake, image: string, counts?: Record<string, number>) => deploy(f.ops, { target, image, ref: parseImage(image) }, counts ? { counts } : {});
const stack = (f: Fake) => f.stacks.get('acme-staging-web')!;
const template = (f: Fake) => JSON.parse(f.templates.get([...f.templates.keys()].pop()!)!) as { Resources: Record<string, { Properties: Record<string, any> }> };

const scaled = () =>
  testConfig({
    apps: {
      web: {
        processes: { web: { port: 8080, count: { min: 2, max: 6, cpu: 60 } }, worker: { command: ['worker'], count: 1 } },
        database: false,
      },
    },
  });

describe('deploy with autoscaling', () => {
  it('passes Min/Max and no count for the autoscaled process, and the service has no DesiredCount', async () => {
    const f = fakeOps(scaled());
    await run(f, 'nginx:1.27');
    expect(stack(f).parameters).toEqual({ Image: 'nginx:1.27', WebMin: '2', WebMax: '6', WorkerCount: '1' });
    const r = template(f).Resources;
    expect(r.WebService.Properties).not.toHaveProperty('DesiredCount');
    expect(r.WorkerService.Properties.DesiredCount).toEqual({ Ref: 'WorkerCount' });
  });

  it('a redeploy with a new image changes the image only: no DesiredCount change for the autoscaled service', async () => {
    const f = fakeOps(scaled());
    await run(f, 'nginx:1.27');
    const before = stack(f).parameters;
    await run(f, 'nginx:1.28');
    const after = stack(f).parameters;
    expect(Object.keys(after).filter((k) => after[k] !== before[k])).toEqual(['Image']);
    expect(template(f).Resources.WebService.Properties).not.toHaveProperty('DesiredCount');
  });

  it('--count on an autoscaled process is refused before anything is written', async () => {
    const f = fakeOps(scaled());
    await expect(run(f, 'nginx:1.27', { web: 4 })).rejects.toThrow(/web autoscales between 2 and 6/);
    expect(f.calls.filter((c) => /acquireLock|apply|pushTemplate/.test(c))).toEqual([]);
  });

  it('--count on a free-form worker name works', async () => {
    const f = fakeOps(
      testConfig({ apps: { web: { processes: { web: { port: 8080 }, mailer: { command: ['mail'] } }, database: false } } }),
    );
    await run(f, 'nginx:1.27', { mailer: 3 });
    expect(stack(f).parameters).toMatchObject({ MailerCount: '3', WebCount: '1' });
  });
});

describe('singleton deployment settings', () => {
  const volumes = (count: number, extra: Record<string, unknown> = {}) =>
    testConfig({ apps: { web: { processes: { web: { port: 8080, count, volumes: { data: { path: '/data', ...extra } } } }, database: false } } });

  it('a writable volume at count 1: minimum healthy 0 %, maximum 100 %', async () => {
    const f = fakeOps(volumes(1));
    await run(f, 'couchdb:3');
    expect(template(f).Resources.WebService.Properties.DeploymentConfiguration).toMatchObject({ MinimumHealthyPercent: 0, MaximumPercent: 100 });
  });

  it('a read-only or shared volume keeps the rolling 100 % / 200 %', async () => {
    for (const extra of [{ readOnly: true }, { shared: true }]) {
      const f = fakeOps(volumes(2, extra));
      await run(f, 'couchdb:3');
      expect(template(f).Resources.WebService.Properties.DeploymentConfiguration).toMatchObject({ MinimumHealthyPercent: 100, MaximumPercent: 200 });
    }
  });
});

describe('destroy and volumes', () => {
  const { destroyApp } = jest.requireActual('../../src/ops/apps') as typeof import('../../src/ops/apps');
  // A deployed app whose stack kept a file system.
  const withVolume = async () => {
    const f = fakeOps();
    await run(f, 'nginx:1.27');
    f.volumes.set('staging/web', [{ id: 'fs-0abc', sizeBytes: 6144 }]);
    f.calls.length = 0; // only what destroy does
    return f;
  };

  it('keeps the file systems and says so', async () => {
    const f = await withVolume();
    const r = await destroyApp(f.ops, target);
    expect(r.volumes).toEqual({ kept: ['fs-0abc'], deleted: [] });
    expect(f.volumes.get('staging/web')).toHaveLength(1);
    expect(f.events.of('warning').some((e) => /kept the file systems .* fs-0abc; delete them with .*--delete-volumes/.test(e.message))).toBe(true);
  });

  it('--delete-volumes deletes them after the stack is gone, under the lock', async () => {
    const f = await withVolume();
    const r = await destroyApp(f.ops, target, { deleteVolumes: true });
    expect(r.volumes).toEqual({ kept: [], deleted: ['fs-0abc'] });
    expect(f.volumes.get('staging/web')).toEqual([]);
    const order = f.calls.filter((c) => /acquireLock|stacks.delete|volumes.delete|releaseLock/.test(c));
    expect(order).toEqual(['store.acquireLock', 'stacks.delete', 'volumes.delete fs-0abc', 'store.releaseLock']);
  });
});

/**
 * `scale web=2..10` on an autoscaled process: only its Min/Max parameters change, the bounds are
 * recorded and later deploys keep them; counts and ranges are refused on the wrong kind of process.
 */
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { parseCounts, scale } from '../../src/ops/scale';
import { fakeOps, testConfig, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const config = () =>
  testConfig({ apps: { web: { processes: { web: { port: 8080, count: { min: 2, max: 6, cpu: 60 } }, worker: { command: ['worker'], count: 1 } }, database: false } } });
const ship = (f: Fake, image: string) => deploy(f.ops, { target: t, image, ref: parseImage(image) });
const params = (f: Fake) => f.stacks.get('acme-staging-web')!.parameters;
const failure = (p: Promise<unknown>) => p.then(() => Promise.reject(new Error('expected a failure')), (e) => e);

test('parseCounts reads N and MIN..MAX', () => {
  expect(parseCounts(['web=2..10', 'worker=3'])).toEqual({ counts: { worker: 3 }, ranges: { web: { min: 2, max: 10 } } });
  expect(() => parseCounts(['web=2..'])).toThrow(/not a process count; use PROCESS=N/);
});

test('web=3..10 changes only WebMin/WebMax, records the bounds, and a later deploy keeps them', async () => {
  const f = fakeOps(config());
  await ship(f, 'nginx:1');
  expect(params(f)).toMatchObject({ WebMin: '2', WebMax: '6', WorkerCount: '1' });
  const r = await scale(f.ops, t, { counts: {}, ranges: { web: { min: 3, max: 10 } } });
  expect(r).toMatchObject({ changed: true, counts: { worker: 1 }, ranges: { web: { min: 3, max: 10 } }, previousRanges: { web: { min: 2, max: 6 } } });
  expect(params(f)).toMatchObject({ WebMin: '3', WebMax: '10', WorkerCount: '1', Image: 'nginx:1' });
  expect(f.log.get('staging/web')!.at(-1)).toMatchObject({ kind: 'scale', ranges: { web: { min: 3, max: 10 } } });
  await ship(f, 'nginx:2');
  expect(params(f)).toMatchObject({ Image: 'nginx:2', WebMin: '3', WebMax: '10' });
  // --reset goes back to config's bounds
  await scale(f.ops, t, { counts: {}, reset: true });
  expect(params(f)).toMatchObject({ WebMin: '2', WebMax: '6' });
});

test('a count for an autoscaled process, a range for a fixed one, and a bad range are usage errors before any write', async () => {
  const f = fakeOps(config());
  await ship(f, 'nginx:1');
  f.calls.length = 0;
  expect((await failure(scale(f.ops, t, { counts: { web: 4 } }))).message).toMatch(/^scale web=4: web autoscales between 2 and 6; change its bounds instead, such as web=2\.\.6$/);
  expect((await failure(scale(f.ops, t, { counts: {}, ranges: { worker: { min: 1, max: 3 } } }))).message).toMatch(/^scale worker=1\.\.3: worker does not autoscale; set its count instead/);
  const bad = await failure(scale(f.ops, t, { counts: {}, ranges: { web: { min: 5, max: 2 } } }));
  expect(bad).toMatchObject({ exitCode: 2, message: expect.stringMatching(/not a valid autoscaling range/) });
  expect(f.calls.filter((c) => /acquireLock|apply|writeRelease/.test(c))).toEqual([]);
});

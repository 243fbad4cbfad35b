/**
 * The ports file under real contention: separate `cyclops ports allocate` processes at once
 * against moto. Distinct apps must get distinct ports, all recorded; the same app twice
 * must get the same port. Attempts and wall time are printed for the issue note.
 */
import { cyclops } from '../support/cli';
import { cliWorkspace, createPlainBucket, motoAws } from '../support/store-env';

const bucket = 'store-concurrency-test';
const N = 22;

test(`${N} processes allocating at once: distinct ports, all in the file; the same app gets one port`, async () => {
  await createPlainBucket(await motoAws(), bucket);
  const ws = cliWorkspace(bucket, [21000, 21999]);
  const apps = Array.from({ length: N }, (_, i) => `app${i}`);
  // app0 and app1 are each asked for twice.
  const jobs = [...apps, 'app0', 'app1'];
  const started = Date.now();
  const runs = await Promise.all(jobs.map((app) => cyclops(['ports', 'allocate', app, 'staging', '--json'], ws)));
  const wallMs = Date.now() - started;

  for (const r of runs) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  const results = runs.map((r) => r.json() as { app: string; port: number; allocated: boolean; attempts: number });

  const byApp = new Map<string, number[]>();
  for (const r of results) byApp.set(r.app, [...(byApp.get(r.app) ?? []), r.port]);
  expect([...byApp.keys()].sort()).toEqual([...apps].sort());
  for (const ports of byApp.values()) expect(new Set(ports).size).toBe(1);
  const ports = [...byApp.values()].map((p) => p[0]);
  expect(new Set(ports).size).toBe(N);
  // Lowest free ports: exactly the first N of the range.
  expect([...ports].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => 21000 + i));
  // The two calls for app0 ask with the same request object: the one port both report was
  // new to app0 (allocated) for at least one of them, and the file holds it once (below).
  expect(results.filter((r) => r.app === 'app0' && r.allocated).length).toBeGreaterThanOrEqual(1);
  // Combined allocations: no call needed more than a few reads of the file.
  expect(Math.max(...results.map((r) => r.attempts))).toBeLessThanOrEqual(6);

  const list = await cyclops(['ports', 'list', 'staging', '--json'], ws);
  expect(list.code).toBe(0);
  const listed = list.json().ports as { app: string; port: number }[];
  expect(Object.fromEntries(listed.map((p) => [p.app, p.port]))).toEqual(Object.fromEntries([...byApp].map(([a, p]) => [a, p[0]])));

  const attempts = results.map((r) => r.attempts);
  const retries = attempts.reduce((s, a) => s + a - 1, 0);
  console.log(
    `ports concurrency: ${jobs.length} processes (${N} apps), wall ${wallMs} ms, attempts per process min ${Math.min(...attempts)} ` +
      `max ${Math.max(...attempts)} mean ${(attempts.reduce((s, a) => s + a, 0) / attempts.length).toFixed(2)}, retries (412) in all ${retries}`,
  );
}, 120_000);

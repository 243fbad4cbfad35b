/**
 * `npm run demo` (scripts/demo.mjs) through the built binary: against moto (found on PATH or
 * in the pyenv shims, as in CI) every step runs and says what it did in AWS, and nothing is
 * left behind (no moto process, no temp directory); the offline tour runs where moto is missing.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.join(__dirname, '../../scripts/demo.mjs');
const demoDirs = () => readdirSync(os.tmpdir()).filter((d) => d.startsWith('cyclops-demo-')).sort();
const run = (env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 180000 });

test('the moto demo runs every step, in order, and cleans up', async () => {
  const before = demoDirs();
  const r = run();
  expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
  const steps = [...r.stdout.matchAll(/^== (\d+)\. (\S+)/gm)].map((m) => `${m[1]} ${m[2]}`);
  expect(steps).toEqual(['0 start', '1 init:', '2 bootstrap:', '3 env', '4 deploy', '5 status', '6 releases', '7 destroy']);
  expect(r.stdout).toMatch(/AWS: CloudFormation stack demo-platform: CREATE_COMPLETE; .*service role arn:aws:iam::\d{12}:role\/cyclops\/demo\/demo-cloudformation-service/);
  expect(r.stdout).toMatch(/AWS: CloudFormation stack demo-staging: CREATE_COMPLETE/);
  expect(r.stdout).toMatch(/AWS: port \d+ allocated .* stack demo-staging-web: CREATE_COMPLETE/);
  expect(r.stdout).toMatch(/AWS: DeleteStack demo-staging-web .*: deleted/);
  expect(r.stdout).toMatch(/demo: done; moto stopped, temp directory removed/);
  expect(demoDirs()).toEqual(before);
  // the emulator it started is gone: its endpoint refuses connections
  const port = Number(/moto_server on http:\/\/127\.0\.0\.1:(\d+)/.exec(r.stdout)![1]);
  expect(await refused(port)).toBe(true);
}, 200000);

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

test('without moto it says how to get it and runs the offline synth tour', () => {
  const r = run({ CYCLOPS_DEMO_OFFLINE: '1' });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/pip install "moto\[server\]"/);
  expect(r.stdout).toMatch(/platform\.json: \d+ resources/);
  expect(r.stdout).toMatch(/cluster-staging\.json: \d+ resources/);
  expect(r.stdout).toMatch(/iam-policy --for deploy/);
}, 60000);

/**
 * Output into a closed pipe (`cyclops ... | head -1`, `| grep -q`): the real binary exits 0
 * with nothing on stderr, whatever the command and whether it succeeded. The reader end is
 * closed before the program starts writing (it takes tens of milliseconds to start).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { BIN } from '../support/cli';

const example = path.resolve(__dirname, '../../config.example.json');

function intoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.destroy();
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test.each([
  [['--version']],
  [['--help']],
  [['deploy', '--help']],
  [['--config', example, 'synth', 'app', 'shop', 'staging', '--image', 'nginx:1.27']],
  [['--config', example, 'iam-policy', '--for', 'admin', '--account', '123456789012']],
  [['completion', 'bash']],
  [['--config', example, 'validate', '--json']],
  // a failure whose one JSON document goes to stdout
  [['--config', example, '--endpoint-url', 'http://127.0.0.1:9', 'releases', 'shop', 'staging', '--json']],
])('cyclops %j into a closed pipe: exit 0, no stack trace', async (args) => {
  const r = await intoClosedPipe(args);
  expect(r.stderr).not.toMatch(/EPIPE|at .*\(.*:\d+:\d+\)|node:internal/);
  expect(r.code).toBe(0);
}, 30_000);

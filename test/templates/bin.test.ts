/**
 * The built binary itself (run `npm run build` first; `npm test` does). Everything else about the
 * CLI is tested in-process (test/unit/cli.test.ts); this proves the shim, the bundle and the real
 * process exit code, and that offline commands never load the AWS SDK.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cyclops } from '../support/cli';

const ROOT = path.resolve(__dirname, '../..');
const version = require('../../package.json').version;
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'cyclops-bin-'));
const dirs: string[] = [];

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist/cli.mjs'))) throw new Error('dist/cli.mjs is missing; run "npm run build" first');
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('--version and -V answer from the shim with the package version', async () => {
  for (const flag of ['--version', '-V']) {
    const r = await cyclops([flag]);
    expect({ flag, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ flag, code: 0, stdout: `${version}\n`, stderr: '' });
  }
});

test('the bundled program runs: --help exits 0, a usage error sets the process exit code 2 and --json prints one document', async () => {
  const help = await cyclops(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/Exit codes: 0 ok, 1 operation failed, 2 usage or config error/);

  const unknown = await cyclops(['frobnicate']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/^error: cyclops: unknown command "frobnicate"; use one of: .*deploy/);

  const json = await cyclops(['--json', 'deploy', 'nginx:1']);
  expect(json.code).toBe(2);
  expect(json.json()).toMatchObject({ ok: false, error: { code: 'usage', exitCode: 2 } });
});

describe('offline commands never load the AWS SDK', () => {
  // A copy of the package without the SDK and client-factory chunks: importing either fails.
  let pkg: string;
  let bin: string;
  beforeAll(() => {
    pkg = tmp();
    dirs.push(pkg);
    for (const p of ['bin', 'dist', 'package.json']) cpSync(path.join(ROOT, p), path.join(pkg, p), { recursive: true });
    const removed = readdirSync(path.join(pkg, 'dist/chunks')).filter((f) => /^(sdk|client)-[A-Z0-9]+\.mjs$/.test(f));
    expect(removed.map((f) => f.split('-')[0]).sort()).toEqual(['client', 'sdk']);
    for (const f of removed) rmSync(path.join(pkg, 'dist/chunks', f));
    bin = path.join(pkg, 'bin/cyclops');
  });

  test('init, validate and --help work without them', async () => {
    const dir = tmp();
    dirs.push(dir);
    const run = (args: string[]) => cyclops(args, { cwd: dir, bin });
    const init = await run(['init', '--name', 'offline']);
    expect(init.stderr).not.toMatch(/Cannot find|ERR_MODULE/);
    expect(init.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).platform.name).toBe('offline');
    const valid = await run(['validate', '--json']);
    expect(valid.code).toBe(0);
    expect(valid.json()).toMatchObject({ ok: true });
    expect((await run(['--help'])).code).toBe(0);
  });

  test('the copy really lacks the SDK: a command that needs AWS fails there', async () => {
    const dir = tmp();
    dirs.push(dir);
    cpSync(path.join(ROOT, 'config.example.json'), path.join(dir, 'config.json'));
    const r = await cyclops(['ports', 'list'], { cwd: dir, bin });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND/);
  });
});

describe('--help off a terminal answers from dist/help.txt, which the build rendered from the program', () => {
  // Copies of the package: one without help.txt (the program renders its help), one whose
  // program is broken (only help.txt can answer).
  const copy = (edit: (pkg: string) => void) => {
    const pkg = tmp();
    dirs.push(pkg);
    for (const p of ['bin', 'dist', 'package.json']) cpSync(path.join(ROOT, p), path.join(pkg, p), { recursive: true });
    edit(pkg);
    return path.join(pkg, 'bin/cyclops');
  };

  test('help.txt is exactly what the program prints', async () => {
    const rendered = await cyclops(['--help'], { bin: copy((pkg) => rmSync(path.join(pkg, 'dist/help.txt'))) });
    const answered = await cyclops(['--help']);
    expect(rendered.code).toBe(0);
    expect(answered).toMatchObject({ code: 0, stderr: '' });
    expect(answered.stdout).toBe(rendered.stdout);
    expect(answered.stdout).toBe(readFileSync(path.join(ROOT, 'dist/help.txt'), 'utf8'));
  });

  test('the answer does not load the program; anything else does', async () => {
    const bin = copy((pkg) => {
      for (const f of readdirSync(path.join(pkg, 'dist')).filter((f) => f.startsWith('cli.cjs'))) rmSync(path.join(pkg, 'dist', f));
    });
    const help = await cyclops(['-h'], { bin });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: cyclops \[options\] \[command\]/);
    const other = await cyclops(['deploy', '--help'], { bin });
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/cli\.cjs/);
  });
});

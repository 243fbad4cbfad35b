/**
 * `cyclops synth` through the built binary (run `npm run build` first; `npm test` does):
 * stdout carries the template, errors are one line with exit code 2, --all writes the
 * golden files, and the AWS SDK is never loaded.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { EXAMPLE_FILE } from './fixtures';

const ROOT = path.join(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/cyclops');
const GOLDEN = path.join(__dirname, 'golden');
let dir: string;
let hook: string;

function cyclops(args: string[], opts: { nodeArgs?: string[] } = {}) {
  const r = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    // No credentials, no endpoint: synth must not need them.
    env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist/cli.mjs'))) throw new Error('dist/cli.mjs is missing; run "npm run build" first');
  dir = mkdtempSync(path.join(tmpdir(), 'cyclops-synth-'));
  copyFileSync(EXAMPLE_FILE, path.join(dir, 'config.json'));
  // A module loader hook that fails the process if the SDK (or the client factory) is loaded.
  writeFileSync(
    path.join(dir, 'no-sdk-hooks.mjs'),
    `export async function load(url, context, next) {
  if (/\\/chunks\\/(sdk|client)-[A-Z0-9]+\\.mjs$/.test(url)) throw new Error('the AWS SDK was loaded: ' + url);
  return next(url, context);
}\n`,
  );
  hook = path.join(dir, 'no-sdk.mjs');
  writeFileSync(hook, `import { register } from 'node:module';\nregister('./no-sdk-hooks.mjs', import.meta.url);\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cyclops synth (built binary)', () => {
  it('prints the platform template as canonical JSON, identical to its golden file', () => {
    const r = cyclops(['synth', 'platform']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(path.join(GOLDEN, 'platform.json'), 'utf8'));
  });

  it('prints an app template with the given image as the Image default and the port as rule priority', () => {
    const r = cyclops(['synth', 'app', 'shop', 'staging', '--image', 'registry.example.com/shop:1.4', '--port', '20005']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.Parameters.Image.Default).toBe('registry.example.com/shop:1.4');
    expect(t.Resources.WebListenerRule.Properties.Priority).toBe(20005);
  });

  it('defaults the port to the lowest of ports.range and prints YAML on request', () => {
    const r = cyclops(['synth', 'app', 'blog', 'production', '--format', 'yaml']);
    expect(r.code).toBe(0);
    const t = YAML.parse(r.stdout);
    expect(t.Resources.WebListenerRule.Properties.Priority).toBe(20000);
    expect(t.Parameters.Image.Default).toBe('public.ecr.aws/nginx/nginx:stable');
  });

  it('writes every template with --all, the same bytes as the golden files, and lists them with --json', () => {
    const out = path.join(dir, 'out');
    const r = cyclops(['--json', 'synth', '--all', '--out', out]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.files.map((f: { file: string }) => path.basename(f.file)).sort()).toEqual(readdirSync(GOLDEN).sort());
    for (const f of readdirSync(GOLDEN)) expect(readFileSync(path.join(out, f), 'utf8')).toBe(readFileSync(path.join(GOLDEN, f), 'utf8'));
  });

  it('an unknown environment is one line on stderr, nothing on stdout, exit code 2', () => {
    const r = cyclops(['synth', 'cluster', 'qa']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual(['error: environment "qa": not in config.json; use one of: staging, production, or add it under "environments"']);
    const j = cyclops(['--json', 'synth', 'app', 'shop', 'qa']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: 'usage', exitCode: 2 } });
  });

  it('bad app names, ports, formats and a bare "synth" are usage errors (exit 2) that write nothing', () => {
    expect(cyclops(['synth', 'app', 'Shop_1', 'staging']).code).toBe(2);
    const port = cyclops(['synth', 'app', 'shop', 'staging', '--port', '80']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port 80: not a port in the configured range; use a whole number from 20000 to 29999/);
    expect(cyclops(['synth', 'platform', '--format', 'xml']).code).toBe(2);
    expect(cyclops(['synth']).code).toBe(2);
    const noOut = cyclops(['synth', '--all']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/needs --out DIR/);
    // A config whose apps do not fit the port range fails before anything is written.
    const small = JSON.parse(readFileSync(EXAMPLE_FILE, 'utf8'));
    small.ports.range = [20000, 20001];
    writeFileSync(path.join(dir, 'small.json'), JSON.stringify(small));
    const out = path.join(dir, 'never');
    const r = cyclops(['--config', 'small.json', 'synth', '--all', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/2 ports for 3 apps; widen the range/);
    expect(existsSync(out)).toBe(false);
  });

  it('shows examples in --help of synth and its subcommands', () => {
    for (const args of [['synth'], ['synth', 'platform'], ['synth', 'cluster'], ['synth', 'app']]) {
      const r = cyclops([...args, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n\s+\$ cyclops synth/);
    }
  });

  it('never loads the AWS SDK (a loader hook fails the run if it does)', () => {
    // The hook works: importing the SDK chunk directly under it fails.
    const sdk = readdirSync(path.join(ROOT, 'dist/chunks')).find((f) => /^sdk-[A-Z0-9]+\.mjs$/.test(f));
    expect(sdk).toBeDefined();
    const probe = spawnSync(process.execPath, ['--import', hook, '--input-type=module', '-e', `await import(${JSON.stringify(path.join(ROOT, 'dist/chunks', sdk!))})`], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(probe.status).not.toBe(0);
    expect(probe.stderr).toMatch(/the AWS SDK was loaded/);
    for (const args of [['synth', 'app', 'shop', 'staging'], ['synth', 'cluster', 'production'], ['synth', '--all', '--out', path.join(dir, 'o2')]]) {
      const r = cyclops(args, { nodeArgs: ['--import', hook] });
      expect({ args, code: r.code, stderr: r.stderr.includes('SDK') ? r.stderr : '' }).toEqual({ args, code: 0, stderr: '' });
    }
  });
});

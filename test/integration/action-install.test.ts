/**
 * The action's install step (action/install.sh), run for real: `npm ci` in a copy of this
 * repository laid out as GitHub checks the action out at $GITHUB_ACTION_PATH.
 *
 * The copy is the repository's tracked files (`git ls-files`, with their working-tree content),
 * not `npm pack`'s tarball: GitHub clones the repository at the action's ref, so the action
 * path holds package-lock.json, src/ and scripts/ (which `npm ci` and its prepare build need)
 * and no dist/ or node_modules/ (ignored, never committed). A tarball has dist/ and lacks the
 * lock, so installing it would prove nothing about the action.
 *
 * npm may use the registry (the only network the suite allows); `npm_config_prefer_offline`
 * makes it take what the local npm cache already holds (the repository's own `npm ci` filled it),
 * so the run costs the extraction of the packages, not their download.
 *
 * The failures are real too: a package.json out of step with its lock (npm ci refuses without
 * any network), no npm on PATH, no action path.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const VERSION = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cyclops-install-'));
/** bash by its full path: some runs below have a PATH without it */
const BASH = execFileSync('sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();

/** The action's checkout: every tracked file of the repository, nothing else. */
function checkout(name: string): string {
  const dest = path.join(tmp, name);
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(path.join(ROOT, f))) continue; // deleted in the working tree, not yet committed
    mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(dest, f));
  }
  return dest;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
}

function install(env: Record<string, string>): Promise<Run> {
  const summaryFile = path.join(mkdtempSync(path.join(tmp, 'step-')), 'summary');
  writeFileSync(summaryFile, '');
  return new Promise((resolve) => {
    const child = spawn(BASH, [path.join(ROOT, 'action', 'install.sh')], {
      cwd: tmp,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME!, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile, npm_config_prefer_offline: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, summary: readFileSync(summaryFile, 'utf8') }));
  });
}

afterAll(() => rmSync(tmp, { recursive: true, force: true })); // a full node_modules

describe('action/install.sh', () => {
  test('installs cyclops at the action path: locked dependencies, the build, a working bin/cyclops', async () => {
    const at = checkout('action');
    expect(existsSync(path.join(at, 'dist'))).toBe(false);
    expect(existsSync(path.join(at, 'node_modules'))).toBe(false);
    const r = await install({ GITHUB_ACTION_PATH: at });
    expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`cyclops ${VERSION} installed at ${at}`);
    expect(r.summary).toBe('');
    // what npm ci installed is the lock's: every package of package-lock.json, at its version
    const lock = JSON.parse(readFileSync(path.join(at, 'package-lock.json'), 'utf8')).packages as Record<string, { version?: string; optional?: boolean }>;
    const required = Object.entries(lock).filter(([p, v]) => p && !v.optional); // optional ones are per platform
    expect(required.length).toBeGreaterThan(100);
    const missing = required.filter(([p, v]) => !existsSync(path.join(at, p, 'package.json')) || JSON.parse(readFileSync(path.join(at, p, 'package.json'), 'utf8')).version !== v.version);
    expect(missing.map(([p]) => p)).toEqual([]);
    // the build ran (npm's prepare), and the installed binary works on its own: it validates a config
    expect(existsSync(path.join(at, 'dist', 'cli.cjs'))).toBe(true);
    const cfg = path.join(tmp, 'config.json');
    writeFileSync(cfg, JSON.stringify({ platform: { name: 'inst', region: 'eu-west-1', bucket: 'inst-config' }, environments: { staging: { dns: { domain: 'staging.inst.dev' } } }, apps: { web: { processes: { web: { port: 3000 } } } } }));
    const out = execFileSync(process.execPath, [path.join(at, 'bin', 'cyclops'), 'validate', '--config', cfg, '--json'], { cwd: tmp, encoding: 'utf8', env: { PATH: process.env.PATH!, HOME: process.env.HOME! } });
    expect(JSON.parse(out)).toMatchObject({ ok: true, platform: { name: 'inst' }, apps: [{ name: 'web' }] });
  }, 240_000);

  test('a package.json out of step with its lock: npm ci refuses, and the step fails saying so', async () => {
    const at = checkout('stale-lock');
    const pkg = JSON.parse(readFileSync(path.join(at, 'package.json'), 'utf8'));
    pkg.dependencies['left-pad'] = '^1.3.0';
    writeFileSync(path.join(at, 'package.json'), JSON.stringify(pkg));
    const r = await install({ GITHUB_ACTION_PATH: at });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/npm (ci|error)/); // npm's own error, in the log
    const line = `install: npm ci in ${at} failed (exit 1), so cyclops is not installed; npm's error is above`;
    expect(r.stdout).toContain(`::error title=cyclops::${line}`);
    expect(r.summary).toContain(`### cyclops install: failed\n\n${line}`);
    expect(existsSync(path.join(at, 'dist', 'cli.cjs'))).toBe(false);
  }, 120_000);

  test('no npm on PATH, no action path, not a checkout: one clear error each, before npm runs', async () => {
    const bin = path.join(tmp, 'node-only');
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const at = path.join(tmp, 'action'); // made by the first test, or absent: the PATH check comes first
    const noNpm = await install({ GITHUB_ACTION_PATH: existsSync(at) ? at : ROOT, PATH: bin });
    expect(noNpm.code).toBe(1);
    expect(noNpm.stdout).toBe("::error title=cyclops::install: npm is not on PATH; the action's setup-node step installs it (check the node-version input)\n");
    expect(noNpm.summary).toContain('npm is not on PATH');
    const noPath = await install({});
    expect(noPath.code).toBe(1);
    expect(noPath.stdout).toMatch(/^::error title=cyclops::install: GITHUB_ACTION_PATH is not set;/);
    const empty = mkdtempSync(path.join(tmp, 'empty-'));
    const notCheckout = await install({ GITHUB_ACTION_PATH: empty });
    expect(notCheckout.code).toBe(1);
    expect(notCheckout.stdout).toContain(`install: ${empty} is not a checkout of cyclops (no package.json)`);
  });
});

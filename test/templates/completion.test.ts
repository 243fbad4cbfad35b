/**
 * `cyclops completion bash|zsh|fish` and the hidden `__complete`: the scripts come from the
 * command tree, bash completes commands, subcommands, options and config names through the
 * built binary, and `__complete` reads the config without loading the SDK. (zsh and fish are
 * not installed here: their scripts are checked for content only.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildProgram } from '../../src/cli';
import { completionTree } from '../../src/commands/completion';
import { BIN, cyclops } from '../support/cli';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLE = path.join(ROOT, 'config.example.json');
const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { environments: object; apps: object };
const tree = completionTree(buildProgram(() => undefined));
let dir: string;

beforeAll(() => {
  // `cyclops` on PATH is the built binary, as after an install.
  dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-completion-'));
  writeFileSync(path.join(dir, 'cyclops'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(path.join(dir, 'cyclops'), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Complete `line` (the cursor at its end) in bash with the generated script. */
function complete(line: string, cwd = ROOT): string[] {
  const script = `source <(cyclops completion bash)
read -ra COMP_WORDS <<< "$LINE"; [[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _cyclops; echo "\${COMPREPLY[*]}"`;
  const r = spawnSync('bash', ['-c', script], { cwd, env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, LINE: line }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.trim().split(/\s+/).filter(Boolean);
}

test('every command, subcommand and option of the tree is in each script; hidden commands are not', async () => {
  expect(tree.length).toBeGreaterThan(20);
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await cyclops(['completion', shell]);
    expect(r.code).toBe(0);
    for (const n of tree) {
      for (const s of n.subcommands) expect(r.stdout).toContain(s);
      for (const f of n.flags.filter((x) => x.startsWith('--'))) expect(r.stdout).toContain(shell === 'fish' ? `-l ${f.slice(2)}` : f);
    }
    expect(r.stdout).not.toContain('__complete envs apps'); // listed nowhere as a command
  }
  expect(tree.map((n) => n.path)).toEqual(expect.arrayContaining(['deploy', 'env create', 'synth app', 'completion']));
  expect(tree.map((n) => n.path)).not.toContain('__complete');
});

test('bash completes commands, subcommands and options', () => {
  expect(complete('cyclops dep')).toEqual(['deploy']);
  expect(complete('cyclops env ')).toEqual(tree.find((n) => n.path === 'env')!.subcommands);
  expect(complete('cyclops deploy --dry')).toEqual(['--dry-run']);
  expect(complete('cyclops env create --all')).toEqual(['--allow-replace']);
  expect(complete('cyclops env create --timeout ')).toEqual([]); // a value, not a name
});

test('bash completes env and app names from the config', () => {
  const envs = Object.keys(example.environments);
  expect(complete(`cyclops --config ${EXAMPLE} env create `)).toEqual(envs);
  expect(complete(`cyclops -c ${EXAMPLE} deploy nginx:1 `)).toEqual(Object.keys(example.apps));
  expect(complete(`cyclops --config ${EXAMPLE} deploy nginx:1 shop `)).toEqual(envs);
  expect(complete(`cyclops --config ${EXAMPLE} env create --timeout 5m ${envs[0].slice(0, 3)}`)).toEqual(envs.filter((e) => e.startsWith(envs[0].slice(0, 3))));
});

test('__complete lists env and app names from config.example.json without loading the AWS SDK', async () => {
  // A loader hook that fails any import of the SDK or client-factory chunks.
  const hook = `data:text/javascript,${encodeURIComponent(
    `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent('export async function resolve(s, c, n) { const r = await n(s, c); if (/chunks.(sdk|client)-/.test(r.url)) throw new Error("SDK loaded: " + r.url); return r; }'));`,
  )}`;
  const run = (what: string) => spawnSync(process.execPath, ['--import', hook, BIN, '--config', EXAMPLE, '__complete', what], { encoding: 'utf8' });
  const envs = run('envs');
  expect(envs.stderr).toBe('');
  expect(envs.stdout.trim().split('\n')).toEqual(Object.keys(example.environments));
  expect(run('apps').stdout.trim().split('\n')).toEqual(Object.keys(example.apps));
  const bad = run('zones');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/__complete: unknown list "zones"; use envs or apps/);
  // the hook really bites: a command that needs AWS fails under it
  const ports = spawnSync(process.execPath, ['--import', hook, BIN, '--config', EXAMPLE, 'ports', 'list'], { encoding: 'utf8', env: { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
  expect(ports.stderr).toMatch(/SDK loaded/);
});

test('an unknown shell is a usage error', async () => {
  const r = await cyclops(['completion', 'tcsh']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/completion: no script for shell "tcsh"; use one of: bash, zsh, fish/);
});

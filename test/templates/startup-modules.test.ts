/**
 * What the start-up paths of the built binary load (run `npm run build` first; `npm test` does):
 * `--version`, `--help` and the parser's refusals (a usage error) load no action code and no Node
 * module beyond what `node -e 0` loads but vm (bin/cyclops compiles the bundle with it) and
 * process (commander). Streams, node:net (through node:tty) and child_process cost about 5 ms
 * each of a 45 ms start on Node 22; bench/startup.mjs measures the time, this pins the cause.
 */
import { spawnSync, type StdioOptions } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/cyclops');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cyclops-startup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A preload that writes the process's list of loaded Node modules to $LIST at exit. */
const preload = path.join(tmp, 'list-modules.js');
writeFileSync(preload, "process.on('exit', () => require('node:fs').writeFileSync(process.env.LIST, process.moduleLoadList.join('\\n')));\n");

let runs = 0;
/** Run node with `args` (stdout to /dev/null, or a pipe) and the modules it loaded. */
function modulesOf(args: string[], stdout: 'ignore' | 'pipe' = 'pipe', bin = BIN) {
  const list = path.join(tmp, `list-${++runs}`);
  const stdio: StdioOptions = ['ignore', stdout, 'pipe'];
  const argv = args[0] === '-e' ? args : [bin, ...args];
  const r = spawnSync(process.execPath, ['--require', preload, ...argv], { cwd: tmp, stdio, env: { ...process.env, LIST: list }, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, modules: new Set(readFileSync(list, 'utf8').split('\n')) };
}

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist/help.txt'))) throw new Error('dist/help.txt is missing; run "npm run build" first');
});

test('--version, --help and usage errors load no Node module beyond node -e 0 but vm and process', () => {
  const base = modulesOf(['-e', '0']).modules;
  const program = ['NativeModule process', 'NativeModule vm']; // bin/cyclops compiles dist/cli.cjs (vm); commander (process)
  const cases: [string[], number, 'ignore' | 'pipe', string[]][] = [
    [['--version'], 0, 'pipe', []], // answered by bin/cyclops alone
    [['--help'], 0, 'pipe', []], // from dist/help.txt
    [['--help'], 0, 'ignore', []], // /dev/null is a character device, yet no terminal
    [['deploy'], 2, 'ignore', program], // bench/startup.mjs's usage error
    [['--json', 'deploy'], 2, 'pipe', program],
    [['deploy', 'nginx:1', 'web', 'staging', '--frobnicate'], 2, 'pipe', program],
    [['frobnicate'], 2, 'pipe', program], // an unknown command registers the whole tree
    [['env', '--help'], 0, 'pipe', program],
  ];
  for (const [args, status, stdout, expected] of cases) {
    const r = modulesOf(args, stdout);
    const extra = [...r.modules].filter((m) => !base.has(m) && m.startsWith('NativeModule ')).sort();
    expect({ args, stdout, status: r.status, extra }).toEqual({ args, stdout, status, extra: expected });
  }
});

test('the parser refuses before any action code loads: a package without dist/lazy and dist/chunks still answers', () => {
  const pkg = path.join(tmp, 'pkg');
  for (const p of ['bin', 'dist', 'package.json']) cpSync(path.join(ROOT, p), path.join(pkg, p), { recursive: true });
  for (const d of ['lazy', 'chunks']) rmSync(path.join(pkg, 'dist', d), { recursive: true });
  const bin = path.join(pkg, 'bin/cyclops');
  const refused = modulesOf(['deploy'], 'ignore', bin);
  expect({ status: refused.status, stderr: refused.stderr }).toEqual({ status: 2, stderr: 'error: cyclops deploy: missing <image>; usage: cyclops deploy <image> <app> [env] [options]\n' });
  const json = spawnSync(process.execPath, [bin, '--json', 'promote', 'web'], { cwd: tmp, encoding: 'utf8' });
  expect(json.status).toBe(2);
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'usage', exitCode: 2 } });
  // and the copy really lacks them: an action fails there
  const action = spawnSync(process.execPath, [bin, 'validate'], { cwd: tmp, encoding: 'utf8' });
  expect(action.status).not.toBe(2);
  expect(action.stderr).toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND/);
});

const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
// `script` (util-linux) runs a command on a pseudo-terminal; without it there is no terminal to test with.
(script.status === 0 ? test : test.skip)('on a terminal the same paths still see one: the usage error is red, --help is not the file', () => {
  const cmd = (args: string) => `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args}`;
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' };
  delete env.NO_COLOR;
  const usage = spawnSync('script', ['-qec', cmd('deploy'), '/dev/null'], { encoding: 'utf8', env });
  expect(usage.stdout).toContain('\x1b[31merror:\x1b[39m cyclops deploy: missing <image>');
  const help = spawnSync('script', ['-qec', `stty cols 200; ${cmd('--help')}`, '/dev/null'], { encoding: 'utf8', env });
  const wide = help.stdout.split(/\r?\n/).find((l) => l.includes('--endpoint-url <url>'));
  expect(wide).toMatch(/AWS endpoint, e\.g\. moto or LocalStack \(default: AWS_ENDPOINT_URL, then config aws\.endpoint\)/); // one line at 200 columns; dist/help.txt wraps it at 80
});

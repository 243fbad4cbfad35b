/**
 * The CLI surface, run in-process (test/support/run-cli.ts): exit codes, --json, stdout/stderr
 * split. test/templates/bin.test.ts checks the same program through the built binary.
 */
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli as cyclops } from '../support/run-cli';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'cyclops-cli-'));
const example = path.resolve(__dirname, '../../config.example.json');

test('--version prints the package version and exits 0', async () => {
  const r = await cyclops(['--version']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(require('../../package.json').version);
});

test('--help lists the exit codes and examples', async () => {
  const r = await cyclops(['--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Exit codes: 0 ok, 1 operation failed, 2 usage or config error/);
  expect(r.stdout).toMatch(/Examples:/);
});

test('an unknown command is a usage error (exit 2)', async () => {
  const r = await cyclops(['frobnicate']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/unknown command "frobnicate"; use one of: init, /);
});

test('init writes a config that validates, and refuses to overwrite without --force', async () => {
  const dir = tmp();
  const first = await cyclops(['init', '--name', 'demo', '--domain', 'demo.dev'], { cwd: dir });
  expect(first.code).toBe(0);
  const written = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  expect(written.platform.name).toBe('demo');
  expect(written.environments.staging.dns.domain).toBe('staging.demo.dev');

  const again = await cyclops(['init'], { cwd: dir });
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/config\.json: already exists; pass --force/);
  expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).platform.name).toBe('demo');

  const valid = await cyclops(['validate', '--json'], { cwd: dir });
  expect(valid.code).toBe(0);
  expect(valid.json().environments.map((e: { name: string }) => e.name)).toEqual(['staging', 'production']);
});

test('config.json in the working directory is found; --json puts one document on stdout', async () => {
  const dir = tmp();
  copyFileSync(example, path.join(dir, 'config.json'));
  const r = await cyclops(['validate', '--json'], { cwd: dir });
  expect(r.code).toBe(0);
  expect(r.json()).toMatchObject({ ok: true, file: 'config.json', platform: { name: 'acme' } });
  expect(r.stderr).toBe('');
});

test('a .cyclopsrc.yaml is found through cosmiconfig', async () => {
  const dir = tmp();
  writeFileSync(
    path.join(dir, '.cyclopsrc.yaml'),
    'platform: { name: yamlco, region: us-east-1 }\nenvironments:\n  qa: { dns: { domain: qa.yamlco.dev } }\n',
  );
  const r = await cyclops(['validate', '--json'], { cwd: dir });
  expect(r.code).toBe(0);
  expect(r.json().platform).toEqual({ name: 'yamlco', region: 'us-east-1', bucket: 'yamlco-cyclops-us-east-1' });
});

test('an invalid config: every problem on its own line on stderr, exit 2, JSON error on stdout', async () => {
  const dir = tmp();
  const c = JSON.parse(readFileSync(example, 'utf8'));
  c.platform.region = 'moon-1';
  c.apps.api.processes.web.port = 'http';
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));
  const r = await cyclops(['validate', '--json'], { cwd: dir });
  expect(r.code).toBe(2);
  const doc = r.json();
  expect(doc.ok).toBe(false);
  expect(doc.error.exitCode).toBe(2);
  expect(doc.error.details).toEqual([
    expect.stringMatching(/^config\.json: platform\.region: is not an AWS region/),
    expect.stringMatching(/^config\.json: apps\.api\.processes\.web\.port: must be a whole number/),
  ]);
  expect(r.stderr).toMatch(/platform\.region/);
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace without --verbose
});

test('broken JSON, a missing --config file and no config at all are one-line usage errors', async () => {
  const dir = tmp();
  writeFileSync(path.join(dir, 'broken.json'), '{"platform": {');
  const broken = await cyclops(['validate', '-c', 'broken.json'], { cwd: dir });
  expect(broken.code).toBe(2);
  expect(broken.stderr.trim()).toMatch(/^error: broken\.json: cannot be parsed \(.+\); fix the syntax$/);

  const missing = await cyclops(['validate', '-c', 'nope.json'], { cwd: dir });
  expect(missing.code).toBe(2);
  expect(missing.stderr.trim()).toBe('error: nope.json: file not found; check the path given to --config');

  const none = await cyclops(['validate'], { cwd: tmp() });
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/no cyclops config in .*; run "cyclops init" or pass --config PATH/);
});

test('with --json, a usage error from the argument parser is one JSON document on stdout too', async () => {
  const r = await cyclops(['--json', 'deploy', 'nginx:1']);
  expect(r.code).toBe(2);
  const message = 'cyclops deploy: missing <app>; usage: cyclops deploy <image> <app> [env] [options]';
  expect(r.json()).toEqual({ ok: false, error: { code: 'usage', message, details: [], exitCode: 2 } });
  expect(r.stderr).toBe(`error: ${message}\n`);
});

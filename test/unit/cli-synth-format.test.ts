/** `synth … --format yaml` prints YAML (not JSON) with the same content as the JSON output. */
import path from 'node:path';
import { parse } from 'yaml';
import { runCli as cyclops } from '../support/run-cli';

const example = path.resolve(__dirname, '../../config.example.json');

test.each([
  [['synth', 'cluster', 'staging']],
  [['synth', 'app', 'shop', 'staging']],
  [['synth', 'platform']],
])('%j --format yaml is YAML, not JSON, and equals the JSON output', async (args) => {
  const [yaml, json, before] = await Promise.all([
    cyclops(['-c', example, ...args, '--format', 'yaml']),
    cyclops(['-c', example, ...args, '--format', 'json']),
    // the synth-level option before the subcommand name works as well
    cyclops(['-c', example, 'synth', '--format', 'yaml', ...args.slice(1)]),
  ]);
  for (const r of [yaml, json, before]) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  expect(() => JSON.parse(yaml.stdout)).toThrow();
  expect(yaml.stdout).toMatch(/^AWSTemplateFormatVersion: ["']?2010-09-09/m);
  expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  expect(before.stdout).toBe(yaml.stdout);
});

test('synth --all --out into a path that cannot be a directory: one line naming it, nothing written', async () => {
  const { mkdtempSync, writeFileSync, readdirSync } = await import('node:fs');
  const os = await import('node:os');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-out-'));
  writeFileSync(path.join(dir, 'file'), 'x');
  for (const out of ['/dev/null/x', path.join(dir, 'file'), path.join(dir, 'file', 'sub')]) {
    const r = await cyclops(['-c', example, 'synth', '--all', '--out', out, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(new RegExp(`^error: --out ${out.replace(/[/.]/g, '\\$&')}: cannot write there \\((a part of the path is a file, not a directory|exists and is not a directory)\\); give a directory you can write to`)),
    ]);
    expect(r.json()).toMatchObject({ ok: false, error: { code: 'usage' } });
  }
  expect(readdirSync(dir)).toEqual(['file']);
});

test('synth app --image rejects exactly what deploy rejects', async () => {
  for (const image of ['nginx', 'NGINX:1', 'nginx:', 'a'.repeat(300) + ':1']) {
    const r = await cyclops(['-c', example, 'synth', 'app', 'shop', 'staging', '--image', image]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: image ".*": (has no tag or digest|is not an image reference)/);
  }
  expect((await cyclops(['-c', example, 'synth', 'app', 'shop', 'staging', '--image', 'nginx:1.27'])).code).toBe(0);
});

/**
 * The action and the example workflows of docs/ci.md, validated with @action-validator/cli
 * (GitHub's action and workflow schemas): each `<!-- workflow: NAME -->` block is extracted and
 * checked, and a broken one is refused (so the validator is really run). The steps they name run
 * against moto in test/integration/action.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const VALIDATOR = path.join(ROOT, 'node_modules/@action-validator/cli/cli.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-workflows-'));

function validate(file: string): { code: number; out: string } {
  const r = spawnSync(process.execPath, [VALIDATOR, file], { encoding: 'utf8' });
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

/** The workflows of docs/ci.md by name. */
function workflows(): Record<string, string> {
  const doc = readFileSync(path.join(ROOT, 'docs/ci.md'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of doc.matchAll(/<!-- workflow: ([\w.-]+) -->\n```yaml\n([\s\S]*?)\n```/g)) out[m[1]] = `${m[2]}\n`;
  return out;
}

test('action.yml is a valid composite action with the outputs url, release and digest', () => {
  const r = validate(path.join(ROOT, 'action.yml'));
  expect(r).toEqual({ code: 0, out: '' });
  const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
  expect(text).toContain('using: composite');
  expect(text).toContain('aws-actions/configure-aws-credentials@v4');
  for (const o of ['url', 'release', 'digest']) expect(text).toMatch(new RegExp(`\\n  ${o}:\\n    description: .*\\n    value: \\$\\{\\{ steps\\.deploy\\.outputs\\.${o} \\}\\}`));
  expect(readFileSync(path.join(ROOT, 'action/run.mjs'), 'utf8')).toContain("'--json', '--progress', 'json'");
});

test('docs/ci.md has the three workflows: deploy on push, previews, promote behind an approval', () => {
  expect(Object.keys(workflows()).sort()).toEqual(['deploy.yml', 'preview.yml', 'promote.yml']);
});

test.each(['deploy.yml', 'preview.yml', 'promote.yml'])('%s is a valid workflow that asks for an OIDC token and uses the action', (name) => {
  const text = workflows()[name];
  const file = path.join(dir, name);
  writeFileSync(file, text);
  expect(validate(file)).toEqual({ code: 0, out: '' });
  expect(text).toMatch(/permissions:\n  id-token: write/);
  expect(text).toMatch(/uses: OWNER\/cyclops@main\n        with:\n          role-arn: /);
});

test('the workflows do what their titles say', () => {
  const w = workflows();
  expect(w['deploy.yml']).toMatch(/push:\n    branches: \[main\]/);
  expect(w['preview.yml']).toMatch(/types: \[opened, synchronize, reopened, closed\]/);
  expect(w['preview.yml']).toMatch(/preview: pr-\$\{\{ github\.event\.number \}\}/);
  expect(w['preview.yml']).toContain('issues.createComment');
  expect(w['preview.yml']).toMatch(/if: github\.event\.action == 'closed'[\s\S]*command: destroy/);
  expect(w['promote.yml']).toMatch(/environment:\n      name: production/);
  expect(w['promote.yml']).toMatch(/command: promote\n          app: shop\n          from-env: staging\n          env: production/);
});

test('a broken workflow is refused (the validator really runs)', () => {
  const file = path.join(dir, 'broken.yml');
  writeFileSync(file, workflows()['deploy.yml'].replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest'));
  expect(validate(file).code).not.toBe(0);
});

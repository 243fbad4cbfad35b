/**
 * The docs: the README's shape, one exit-code table in the whole repo, docs/commands.md
 * generated from the current command tree, and relative links that resolve.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { buildProgram } from '../../src/cli';
import { completionTree } from '../../src/commands/completion';

const ROOT = path.resolve(__dirname, '../..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');
const docs = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
/** Pages that other parts of the project add; links to them are allowed before they exist. */
const EXPECTED = ['docs/releases.md', 'docs/operate.md', 'docs/stateful.md', 'docs/security.md', 'docs/previews.md'];

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(`${dir}/${e.name}`, ext) : ext.test(e.name) ? [`${dir}/${e.name}`] : [],
  );
}

test('README: at most 150 lines, the two commands first, links to every doc', () => {
  const readme = read('README.md');
  expect(readme.split('\n').length).toBeLessThanOrEqual(150);
  expect(readme.match(/^## .*/gm)![0]).toBe('## Two commands');
  expect(readme).toContain('bash .ci/run');
  expect(readme).toContain('npm ci && npx cyclops --config config.example.json synth --all --out out');
  for (const d of [...docs.filter((d) => d !== 'README.md' && d !== 'docs/index.md'), ...EXPECTED]) expect(readme).toContain(`(${d})`);
});

test('exactly one exit-code table in the repo (README); --help keeps a one-line summary', () => {
  const candidates = [...docs, ...files('src', /\.ts$/), ...files('templates', /\.ts$/)];
  const tables = candidates.filter((f) => /^\|\s*130\s*\|/m.test(read(f)));
  expect(tables).toEqual(['README.md']);
  expect(read('README.md').match(/^\|\s*130\s*\|/gm)).toHaveLength(1);
});

test('docs/commands.md is what scripts/gen-commands-doc.mjs makes from the current command tree', () => {
  const r = spawnSync(process.execPath, ['scripts/gen-commands-doc.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const text = read('docs/commands.md');
  const paths = completionTree(buildProgram(() => undefined)).map((n) => n.path).filter(Boolean);
  expect(paths.length).toBeGreaterThan(20);
  for (const p of paths) expect(text).toContain(`\n## cyclops ${p}\n`);
  expect(text).toContain('--allow-replace <LogicalId>');
  expect(text).toContain('Examples:');
});

test('every relative link in the README and docs/ resolves (pages still to come are listed)', () => {
  const broken: string[] = [];
  for (const d of docs) {
    for (const m of read(d).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(m[1])) continue;
      const target = path.normalize(path.join(path.dirname(d), m[1]));
      if (!existsSync(path.join(ROOT, target)) && !EXPECTED.includes(target)) broken.push(`${d}: ${m[1]}`);
    }
  }
  expect(broken).toEqual([]);
});

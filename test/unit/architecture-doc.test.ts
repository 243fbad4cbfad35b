/** docs/architecture.md stays true to the tree: every folder under src/ is named in it, and every path it names exists. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');

function folders(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir))
    .filter((n) => statSync(path.join(ROOT, dir, n)).isDirectory())
    .flatMap((n) => [`${dir}/${n}`, ...folders(`${dir}/${n}`)]);
}

test('every folder under src/ is named in docs/architecture.md', () => {
  const all = folders('src');
  expect(all).toEqual(expect.arrayContaining(['src/ops', 'src/ops/release-phase', 'src/plan']));
  expect(all.filter((f) => !doc.includes(`${f}/`))).toEqual([]);
});

test('every src/, templates/ or test/ file and folder the document names exists', () => {
  const named = [...new Set([...doc.matchAll(/\b((?:src|templates|test|scripts)\/[\w./-]*[\w/])/g)].map((m) => m[1]))];
  expect(named.length).toBeGreaterThan(20);
  expect(named.filter((p) => !existsSync(path.join(ROOT, p)))).toEqual([]);
});

/**
 * No import circle in src/ (or templates/): the test reads every file as text, follows each
 * relative import (type-only imports included: a type import still ties two files' meaning
 * together), and fails naming each circle it finds.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.\.?\/[^'"]+)['"]/gm;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(name) ? [p] : [];
  });
}

const rel = (p: string) => relative(ROOT, p).split(sep).join('/');

/** The file a relative specifier names: x.ts or x/index.ts. */
function resolve(from: string, spec: string): string | undefined {
  const base = join(dirname(from), spec);
  return [`${base}.ts`, join(base, 'index.ts'), base].find((p) => existsSync(p) && statSync(p).isFile());
}

/** file → the files it imports, from the text of the files. */
export function importGraph(paths: string[], read: (p: string) => string = (p) => readFileSync(p, 'utf8')): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const p of paths) {
    const deps = [...read(p).matchAll(SPEC)].map((m) => resolve(p, m[1])).filter((d): d is string => d !== undefined);
    graph.set(rel(p), [...new Set(deps.map(rel))]);
  }
  return graph;
}

/** The strongly connected components of more than one file, or of one file importing itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const sources = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'templates'))];

test('the walk sees the tree and its imports', () => {
  const graph = importGraph(sources);
  expect(graph.size).toBeGreaterThan(100);
  expect(graph.get('src/cli.ts')).toEqual(expect.arrayContaining(['src/commands/index.ts']));
});

test('no import circle in src/ or templates/', () => {
  expect(cycles(importGraph(sources))).toEqual([]);
});

describe('the cycle finder itself', () => {
  const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges));
  test('finds a circle of three, and a file that imports itself', () => {
    expect(cycles(g({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }))).toEqual([['a', 'b', 'c']]);
    expect(cycles(g({ a: ['a'] }))).toEqual([['a']]);
  });
  test('passes a tree with shared leaves', () => {
    expect(cycles(g({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([]);
  });
  test('reads type-only and re-export imports', () => {
    const text: Record<string, string> = {
      [join(ROOT, 'src/cli.ts')]: "import type { X } from './commands/types';\n",
      [join(ROOT, 'src/commands/types.ts')]: "export { Y } from '../cli';\n",
    };
    expect(cycles(importGraph(Object.keys(text), (p) => text[p]))).toEqual([['src/cli.ts', 'src/commands/types.ts']]);
  });
});

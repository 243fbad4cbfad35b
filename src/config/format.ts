/** Turn zod issues into one line each: `<file>: <key path>: <problem>; <fix>`. */
import type { z } from 'zod';

export function keyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(String(p)) ? (i ? '.' : '') + String(p) : `[${JSON.stringify(String(p))}]`))
    .join('');
}

function typeName(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function line(issue: z.core.$ZodIssue): string[] {
  const where = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map(
        (k) => `${keyPath([...where, k])}: is not a known key; remove it or fix its spelling`,
      );
    case 'invalid_type':
      if (issue.input === undefined) return [`${keyPath(where)}: is required; add it (${issue.message.replace(/^must be /, 'it must be ')})`];
      if (issue.message.startsWith('Invalid input')) {
        return [`${keyPath(where)}: expected ${issue.expected}, got ${typeName(issue.input)}; change it to a ${issue.expected}`];
      }
      return [`${keyPath(where)}: ${issue.message}, got ${typeName(issue.input)}`];
    case 'invalid_key':
      return [`${keyPath(where)}: ${issue.issues.map((i) => i.message).join('; ')}`];
    case 'invalid_element':
      return issue.issues.flatMap((i) => line({ ...i, path: [...where, issue.key as PropertyKey, ...i.path] } as z.core.$ZodIssue));
    default: {
      const got = 'input' in issue && issue.input !== undefined && typeof issue.input !== 'object' ? ` (got ${JSON.stringify(issue.input)})` : '';
      return [`${keyPath(where)}: ${issue.message}${got}`];
    }
  }
}

export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const issue of issues) {
    for (const l of line(issue)) {
      const full = `${file}: ${l}`;
      if (!seen.has(full)) {
        seen.add(full);
        out.push(full);
      }
    }
  }
  return out;
}

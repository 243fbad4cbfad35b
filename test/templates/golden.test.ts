/**
 * Golden files: every template rendered from config.example.json, byte for byte.
 * UPDATE_GOLDEN=1 npx jest test/templates/golden.test.ts rewrites them after a deliberate change.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { templateBody } from '../../src/plan';
import { fileName, renderAll } from '../../src/plan/all';
import { example } from './fixtures';

const DIR = path.join(__dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden templates for config.example.json', () => {
  const rendered = renderAll(example());

  it('renders the platform, both environments and every app in each', () => {
    expect(rendered.map((r) => fileName(r))).toEqual([
      'platform.json',
      'cluster-staging.json',
      'app-staging-shop.json',
      'app-staging-api.json',
      'app-staging-docs.json',
      'cluster-production.json',
      'app-production-shop.json',
      'app-production-api.json',
      'app-production-docs.json',
    ]);
  });

  if (update) mkdirSync(DIR, { recursive: true });
  for (const r of rendered) {
    const name = fileName(r);
    it(`${name} matches its golden file`, () => {
      const body = templateBody(r.template) + '\n';
      const file = path.join(DIR, name);
      if (update) writeFileSync(file, body);
      if (!existsSync(file)) throw new Error(`${file} is missing; run UPDATE_GOLDEN=1 npx jest test/templates/golden.test.ts`);
      expect(body).toBe(readFileSync(file, 'utf8'));
    });
  }

  it('has no stale golden files', () => {
    const expected = rendered.map((r) => fileName(r)).sort();
    expect(readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()).toEqual(expected);
  });
});

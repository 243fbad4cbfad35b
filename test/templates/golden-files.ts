/** One golden-file check per rendered template, and none stale: UPDATE_GOLDEN=1 rewrites them. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { templateBody } from '../../src/plan';
import { fileName, type Rendered } from '../../src/plan/all';

export function goldenFiles(dir: string, rendered: Rendered[], testFile: string): void {
  const update = process.env.UPDATE_GOLDEN === '1';
  if (update) mkdirSync(dir, { recursive: true });
  for (const r of rendered) {
    it(`${fileName(r)} matches its golden file`, () => {
      const body = templateBody(r.template) + '\n';
      const file = path.join(dir, fileName(r));
      if (update) writeFileSync(file, body);
      if (!existsSync(file)) throw new Error(`${file} is missing; run UPDATE_GOLDEN=1 npx jest ${testFile}`);
      expect(body).toBe(readFileSync(file, 'utf8'));
    });
  }
  it('has no stale golden files', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).sort()).toEqual(rendered.map((r) => fileName(r)).sort());
  });
}

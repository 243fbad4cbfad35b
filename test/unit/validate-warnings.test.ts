/** `cyclops validate` prints configWarnings on stderr and in its JSON result, and still exits 0. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli as cyclops } from '../support/run-cli';

test('an EC2 environment whose network interfaces cannot hold a 200% deployment is a warning, not an error', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-warn-'));
  const raw = JSON.parse(readFileSync(path.resolve(__dirname, '../../config.example.json'), 'utf8'));
  raw.environments.production.capacity.max = 2;
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(raw));
  const r = await cyclops(['validate', '--json'], { cwd: dir });
  expect(r.code).toBe(0);
  const warnings: string[] = r.json().warnings;
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/^environment production: 13 awsvpc tasks .* but 2 × t3\.medium hold only 4/);
  expect(r.stderr).toContain(`warning: ${warnings[0]}`);
});

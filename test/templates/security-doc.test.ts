/** docs/security.md carries the three policies for config.example.json exactly as `iam-policy` prints them. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { securityDoc } from '../../src/iam/security-doc';
import { operatorPolicies, whereFor } from '../../src/iam/operator';
import { example } from './fixtures';

const FILE = path.join(__dirname, '../../docs/security.md');

test('docs/security.md is up to date (UPDATE_DOCS=1 rewrites it)', () => {
  const want = securityDoc(example(), 'config.example.json');
  if (process.env.UPDATE_DOCS) writeFileSync(FILE, want);
  expect(readFileSync(FILE, 'utf8')).toBe(want);
});

test('the page holds each level\'s documents, every part of a split one', () => {
  const page = readFileSync(FILE, 'utf8');
  for (const level of ['admin', 'deploy', 'read'] as const) {
    const docs = operatorPolicies(example(), level, whereFor(example(), '<ACCOUNT_ID>'));
    for (const doc of docs) expect(page).toContain(JSON.stringify(doc, null, 2));
    if (docs.length > 1) expect(page).toContain(`cyclops iam-policy --for ${level} --part ${docs.length}`);
  }
});

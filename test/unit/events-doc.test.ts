/**
 * docs/events.md lists every event code (EVENT_DOCS in src/event-docs.ts, which tsc keeps in step
 * with the payload types); this fails when the file is stale. Regenerate with
 * `npm run build && node scripts/gen-events-doc.mjs`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_DOCS } from '../../src/event-docs';
import { documentedCodes, eventsMarkdown } from '../../src/report/events-doc';

const file = readFileSync(path.join(__dirname, '../../docs/events.md'), 'utf8');

test('docs/events.md is what scripts/gen-events-doc.mjs makes from src/events.ts', () => {
  expect(file).toBe(eventsMarkdown());
});

test('every code is listed once, and each is lowercase words joined by dots', () => {
  const codes = documentedCodes(file);
  expect(codes.sort()).toEqual(Object.keys(EVENT_DOCS).sort());
  expect(new Set(codes).size).toBe(codes.length);
  for (const c of codes) expect(c).toMatch(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/);
});

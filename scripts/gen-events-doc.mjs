#!/usr/bin/env node
// docs/events.md: every event code with how it is shown and what it means, generated from
// EVENT_DOCS in src/event-docs.ts through the built program (dist/cli.mjs).
// Usage: npm run build && node scripts/gen-events-doc.mjs [--check]
// --check writes nothing and exits 1 when docs/events.md differs from what it would write.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}docs/events.md`;
const { eventsMarkdown } = await import(new URL('../dist/cli.mjs', import.meta.url).href);
const text = await eventsMarkdown();
if (process.argv.includes('--check')) {
  let had = '';
  try {
    had = readFileSync(out, 'utf8');
  } catch {}
  if (had !== text) {
    console.error('docs/events.md is stale: run "npm run build && node scripts/gen-events-doc.mjs"');
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}

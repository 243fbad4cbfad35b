/**
 * docs/events.md: every event code, how it is shown and what it means, from EVENT_DOCS in
 * src/events.ts. Written by `npm run build && node scripts/gen-events-doc.mjs`; a unit test
 * fails when the file is stale.
 */
import type { EventCode } from '../events';
import { EVENT_DOCS } from '../event-docs';

export function eventsMarkdown(): string {
  const codes = (Object.keys(EVENT_DOCS) as EventCode[]).sort();
  const groups = new Map<string, EventCode[]>();
  for (const c of codes) {
    const g = c.split('.')[0];
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  const lines = [
    '# Events',
    '',
    '<!-- Generated from src/events.ts and src/event-docs.ts by scripts/gen-events-doc.mjs; do not edit. -->',
    '',
    'Every line cyclops writes to stderr while it works is an event with a stable `code` and a',
    'typed payload (`data`). With `--progress json` each event is one JSON line:',
    '',
    '```json',
    '{"time":"2030-01-01T10:00:00.000Z","level":"info","code":"deploy.port.allocated","message":"allocated port 20001","data":{"port":20001,"allocated":true}}',
    '```',
    '',
    '- `level`: `debug` (only with `--verbose`), `info` or `warning` (a failed resource or rollout is a warning).',
    '- `message`: the words a person reads; they may change. Match on `code` and `data`, never on `message`.',
    '- `data`: the payload, typed per code in `src/events.ts` (MessageData and StructuredData).',
    '- Shown as: `step` (›), `info`, `success` (✔), `warning`, `debug` (`--verbose`), `progress`',
    '  (a timestamped line) or `output` (stdout: `logs`).',
    '',
    `${codes.length} codes.`,
    '',
  ];
  for (const [group, list] of groups) {
    lines.push(`## ${group}`, '', '| code | shown as | meaning |', '| --- | --- | --- |');
    for (const c of list) lines.push(`| \`${c}\` | ${EVENT_DOCS[c].kind} | ${EVENT_DOCS[c].about.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The codes docs/events.md lists (its table rows). */
export function documentedCodes(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([a-z0-9.-]+)` \|/gm)].map((m) => m[1]);
}

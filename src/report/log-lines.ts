/**
 * How a log event looks: on a terminal a coloured `process/task` prefix (each process keeps
 * its colour), plain text otherwise, and one JSON object per line for `logs --follow --json`.
 */
import type { ChalkInstance } from 'chalk';
import type { LogLine } from '../plan/log-events';

const PALETTE = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'] as const;

/** The same process always gets the same colour. */
export function processColour(process: string): (typeof PALETTE)[number] {
  let h = 0;
  for (const ch of process) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** "2030-01-01T10:00:00.000Z web/3f2a9c1d hello": the task id shortened to 8 characters. */
export function formatLogLine(e: LogLine, c: ChalkInstance): string {
  const prefix = `${e.process}/${e.task.slice(0, 8)}`;
  return `${c.dim(e.timestamp)} ${c[processColour(e.process)](prefix)} ${e.message}`;
}

/** One NDJSON frame: a single line (JSON escapes every newline inside strings) ending in "\n". */
export function ndjson(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

import type { ChalkInstance } from 'chalk';

export interface Column<T> {
  header: string;
  get: (row: T) => string | number | undefined | null;
}

/** A plain aligned table; the header is bold when colour is on. */
export function formatTable<T>(rows: T[], columns: Column<T>[], c?: ChalkInstance): string {
  const cells = rows.map((r) => columns.map((col) => String(col.get(r) ?? '-')));
  const widths = columns.map((col, i) => Math.max(col.header.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) => vals.map((v, i) => (i === vals.length - 1 ? v : v.padEnd(widths[i]))).join('  ').trimEnd();
  const head = line(columns.map((col) => col.header.toUpperCase()));
  return [c ? c.bold(head) : head, ...cells.map(line)].join('\n');
}

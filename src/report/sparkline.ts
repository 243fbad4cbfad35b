/**
 * Terminal charts for `cyclops metrics`: one Unicode block sparkline per series, a gap (a space)
 * where there is no data, never a zero; min, max and last beside it; releases marked under the
 * time axis. Pure (a chalk instance decides colour), so it has golden files at fixed widths.
 */
import type { ChalkInstance } from 'chalk';

const BLOCKS = '▁▂▃▄▅▆▇█';

/** One block per value, scaled between the series' own min and max; null is a gap. */
export function sparkline(values: (number | null)[]): string {
  const known = values.filter((v): v is number => v !== null);
  if (!known.length) return ' '.repeat(values.length);
  const lo = Math.min(...known);
  const span = Math.max(...known) - lo;
  return values.map((v) => (v === null ? ' ' : BLOCKS[span === 0 ? (lo === 0 ? 0 : 3) : Math.round(((v - lo) / span) * (BLOCKS.length - 1))])).join('');
}

/** "12.3", "0.25", "1.2k", "3.4M": four characters or so. */
export function compact(v: number | null, unit = ''): string {
  if (v === null) return '-';
  const a = Math.abs(v);
  const n = a >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : a >= 1e4 ? `${(v / 1e3).toFixed(1)}k` : a >= 100 || Number.isInteger(v) ? v.toFixed(0) : a >= 1 ? v.toFixed(1) : v.toFixed(2);
  return `${n}${unit}`;
}

/** The series in `width` columns: each the mean of the values it covers (all null stays null). */
export function fit(values: (number | null)[], width: number): (number | null)[] {
  if (values.length <= width) return values;
  return Array.from({ length: width }, (_, i) => {
    const known = values.slice(Math.floor((i * values.length) / width), Math.floor(((i + 1) * values.length) / width)).filter((v): v is number => v !== null);
    return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
  });
}

export interface ChartRow {
  label: string;
  values: (number | null)[];
  unit?: string;
}

export interface ChartOptions {
  /** the whole line's width (80 on a terminal of 80 columns) */
  width: number;
  /** the time axis: first and last bucket's start (ms) */
  start: number;
  end: number;
  /** releases in the window: number and when */
  marks: { label: string; at: number }[];
  c: ChalkInstance;
}

const LABEL = 14;
/** "min 12.5% max 99.1% last 80.2%": three values of at most six characters */
const STATS = 32;

/** The chart lines: one per row, the release marks, and the axis's start and end times. */
export function renderChart(rows: ChartRow[], o: ChartOptions): string[] {
  const room = Math.max(10, o.width - LABEL - STATS - 2);
  // the time axis spans the chart's columns: the series' length, or the room there is
  const width = Math.min(room, Math.max(1, ...rows.map((r) => r.values.length)));
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  const lines = rows.map((r) => {
    const v = fit(r.values, width);
    const known = r.values.filter((x): x is number => x !== null);
    const last = [...r.values].reverse().find((x) => x !== null) ?? null;
    const stats = known.length ? `min ${compact(Math.min(...known), r.unit)} max ${compact(Math.max(...known), r.unit)} last ${compact(last, r.unit)}` : 'no data';
    return `${r.label.slice(0, LABEL).padEnd(LABEL)} ${o.c.cyan(sparkline(v).padEnd(width))} ${o.c.dim(stats.slice(0, STATS))}`;
  });
  const span = Math.max(1, o.end - o.start);
  const axis = Array.from({ length: width }, () => ' ');
  for (const m of o.marks) axis[Math.min(width - 1, Math.max(0, Math.floor(((m.at - o.start) / span) * width)))] = '^';
  const times = `${hhmm(o.start)}${' '.repeat(Math.max(1, width - 10))}${hhmm(o.end)}`;
  const out = [...lines];
  if (o.marks.length) out.push(`${'releases'.padEnd(LABEL)} ${o.c.yellow(axis.join('').trimEnd())}`, `${''.padEnd(LABEL)} ${o.c.dim(o.marks.map((m) => `${m.label} ${hhmm(m.at)}`).join(', '))}`);
  out.push(`${''.padEnd(LABEL)} ${o.c.dim(times)}`);
  return out;
}

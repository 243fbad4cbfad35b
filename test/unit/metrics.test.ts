/**
 * metrics: the chart renderer against golden files (fixed widths; colour on a terminal, and the
 * NO_COLOR / non-terminal form, which is the same text without escapes), and the operation over
 * the fakes: one batched query, periods aligned, gaps kept, the 5xx rate, releases in the window.
 * The moto end to end (PutMetricData, then the CLI) is test/integration/observe-e2e.test.ts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Chalk } from 'chalk';
import { align, errorRate, metrics, periodFor } from '../../src/ops/metrics';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { renderChart, sparkline, type ChartRow } from '../../src/report/sparkline';
import { failure, fakeOps } from './fakes/ops';

const golden = (name: string, text: string) => {
  const file = path.join(__dirname, 'golden', name);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
};

const start = Date.parse('2030-06-01T09:00:00Z');
const end = Date.parse('2030-06-01T12:00:00Z');
const wave = (n: number, gapFrom: number, gapTo: number) => Array.from({ length: n }, (_, i) => (i >= gapFrom && i < gapTo ? null : Math.round(50 + 40 * Math.sin(i / 4))));
const rows: ChartRow[] = [
  { label: 'web cpu', values: wave(36, 10, 14), unit: '%' },
  { label: 'web memory', values: Array.from({ length: 36 }, (_, i) => 40 + i), unit: '%' },
  { label: 'requests', values: Array.from({ length: 36 }, (_, i) => (i < 30 ? 1200 + 37 * i : null)) },
  { label: '5xx rate', values: Array.from({ length: 36 }, () => 0), unit: '%' },
  { label: 'p95 response', values: Array.from({ length: 36 }, () => null), unit: 's' },
];
const marks = [{ label: '41', at: Date.parse('2030-06-01T10:05:00Z') }, { label: '42', at: Date.parse('2030-06-01T11:30:00Z') }];

test('golden: 80 and 120 columns, no colour (NO_COLOR, or not a terminal): every line fits, gaps are spaces', () => {
  for (const width of [80, 120]) {
    const lines = renderChart(rows, { width, start, end, marks, c: new Chalk({ level: 0 }) });
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(width);
    golden(`metrics-${width}.txt`, lines.join('\n') + '\n');
  }
  const plain = renderChart(rows, { width: 80, start, end, marks, c: new Chalk({ level: 0 }) }).join('\n');
  expect(plain).not.toMatch(/\x1b\[/);
});

test('golden: on a colour terminal the same text, with escapes', () => {
  const lines = renderChart(rows, { width: 80, start, end, marks, c: new Chalk({ level: 1 }) });
  golden('metrics-80-color.txt', lines.join('\n') + '\n');
  expect(lines.join('\n').replace(/\x1b\[[0-9;]*m/g, '')).toBe(renderChart(rows, { width: 80, start, end, marks, c: new Chalk({ level: 0 }) }).join('\n'));
});

test('sparkline: a gap is a space, never the lowest block; a flat line is one height', () => {
  expect(sparkline([0, null, 10])).toBe('▁ █');
  expect(sparkline([null, null])).toBe('  ');
  expect(sparkline([5, 5])).toBe('▄▄');
  expect(sparkline([0, 0])).toBe('▁▁');
});

test('align, errorRate, periodFor: missing periods stay null; no requests is no rate', () => {
  expect(align([{ at: start + 60_000, value: 3 }, { at: start + 180_000, value: 5 }], start, 60_000, 4)).toEqual([null, 3, null, 5]);
  expect(errorRate([100, 0, null, 50], [5, 1, 2, null])).toEqual([5, null, null, 0]);
  expect([periodFor(3 * 3600), periodFor(600), periodFor(7 * 86400)]).toEqual([300, 60, 15120]);
});

const t = { platform: 'acme', env: 'staging', app: 'web' };
test('metrics over the fakes: one batched read of every series, aligned on the same periods, with the releases of the window', async () => {
  const f = fakeOps();
  f.ops.clock = () => Date.parse('2030-01-01T00:00:00Z');
  await deploy(f.ops, { target: t, image: 'shop:1', ref: parseImage('shop:1') });
  const at = Date.parse('2030-01-01T03:00:00Z');
  f.ops.clock = () => at;
  f.metricPoints.set('cpu0', [{ at: at - 3 * 3600_000 + 60_000, value: 12.5 }, { at: at - 600_000, value: 80 }]);
  f.calls.length = 0;
  const r = await metrics(f.ops, t, { since: at - 3 * 3600_000 });
  expect(f.calls.filter((c) => c === 'metrics.data')).toHaveLength(1);
  expect(r.periodSeconds).toBe(300);
  expect(r.timestamps).toHaveLength(36);
  const cpu = r.series.find((s) => s.name === 'web cpu')!;
  expect(cpu.values.filter((v) => v !== null)).toEqual([12.5, 80]);
  expect(cpu.values[0]).toBe(12.5);
  expect(cpu.values.filter((v) => v === null)).toHaveLength(34);
  expect(r.series.map((s) => s.name)).toEqual(['web cpu', 'web memory', 'worker cpu', 'worker memory']);
  expect(r.releases.map((x) => x.number)).toEqual([1]);
  // the fake env has no load balancer output: said, not hidden
  expect(r.notes).toEqual([expect.stringMatching(/^no load balancer metrics/)]);
  expect((await failure(metrics(f.ops, t, { since: at - 3600_000, process: 'cron' }))).message).toMatch(/^metrics --process cron: web has no cron service/);
});

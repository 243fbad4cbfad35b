#!/usr/bin/env node
// Median wall time of cyclops start-up beside `node -e 0`, measured in one run.
// Usage: npm run build && node bench/startup.mjs [runs] [--max RATIO]
// The target is 1.25x `node -e 0` for --version, --help and a usage error, on Node 20 and on
// Node 22 (`npx -y node@22 bench/startup.mjs`). With --max it exits 1 when one of those is
// above RATIO; without, it only prints (CI prints the figures and never fails on timing).
// It is a benchmark, not a timed test: on a loaded machine every ratio grows, so the load
// average is printed beside the figures; compare runs made under similar load.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const maxAt = args.indexOf('--max');
const max = maxAt >= 0 ? Number(args.splice(maxAt, 2)[1]) : null;
const TARGET = 1.25;
const runs = Number(args[0] ?? 21);
if (!Number.isInteger(runs) || runs < 1 || (max !== null && !(max > 0))) {
  console.error('usage: node bench/startup.mjs [runs] [--max RATIO], e.g. node bench/startup.mjs 41 --max 1.25');
  process.exit(2);
}
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const bin = path.join(root, 'bin', 'cyclops');
const example = path.join(root, 'config.example.json');

const cases = [
  ['node -e 0', ['-e', '0']],
  ['cyclops --version', [bin, '--version']],
  ['cyclops --help', [bin, '--help']],
  ['cyclops usage error', [bin, 'deploy'], 2],
  ['cyclops synth app', [bin, '--config', example, 'synth', 'app', 'shop', 'staging', '--image', 'nginx:1.27']],
];

function once(args, status = 0) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== status) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
const loadBefore = load();
for (const [, args, status] of cases) once(args, status); // warm the file cache (and write the code cache)
// Interleave the cases so that machine noise hits all of them alike.
const samples = Object.fromEntries(cases.map(([n]) => [n, []]));
for (let i = 0; i < runs; i++) for (const [name, args, status] of cases) samples[name].push(once(args, status));
const base = median(samples['node -e 0']);
console.log(`start-up, median of ${runs} runs (node ${process.version}; load average ${loadBefore} before, ${load()} after, ${os.cpus().length} cpus)`);
for (const [name] of cases) {
  const m = median(samples[name]);
  results[name] = m;
  console.log(`${name.padEnd(20)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}x node -e 0`);
}
const checked = ['cyclops --version', 'cyclops --help', 'cyclops usage error'];
const worst = Math.max(...checked.map((n) => results[n] / base));
console.log(`slowest of ${checked.join(', ')}: ${worst.toFixed(2)}x node -e 0 (target ${TARGET}x)`);
if (max !== null && worst > max) {
  console.error(`start-up: ${worst.toFixed(2)}x node -e 0, above the limit of ${max}x`);
  process.exit(1);
}

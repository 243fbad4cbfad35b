#!/usr/bin/env node
// Median wall time of cyclops start-up beside `node -e 0`, measured in one run.
// Usage: npm run build && node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 21);
const bin = path.join(root, 'bin', 'cyclops');
const example = path.join(root, 'config.example.json');

const cases = [
  ['node -e 0', ['-e', '0']],
  ['cyclops --version', [bin, '--version']],
  ['cyclops --help', [bin, '--help']],
  ['cyclops synth app', [bin, '--config', example, 'synth', 'app', 'shop', 'staging', '--image', 'nginx:1.27']],
];

function once(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const [name, args] of cases) once(args); // warm the file cache
// Interleave the cases so that machine noise hits all of them alike.
const samples = Object.fromEntries(cases.map(([n]) => [n, []]));
for (let i = 0; i < runs; i++) for (const [name, args] of cases) samples[name].push(once(args));
const base = median(samples['node -e 0']);
console.log(`start-up, median of ${runs} runs (node ${process.version})`);
for (const [name] of cases) {
  const m = median(samples[name]);
  results[name] = m;
  console.log(`${name.padEnd(20)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}x node -e 0`);
}

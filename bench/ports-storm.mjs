#!/usr/bin/env node
// K concurrent first deploys of distinct apps on one environment, against moto: how many
// succeed, whether ports (= listener-rule priorities) are distinct, and how many reads of
// ports.json each allocation took (the "ports.json: ... after N attempt(s)" debug line).
// The deploys run in this process (cyclops's main(), one context each): K processes at once
// would measure the machine's memory, not the allocation.
// Usage: npm run build && node bench/ports-storm.mjs [K]
import { median, startMoto } from './moto.mjs';

process.setMaxListeners(0); // every in-process command watches SIGINT/SIGTERM/SIGHUP

const K = Number(process.argv[2] ?? 100);
if (!Number.isInteger(K) || K < 1) {
  console.error('usage: node bench/ports-storm.mjs [K], e.g. node bench/ports-storm.mjs 100');
  process.exit(2);
}
const names = Array.from({ length: K }, (_, i) => `app${String(i).padStart(3, '0')}`);
const apps = Object.fromEntries(names.map((n) => [n, { processes: { web: { port: 8080 } }, database: false }]));
const moto = await startMoto(apps);
try {
  moto.cli('bootstrap');
  moto.cli('env', 'create', 'staging');
  const started = Date.now();
  const runs = await Promise.all(names.map((app) => moto.inProcess('--verbose', 'deploy', 'nginx:1.27', app, 'staging', '--json')));
  const wallMs = Date.now() - started;
  const ok = runs.filter((r) => r.code === 0);
  const attempts = ok.map((r) => Number(/ports\.json: \S+ in \S+ has port \d+ after (\d+) attempt/.exec(r.stderr)?.[1] ?? NaN));
  const ports = ok.map((r) => JSON.parse(r.stdout).port);
  const file = JSON.parse(moto.cli('ports', 'list', 'staging', '--json').stdout).ports;
  console.log(`ports storm: ${K} concurrent first deploys on one environment (node ${process.version}), wall ${(wallMs / 1000).toFixed(1)} s`);
  console.log(`successes: ${ok.length} of ${K}`);
  console.log(`distinct ports (= listener-rule priorities): ${new Set(ports).size}; in ports.json: ${file.length} apps, ${new Set(file.map((p) => p.port)).size} distinct ports`);
  if (attempts.length) {
    const hist = Object.entries(attempts.reduce((h, a) => ({ ...h, [a]: (h[a] ?? 0) + 1 }), {})).map(([a, k]) => `${a}: ${k}`);
    console.log(`allocation attempts: median ${median(attempts)}, max ${Math.max(...attempts)} (attempts: deploys ${hist.join(', ')})`);
  }
  const failures = runs.filter((x) => x.code !== 0).map((r) => `exit ${r.code}: ${(r.stderr.split('\n').filter((l) => l.startsWith('error:')).pop() ?? r.stderr.trim().split('\n').pop()).slice(0, 240)}`);
  const counted = Object.entries(failures.reduce((m, f) => ({ ...m, [f]: (m[f] ?? 0) + 1 }), {}));
  for (const [f, k] of counted.slice(0, 8)) console.log(`failed ×${k} (${f})`);
  if (ok.length !== K || new Set(ports).size !== K) process.exitCode = 1;
} finally {
  moto.stop();
}

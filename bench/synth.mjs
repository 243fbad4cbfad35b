#!/usr/bin/env node
// Time to render (and serialise to canonical JSON) the app templates of 100 apps.
// Bundles the plan module on the fly with esbuild, so it needs no prior build.
// Usage: node bench/synth.mjs [apps] [runs]      target: 100 apps in under 0.5 s
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const apps = Number(process.argv[2] ?? 100);
const runs = Number(process.argv[3] ?? 7);

const entry = `export * from './src/plan'; export { parseConfig } from './src/config/load';`;
const out = await build({
  stdin: { contents: entry, resolveDir: root, loader: 'ts' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  write: false,
  external: ['cosmiconfig'],
  logLevel: 'warning',
});
const mod = { exports: {} };
new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
const { parseConfig, renderApp, templateBody } = mod.exports;

// The example config with `apps` apps: web + worker + cron, secrets, env vars and a database each.
const raw = JSON.parse(readFileSync(path.join(root, 'config.example.json'), 'utf8'));
const shop = raw.apps.shop;
raw.apps = Object.fromEntries(Array.from({ length: apps }, (_, i) => [`app${i}`, shop]));
const config = parseConfig(raw, 'bench.json');

function once() {
  const t = process.hrtime.bigint();
  let bytes = 0;
  for (let i = 0; i < apps; i++) bytes += templateBody(renderApp(config, 'production', `app${i}`, { port: 20000 + i })).length;
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, bytes };
}

const first = once();
const times = [first.ms];
for (let i = 1; i < runs; i++) times.push(once().ms);
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
console.log(`render + canonical JSON of ${apps} app templates (web + worker + cron, node ${process.version})`);
console.log(`first run ${first.ms.toFixed(1)} ms, median of ${runs} runs ${median.toFixed(1)} ms, ${(first.bytes / 1024).toFixed(0)} KiB of JSON`);
console.log(`target < 500 ms: ${first.ms < 500 && median < 500 ? 'met' : 'NOT met'}`);

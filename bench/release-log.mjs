#!/usr/bin/env node
// The day-2 reads at a release log of N records, against moto: deploy an app once, forge
// N - 1 more records after it through cyclops's own record writer (src/store writeRelease,
// bundled here by esbuild), then run `releases`, `releases --limit 5`, `rollback --dry-run`
// and the unchanged redeploy through the binary and print, for each, the AWS calls (S3 ones
// apart), the wall time and the peak RSS.
// Usage: npm run build && node bench/release-log.mjs [N]
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, startMoto } from './moto.mjs';

const N = Number(process.argv[2] ?? 1000);
if (!Number.isInteger(N) || N < 2) {
  console.error('usage: node bench/release-log.mjs [N], e.g. node bench/release-log.mjs 5000 (N >= 2)');
  process.exit(2);
}

/** src/store and the AWS client, bundled for this script. */
async function storeModule(dir) {
  const out = path.join(dir, 'store.mjs');
  await build({
    stdin: { contents: "export { connect } from './src/aws/client'; export { writeRelease, readRelease } from './src/store';", resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    nodePaths: [path.join(root, 'node_modules')],
  });
  return import(pathToFileURL(out).href);
}

const moto = await startMoto({ web: { processes: { web: { port: 8080 } }, database: false } });
try {
  moto.cli('bootstrap');
  moto.cli('env', 'create', 'staging');
  moto.cli('deploy', 'nginx:1.27', 'web', 'staging');
  const { connect, writeRelease, readRelease } = await storeModule(moto.dir);
  const config = JSON.parse(readFileSync(moto.configFile, 'utf8'));
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' });
  const aws = await connect({ region: 'eu-west-1', endpoint: moto.endpoint });
  const state = await readRelease(aws, config, 'staging', 'web');
  const first = state.record;
  const forgeStarted = Date.now();
  // Copies of the real release: the newest stays current and matches the stack, so the
  // unchanged redeploy is still the fast path and rollback has a template to go back to.
  for (let i = 2; i <= N; i++) {
    await writeRelease(aws, config, 'staging', 'web', { ...first, number: undefined }, {});
    if (i % 500 === 0) process.stderr.write(`forged ${i} of ${N} records\n`);
  }
  const forgeS = ((Date.now() - forgeStarted) / 1000).toFixed(0);
  console.log(`release log of ${N} records (forged in ${forgeS} s), node ${process.version}`);
  const cases = [
    ['releases', ['releases', 'web', 'staging', '--json']],
    ['releases --limit 5', ['releases', 'web', 'staging', '--limit', '5', '--json']],
    ['rollback --dry-run', ['rollback', 'web', 'staging', '--dry-run', '--json']],
    ['unchanged redeploy', ['deploy', 'nginx:1.27', 'web', 'staging', '--json']],
  ];
  console.log(`${'command'.padEnd(22)} ${'calls'.padStart(6)} ${'S3'.padStart(5)} ${'wall'.padStart(9)} ${'peak RSS'.padStart(10)}`);
  for (const [name, args] of cases) {
    const r = moto.cli('--verbose', ...args);
    const s3 = r.calls.filter((c) => c.startsWith('S3.')).length;
    console.log(`${name.padEnd(22)} ${String(r.calls.length).padStart(6)} ${String(s3).padStart(5)} ${(r.ms.toFixed(0) + ' ms').padStart(9)} ${(r.rssMiB === null ? '?' : r.rssMiB.toFixed(0) + ' MiB').padStart(10)}`);
  }
} finally {
  moto.stop();
}

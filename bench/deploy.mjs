#!/usr/bin/env node
// Unchanged redeploy against moto: wall time and the number of AWS calls.
// Starts its own moto_server (with MOTO_ECS_SERVICE_RUNNING=1) and the test proxy, bootstraps
// a platform, creates an environment, deploys once, then times N redeploys of the same image.
// Usage: npm run build && node bench/deploy.mjs [runs]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const bin = path.join(root, 'bin', 'cyclops');

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
async function waitFor(url) {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} did not come up`);
}

const motoPort = await freePort();
const proxyPort = await freePort();
const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(motoPort)], { stdio: 'ignore', env: { ...process.env, MOTO_ECS_SERVICE_RUNNING: '1' } });
await waitFor(`http://127.0.0.1:${motoPort}/moto-api/`);
const proxy = spawn(process.execPath, [path.join(root, 'test/support/moto-proxy.mjs'), String(motoPort), String(proxyPort)], { stdio: 'ignore' });
await waitFor(`http://127.0.0.1:${proxyPort}/moto-api/`);

// An existing zone for the environment: moto cannot resolve the name servers of a zone the
// environment stack creates itself.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // cyclops silences it the same way (bin/cyclops)
const { Route53Client, CreateHostedZoneCommand } = await import('@aws-sdk/client-route-53');
const r53 = new Route53Client({ region: 'eu-west-1', endpoint: `http://127.0.0.1:${motoPort}`, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
const zone = await r53.send(new CreateHostedZoneCommand({ Name: 'staging.bench.dev.', CallerReference: String(Date.now()) }));
const hostedZoneId = zone.HostedZone.Id.replace('/hostedzone/', '');
r53.destroy();

const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-bench-'));
writeFileSync(
  path.join(dir, 'config.json'),
  JSON.stringify({
    platform: { name: 'bench', region: 'eu-west-1', bucket: 'bench-config' },
    environments: { staging: { dns: { domain: 'staging.bench.dev', hostedZoneId }, database: { type: 'none' } } },
    apps: { web: { processes: { web: { port: 8080 }, worker: { command: ['worker'] } }, database: false } },
  }),
);
const env = { ...process.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${proxyPort}`, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', NO_COLOR: '1' };
const cli = (...args) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`cyclops ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stderr: r.stderr, stdout: r.stdout };
};

try {
  cli('bootstrap');
  cli('env', 'create', 'staging');
  cli('deploy', 'nginx:1.27', 'web', 'staging');
  const times = [];
  let calls = [];
  for (let i = 0; i < runs; i++) {
    const r = cli('--verbose', 'deploy', 'nginx:1.27', 'web', 'staging', '--json');
    if (JSON.parse(r.stdout).changed !== false) throw new Error('the redeploy was not a no-op');
    times.push(r.ms);
    calls = [...r.stderr.matchAll(/^aws (\S+) /gm)].map((m) => m[1]);
  }
  times.sort((a, b) => a - b);
    console.log(`unchanged redeploy against moto, ${runs} runs (node ${process.version})`);
  console.log(`wall time: median ${times[Math.floor(runs / 2)].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[runs - 1].toFixed(0)} ms (target < 3000 ms)`);
  const changeSets = calls.filter((c) => /ChangeSet/.test(c)).length;
  const writes = calls.filter((c) => /^CloudFormation\.(Create|Update|Execute|Delete)/.test(c)).length;
  console.log(`AWS calls: ${calls.length} in all, lock and the re-check under it included (target <= 7); ${changeSets} change-set calls, ${writes} CloudFormation writes (target 0)`);
  if (calls.length > 7 || changeSets || writes) process.exitCode = 1;
  const counts = {};
  for (const c of calls) counts[c] = (counts[c] ?? 0) + 1;
  for (const [c, n] of Object.entries(counts)) console.log(`  ${String(n).padStart(2)}  ${c}`);
} finally {
  proxy.kill();
  moto.kill();
}

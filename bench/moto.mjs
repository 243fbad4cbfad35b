// What the moto benchmarks share: a moto_server (MOTO_ECS_SERVICE_RUNNING=1) behind the
// test proxy (test/support/moto-proxy.mjs), a hosted zone for the environment, a config
// file, and two ways to run cyclops: the binary (`cli`, one process per call) and in this
// process (`inProcess`, for many concurrent commands without a process each).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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

/**
 * Start moto and the proxy; write a config with `apps` (name → app config) in a temporary
 * directory. Returns { dir, endpoint, env, cli, inProcess, stop }.
 */
export async function startMoto(apps, { range = [10000, 10999] } = {}) {
  const motoPort = await freePort();
  const proxyPort = await freePort();
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(motoPort)], { stdio: 'ignore', env: { ...process.env, MOTO_ECS_SERVICE_RUNNING: '1' } });
  await waitFor(`http://127.0.0.1:${motoPort}/moto-api/`);
  const proxy = spawn(process.execPath, [path.join(root, 'test/support/moto-proxy.mjs'), String(motoPort), String(proxyPort)], { stdio: 'ignore' });
  await waitFor(`http://127.0.0.1:${proxyPort}/moto-api/`);
  const stop = () => {
    proxy.kill();
    moto.kill();
  };

  // An existing zone for the environment: moto cannot resolve the name servers of a zone the
  // environment stack creates itself.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // cyclops silences it the same way (bin/cyclops)
  const { Route53Client, CreateHostedZoneCommand } = await import('@aws-sdk/client-route-53');
  const r53 = new Route53Client({ region: 'eu-west-1', endpoint: `http://127.0.0.1:${motoPort}`, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const zone = await r53.send(new CreateHostedZoneCommand({ Name: 'staging.bench.dev.', CallerReference: String(Date.now()) }));
  const hostedZoneId = zone.HostedZone.Id.replace('/hostedzone/', '');
  r53.destroy();

  const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-bench-'));
  const configFile = path.join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      platform: { name: 'bench', region: 'eu-west-1', bucket: 'bench-config' },
      environments: { staging: { dns: { domain: 'staging.bench.dev', hostedZoneId }, database: { type: 'none' } } },
      ports: { range },
      apps,
    }),
  );
  const endpoint = `http://127.0.0.1:${proxyPort}`;
  const env = { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'eu-west-1', NO_COLOR: '1' };

  /** One run of the binary; `time` wraps it in /usr/bin/time for the peak RSS. */
  const cli = (...args) => {
    const t = process.hrtime.bigint();
    const withTime = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, ...args], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28 });
    const r = withTime.error ? spawnSync(process.execPath, [bin, ...args], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28 }) : withTime;
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    let stderr = r.stderr;
    let rssMiB = null;
    if (!withTime.error) {
      const lines = stderr.trimEnd().split('\n');
      rssMiB = Number(lines.pop()) / 1024;
      stderr = lines.join('\n');
    }
    if (r.status !== 0) throw new Error(`cyclops ${args.join(' ')} exited ${r.status}: ${stderr}`);
    const calls = [...stderr.matchAll(/^aws (\S+) /gm)].map((m) => m[1]);
    return { ms, stderr, stdout: r.stdout, calls, rssMiB };
  };

  /** cyclops's main() in this process: for many commands at once (exit code, stdout, stderr). */
  let main;
  const inProcess = async (...args) => {
    if (!main) {
      Object.assign(process.env, { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', NO_COLOR: '1' });
      ({ main } = await import(pathToFileURL(path.join(root, 'dist', 'cli.mjs')).href));
    }
    const out = { text: '' };
    const err = { text: '' };
    const stream = (sink) => new Writable({ write: (c, _e, done) => ((sink.text += c), done()) });
    let code = 0;
    await main([process.execPath, 'cyclops', '--config', configFile, ...args], { stdout: stream(out), stderr: stream(err) }, (c) => (code = c));
    return { code, stdout: out.text, stderr: err.text };
  };

  return { dir, configFile, endpoint, env, cli, inProcess, stop };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

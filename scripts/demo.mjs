#!/usr/bin/env node
// `npm run demo`: cyclops end to end on a local AWS emulator, for newcomers.
//
// With moto_server installed (on PATH or in the pyenv shims), it starts moto on a free port
// behind test/support/moto-proxy.mjs (which keeps bucket policies, as the tests do), and runs
// init → bootstrap → env create → deploy → status → releases (when that command exists) →
// destroy through the built binary, saying after each step what it did in AWS terms.
// Without moto (or with CYCLOPS_DEMO_OFFLINE=1) it says how to get moto and runs the offline
// `synth` tour instead.
// It always cleans up: moto and the proxy are stopped and the temp directory removed, also
// on failure and on Ctrl-C (exit 130).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'cyclops');
const REGION = 'eu-west-1';
const PLATFORM = 'demo';
const DOMAIN = 'demo.test';

const children = [];
let dir;
let cleaned = false;

function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`\ndemo: interrupted; stopping moto and removing ${dir ?? 'the temp directory'}\n`);
    cleanup();
    process.exit(130);
  });
}
process.on('exit', cleanup);

const say = (text) => process.stdout.write(`${text}\n`);
const step = (n, text) => say(`\n== ${n}. ${text}`);
const aws = (text) => say(`   AWS: ${text}`);

function which(bin) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter);
  const pyenv = spawnSync('pyenv', ['root'], { encoding: 'utf8' });
  dirs.push(path.join(pyenv.status === 0 ? pyenv.stdout.trim() : path.join(os.homedir(), '.pyenv'), 'shims'));
  for (const d of dirs) {
    const p = path.join(d, bin);
    if (existsSync(p) && spawnSync(p, ['--help'], { stdio: 'ignore' }).status === 0) return p;
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

/** Run the built binary; stdout is parsed as JSON when --json is among the arguments. */
function cyclops(args, env, { allowFail = false } = {}) {
  say(`$ cyclops ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, ...env, NO_COLOR: '1' }, encoding: 'utf8' });
  if (r.status !== 0 && !allowFail) {
    process.stderr.write(r.stderr);
    throw new Error(`cyclops ${args.join(' ')} exited ${r.status}`);
  }
  return { code: r.status, stderr: r.stderr, json: () => JSON.parse(r.stdout), stdout: r.stdout };
}

function ensureBuilt() {
  if (existsSync(path.join(ROOT, 'dist', 'cli.mjs'))) return;
  say('building cyclops (dist/ is missing) …');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the build failed');
}

async function startMoto(bin) {
  const port = await freePort();
  children.push(spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', env: { ...process.env, MOTO_ECS_SERVICE_RUNNING: '1' } }));
  await waitFor(`http://127.0.0.1:${port}/moto-api/`, 20000);
  const proxyPort = await freePort();
  children.push(spawn(process.execPath, [path.join(ROOT, 'test', 'support', 'moto-proxy.mjs'), String(port), String(proxyPort)], { stdio: 'ignore' }));
  const endpoint = `http://127.0.0.1:${proxyPort}`;
  await waitFor(`${endpoint}/moto-api/`, 10000);
  return endpoint;
}

/** An existing hosted zone for staging: moto cannot resolve the NameServers of a zone a stack creates. */
async function createZone(endpoint, domain) {
  const { Route53Client, CreateHostedZoneCommand } = await import('@aws-sdk/client-route-53');
  const client = new Route53Client({ region: REGION, endpoint, credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } });
  try {
    const out = await client.send(new CreateHostedZoneCommand({ Name: `${domain}.`, CallerReference: `demo-${Date.now()}` }));
    return out.HostedZone.Id.replace('/hostedzone/', '');
  } finally {
    client.destroy();
  }
}

async function motoTour(motoBin) {
  step(0, 'start the local AWS emulator');
  const endpoint = await startMoto(motoBin);
  say(`   moto_server on ${endpoint} (through the tests' bucket-policy proxy); nothing leaves this machine`);
  const env = { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'demo', AWS_SECRET_ACCESS_KEY: 'demo', AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true' };

  step(1, 'init: a starter config.json');
  cyclops(['init', '--name', PLATFORM, '--domain', DOMAIN], env);
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const zone = await createZone(endpoint, `staging.${DOMAIN}`);
  // The emulator has no database server to log in to, and reports a finished rollout for one task.
  config.environments = { staging: { ...config.environments.staging, dns: { domain: `staging.${DOMAIN}`, hostedZoneId: zone }, database: { type: 'none' } } };
  for (const a of Object.values(config.apps)) for (const p of Object.values(a.processes ?? {})) if (p.count) p.count = 1;
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  say(`   wrote config.json: platform "${PLATFORM}", environment staging (Route 53 zone ${zone}, no database in the demo)`);

  step(2, 'bootstrap: the config bucket and the platform stack');
  const boot = cyclops(['bootstrap', '--json'], env).json();
  aws(`S3 bucket ${boot.bucket} ${boot.created ? 'created' : 'exists'} (${boot.settings.join(', ')})`);
  aws(`CloudFormation stack ${boot.platform.stack}: ${boot.platform.status}; ECR repositories and the service role ${boot.platform.outputs.ServiceRoleArn ?? '(none)'}`);

  step(3, 'env create staging: VPC, ECS cluster, load balancer, DNS');
  const envOut = cyclops(['env', 'create', 'staging', '--json'], env).json();
  aws(`CloudFormation stack ${envOut.stack}: ${envOut.status}, created as the service role (RoleARN); cluster ${envOut.outputs.ClusterName ?? '?'}`);
  aws(`template stored in s3://${boot.bucket}/${envOut.template.key}`);

  step(4, 'deploy nginx:1.27 as web in staging');
  const dep = cyclops(['deploy', 'nginx:1.27', 'web', 'staging', '--json'], env).json();
  aws(`port ${dep.port} allocated in ports.json (S3, conditional write); stack ${dep.stack}: ${dep.status}`);
  aws(`ECS services ${dep.services.map((s) => `${s.name} ${s.running}/${s.desired}`).join(', ') || '(none)'}; listener rule and Route 53 alias for ${dep.url}`);
  aws(`release ${dep.release?.number ?? '?'} recorded in s3://${boot.bucket}/releases/staging/web…`);

  step(5, 'status web staging');
  const st = cyclops(['status', 'web', 'staging', '--json'], env).json();
  aws(`DescribeStacks + ECS DescribeServices: ${st.status}, image ${st.image}, ${st.processes.map((p) => `${p.name} ${p.running}/${p.desired}`).join(', ')}`);

  step(6, 'releases web staging');
  if (/Usage: cyclops releases/.test(cyclops(['releases', '--help'], env, { allowFail: true }).stdout)) {
    const rel = cyclops(['releases', 'web', 'staging', '--json'], env, { allowFail: true });
    if (rel.code === 0) aws(`release records read from s3://${boot.bucket}/releases/: ${rel.stdout.trim().split('\n').length} line(s) of JSON`);
    else say(`   (releases exited ${rel.code}: ${rel.stderr.trim().split('\n')[0]})`);
  } else {
    say('   skipped: this build has no "releases" command yet');
  }

  step(7, 'destroy web staging');
  const des = cyclops(['destroy', 'web', 'staging', '--yes', '--json'], env).json();
  aws(`DeleteStack ${des.stack} (as the service role): ${des.deleted ? 'deleted' : 'was not there'}; port ${des.port ?? '-'} released`);
}

function offlineTour() {
  say('moto_server is not installed, so this is the offline tour (no AWS, no emulator).');
  say('For the full local demo install moto:  pip install "moto[server]"   (then run npm run demo again)');
  step(1, 'init: a starter config.json');
  cyclops(['init', '--name', PLATFORM, '--domain', DOMAIN], {});
  step(2, 'validate the config');
  cyclops(['validate'], {});
  step(3, 'synth --all: every CloudFormation template cyclops would deploy');
  cyclops(['synth', '--all', '--out', 'out'], {});
  for (const f of readdirSync(path.join(dir, 'out')).sort()) {
    const t = JSON.parse(readFileSync(path.join(dir, 'out', f), 'utf8'));
    const types = [...new Set(Object.values(t.Resources).map((r) => r.Type))];
    say(`   ${f}: ${Object.keys(t.Resources).length} resources (${types.slice(0, 6).join(', ')}${types.length > 6 ? ', …' : ''})`);
  }
  step(4, 'iam-policy --for deploy: what a CI job needs');
  const pol = cyclops(['iam-policy', '--for', 'deploy', '--offline', '--json'], {}).json();
  say(`   ${pol.policies.flatMap((p) => p.Statement).length} statements in ${pol.parts} managed polic${pol.parts === 1 ? "y" : "ies"}, scoped to the platform's bucket, stacks, services and secrets`);
}

async function main() {
  ensureBuilt();
  dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-demo-'));
  const moto = process.env.CYCLOPS_DEMO_OFFLINE ? null : which('moto_server');
  if (moto) await motoTour(moto);
  else offlineTour();
  say(`\ndemo: done; ${moto ? 'moto stopped, ' : ''}temp directory removed`);
}

main()
  .then(() => {
    cleanup();
    process.exit(0);
  })
  .catch((e) => {
    process.stderr.write(`demo: failed: ${e.message}\n`);
    cleanup();
    process.exit(1);
  });

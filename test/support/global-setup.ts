/**
 * One moto_server and one PostgreSQL for the whole run, on free ports. Their addresses go to
 * the test files through environment variables (MOTO_ENDPOINT, PG_ADMIN_URL). Missing tools
 * fail loudly: these tests never skip. The suite log (./suite-log.ts) starts here: every moto proxy
 * of the run records the requests it sees into it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, existsSync, chownSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startSuiteLog } from './suite-log';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

function which(bin: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Resolves once the child has exited; SIGKILL if it ignores SIGTERM for `ms`. */
function stopChild(child: ChildProcess, ms = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * moto_server and the proxy in front of it; `stop` resolves once both have exited. A test
 * file that needs services of more than one task to complete their rollout starts its own
 * with a larger `ecsRunning` (and `exportEnv` false).
 */
export async function startMoto(ecsRunning = 1, exportEnv = true, env: Record<string, string> = {}): Promise<{ endpoint: string; direct: string; stop: () => Promise<void> }> {
  const bin = which('moto_server');
  if (!bin) throw new Error('moto_server is not on PATH: the AWS integration tests need it (pip install "moto[server]", or add the pyenv shims to PATH)');
  const port = await freePort();
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => stopChild(c)));
  };
  try {
    // moto_server with the suite's patches (moto-server.py), when python3 is moto's interpreter
    const python = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;
    const [cmd, args] = python ? ['python3', [path.join(__dirname, 'moto-server.py')]] : [bin, []];
    children.push(spawn(cmd, [...args, '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', env: { ...process.env, MOTO_ECS_SERVICE_RUNNING: String(ecsRunning), ...env } }));
    const direct = `http://127.0.0.1:${port}`;
    await waitFor(`${direct}/moto-api/`, 20000);
    // Tests talk to moto through a proxy that keeps bucket policies (see moto-proxy.mjs).
    const proxyPort = await freePort();
    children.push(spawn(process.execPath, [path.join(__dirname, 'moto-proxy.mjs'), String(port), String(proxyPort)], { stdio: 'ignore' }));
    const endpoint = `http://127.0.0.1:${proxyPort}`;
    await waitFor(`${endpoint}/moto-api/`, 10000);
    if (exportEnv) {
      process.env.MOTO_ENDPOINT = endpoint;
      process.env.MOTO_DIRECT_ENDPOINT = direct;
    }
    return { endpoint, direct, stop };
  } catch (e) {
    await stop(); // a failed start leaves nothing running
    throw e;
  }
}

function pgBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')));
  versions.sort((a, b) => Number(a) - Number(b));
  return versions.length ? path.join(root, versions[versions.length - 1], 'bin') : null;
}

async function startPostgres(): Promise<{ stop: () => void }> {
  const bin = pgBin();
  if (!bin) throw new Error('PostgreSQL server binaries are missing (/usr/lib/postgresql/*/bin/initdb): apt-get install -y postgresql');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (args: string[]) => {
    const cmd = asRoot ? 'runuser' : args[0];
    const argv = asRoot ? ['-u', 'postgres', '--', ...args] : args.slice(1);
    const r = spawnSync(cmd, argv, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  };
  if (asRoot) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()));
  const port = await freePort();
  run([path.join(bin, 'initdb'), '-D', `${dir}/data`, '-U', 'postgres', '-A', 'scram-sha-256', '--pwfile', writePw(dir), '--no-sync']);
  run([
    path.join(bin, 'pg_ctl'), '-D', `${dir}/data`, '-w', '-l', `${dir}/log`, 'start',
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c password_encryption=scram-sha-256`,
  ]);
  process.env.PG_ADMIN_URL = `postgres://postgres:${PG_ADMIN_PASSWORD}@127.0.0.1:${port}/postgres`;
  process.env.PG_HOST = '127.0.0.1';
  process.env.PG_PORT = String(port);
  process.env.PG_ADMIN_USER = 'postgres';
  process.env.PG_ADMIN_PASSWORD = PG_ADMIN_PASSWORD;
  return {
    stop: () => {
      run([path.join(bin, 'pg_ctl'), '-D', `${dir}/data`, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  function writePw(d: string): string {
    const f = path.join(d, 'pw');
    writeFileSync(f, PG_ADMIN_PASSWORD + '\n', { mode: 0o644 });
    return f;
  }
}

const PG_ADMIN_PASSWORD = 'test-admin-pw-' + Math.random().toString(36).slice(2);

export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // every moto proxy and cyclops run of this suite records into it (CYCLOPS_SUITE_LOG: test/iam-suite evaluates it)
  startSuiteLog();
  const moto = await startMoto();
  const pg = await startPostgres().catch(async (e) => {
    await moto.stop();
    throw e;
  });
  // Teardown waits until both servers have exited, so nothing keeps jest running afterwards.
  (globalThis as Record<string, unknown>).__CYCLOPS_TEARDOWN__ = async () => {
    pg.stop();
    await moto.stop();
  };
}

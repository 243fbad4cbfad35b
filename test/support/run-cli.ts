/**
 * Run the CLI in-process: the same program as bin/cyclops (src/cli.ts `main`), with stdout,
 * stderr and stdin captured and the exit code handed back instead of set on the process.
 * Much faster than spawning the binary; use `cyclops()` from ./cli only for what needs the
 * real binary (the shim, start-up, which modules load).
 *
 * `cwd` and `env` are applied to this process for the duration of the run (commands resolve
 * paths against process.cwd() and the SDK reads process.env), so runs are queued one at a time.
 *
 * One limit: jest runs test code in its own realm, where errors raised by Node's network layer
 * fail `instanceof Error`, and the SDK rewraps them ("AWS SDK error wrapper for ..."), losing the
 * code (ECONNREFUSED). Tests of connection failures therefore run the binary (store-aws-errors).
 */
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli';
import type { CliOptions, CliResult } from './cli';
import { invocation } from './suite-log';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

let queue: Promise<unknown> = Promise.resolve();

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const run = queue.then(() => runOnce(args, opts));
  queue = run.catch(() => undefined);
  return run;
}

async function runOnce(args: string[], opts: CliOptions): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = Readable.from([opts.input ?? '']);
  let code = 0;
  // The SDK adds "app/<id>" to its user agent: the moto proxy records which run made each request (./suite-log).
  const { appId } = invocation(args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, how: 'in-process' });
  const restoreEnv = overlayEnv({ NO_COLOR: '1', AWS_SDK_UA_APP_ID: appId, ...opts.env });
  const cwd = process.cwd();
  if (opts.cwd) process.chdir(opts.cwd);
  try {
    await main([process.execPath, 'cyclops', ...args], { stdout, stderr, stdin }, (c) => (code = c));
  } finally {
    process.chdir(cwd);
    restoreEnv();
    stdin.destroy();
  }
  return { code, stdout: stdout.text, stderr: stderr.text, json: () => JSON.parse(stdout.text) };
}

/** Set these variables (undefined removes one); returns the function that puts the old values back. */
function overlayEnv(vars: NodeJS.ProcessEnv): () => void {
  const saved = Object.keys(vars).map((k) => [k, process.env[k]] as const);
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

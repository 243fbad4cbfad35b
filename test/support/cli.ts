/** Run the built binary the way a user or a runbook script does. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { invocation } from './suite-log';

export const BIN = path.resolve(__dirname, '../../bin/cyclops');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: () => any;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** what the program reads on stdin */
  input?: string;
}

export interface SpawnOptions extends CliOptions {
  /** another copy of bin/cyclops */
  bin?: string;
}

export interface Running {
  child: ReturnType<typeof spawn>;
  done: Promise<CliResult>;
  /** what it has written to stderr so far */
  stderr: () => string;
}

/** Start the binary and keep hold of it (to signal it, or watch its progress). */
export function startCyclops(args: string[], opts: SpawnOptions = {}): Running {
  // the SDK's user agent names the run: the moto proxy records which run made each request (./suite-log)
  const { appId } = invocation(args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, how: 'spawned' });
  const child = spawn(process.execPath, [opts.bin ?? BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', AWS_SDK_UA_APP_ID: appId, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, json: () => JSON.parse(stdout) }),
    );
  });
  child.stdin!.end(opts.input ?? '');
  return { child, done, stderr: () => stderr };
}

export function cyclops(args: string[], opts: SpawnOptions = {}): Promise<CliResult> {
  return startCyclops(args, opts).done;
}

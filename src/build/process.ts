/**
 * Local programs a build runs (git, docker, podman, buildah): found on PATH, run with their
 * output streamed line by line, a secret fed on stdin (never argv), and stopped on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export interface RunOptions {
  cwd?: string;
  /** written to the program's stdin, then stdin is closed (a password: never on argv) */
  stdin?: string;
  /** extra environment variables */
  env?: Record<string, string>;
  /** each line of stdout and stderr as it comes */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** aborts: the program gets SIGTERM */
  signal?: AbortSignal;
}

export interface RunResult {
  code: number | null;
  /** the whole of stdout (git's answers are one line) */
  stdout: string;
  /** the last lines of stderr, for an error message */
  tail: string[];
}

/** Runs local programs: the live one spawns; tests give a fake. */
export interface ProcessRunner {
  /** the program's path on PATH, or null */
  which(program: string): string | null;
  run(program: string, args: string[], opts?: RunOptions): Promise<RunResult>;
}

const TAIL = 20;

/** The program's path in a PATH directory where it is executable, or null. */
export function onPath(program: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return null;
}

export const liveRunner: ProcessRunner = {
  which: onPath,
  run(program, args, opts = {}) {
    return new Promise((resolve, reject) => {
      // its own process group, so Ctrl-C stops the program and everything it started (a
      // builder's helpers), and a terminal's Ctrl-C reaches cyclops, which decides
      const child = spawn(program, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      const tail: string[] = [];
      const rest = { stdout: '', stderr: '' };
      const lines = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
        const text = rest[stream] + chunk.toString('utf8');
        if (stream === 'stdout') stdout += chunk.toString('utf8');
        const parts = text.split(/\r?\n|\r/);
        rest[stream] = parts.pop() ?? '';
        for (const l of parts) emit(l, stream);
      };
      const emit = (line: string, stream: 'stdout' | 'stderr') => {
        if (!line.trim()) return;
        if (stream === 'stderr') {
          tail.push(line);
          if (tail.length > TAIL) tail.shift();
        }
        opts.onLine?.(line, stream);
      };
      child.stdout.on('data', lines('stdout'));
      child.stderr.on('data', lines('stderr'));
      const stop = () => {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
      };
      opts.signal?.addEventListener('abort', stop, { once: true });
      child.on('error', reject);
      child.stdin.on('error', () => undefined); // a program that exits before reading stdin
      child.stdin.end(opts.stdin ?? '');
      child.on('close', (code) => {
        emit(rest.stdout, 'stdout');
        emit(rest.stderr, 'stderr');
        opts.signal?.removeEventListener('abort', stop);
        resolve({ code, stdout, tail });
      });
    });
  },
};

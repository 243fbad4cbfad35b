/**
 * Write a set of files into a directory, all or nothing: the directory is checked (and made)
 * first, every file goes to a temporary name, and only when all are written are they renamed
 * into place. A path that cannot be a directory is a usage error that names it.
 */
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors';

const PROBLEMS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'exists and is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'no space left on the device',
};

function outDirError(dir: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  const problem = PROBLEMS[code] ?? (e as Error)?.message ?? String(e);
  return usageError(`--out ${dir}: cannot write there (${problem}); give a directory you can write to, such as --out out`);
}

/** Make `dir` (with its parents) or check that it is a writable directory. */
export function prepareOutDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw outDirError(dir, e);
  }
}

export function writeAllOrNothing(dir: string, files: { file: string; body: string }[]): void {
  prepareOutDir(dir);
  const tmp = (f: string) => path.join(path.dirname(f), `.${path.basename(f)}.${process.pid}.tmp`);
  const written: string[] = [];
  try {
    for (const f of files) {
      writeFileSync(tmp(f.file), f.body);
      written.push(tmp(f.file));
    }
  } catch (e) {
    for (const t of written) rmSync(t, { force: true });
    throw outDirError(dir, e);
  }
  for (const f of files) renameSync(tmp(f.file), f.file);
}

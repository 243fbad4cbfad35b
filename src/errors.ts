/**
 * Every failure the user should see is a CyclopsError: one line that names the thing, the
 * problem and the fix, and an exit code from the documented set.
 */
export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  CONFLICT: 3,
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The mark every CyclopsError carries. The start-up bundle and the action chunks each hold
 * their own copy of this module (scripts/build.mjs), so `instanceof CyclopsError` fails for an
 * error made on the other side; the registered symbol is the same in both, so the brand holds.
 */
const BRAND = Symbol.for('cyclops.error');

export class CyclopsError extends Error {
  readonly exitCode: ExitCode;
  /** Extra lines (for example every config error); the message stays the summary line. */
  readonly details: string[];
  /** Machine-readable code for --json output. */
  readonly code: string;

  constructor(message: string, opts: { exitCode?: ExitCode; details?: string[]; code?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CyclopsError';
    this.exitCode = opts.exitCode ?? ExitCode.FAILED;
    this.details = opts.details ?? [];
    this.code = opts.code ?? codeFor(this.exitCode);
  }
}

function codeFor(exit: ExitCode): string {
  switch (exit) {
    case ExitCode.USAGE:
      return 'usage';
    case ExitCode.CONFLICT:
      return 'conflict';
    case ExitCode.INTERRUPTED:
      return 'interrupted';
    default:
      return 'failed';
  }
}

/** Bad input or config: nothing was touched. */
export const usageError = (message: string, details?: string[]) =>
  new CyclopsError(message, { exitCode: ExitCode.USAGE, details, code: 'usage' });

/** Someone else holds the thing (a lock). */
export const conflictError = (message: string, details?: string[]) =>
  new CyclopsError(message, { exitCode: ExitCode.CONFLICT, details, code: 'conflict' });

/** The operation failed (AWS error, rollback, database error). */
export const failure = (message: string, cause?: unknown, code = 'failed') =>
  new CyclopsError(message, { exitCode: ExitCode.FAILED, cause, code });

export const interrupted = (message: string) =>
  new CyclopsError(message, { exitCode: ExitCode.INTERRUPTED, code: 'interrupted' });

Object.defineProperty(CyclopsError.prototype, BRAND, { value: true });

/** A CyclopsError (from either bundle); with `code`, only one with that code. Use it instead of instanceof. */
export function isCyclopsError(e: unknown, code?: string): e is CyclopsError {
  return typeof e === 'object' && e !== null && (e as { [BRAND]?: unknown })[BRAND] === true && (code === undefined || (e as CyclopsError).code === code);
}

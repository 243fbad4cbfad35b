/**
 * How a failure is shown: `error: MESSAGE` and its detail lines on stderr, and with --json the
 * one document on stdout. Pure and free of chalk, so that the start-up bundle can report a
 * parser error without loading the reporter (src/cli.ts); the Reporter renders every other
 * failure through the same two functions.
 */
import { isCyclopsError } from '../errors';

/** The stderr lines of a failure; `red` colours the "error:" label. */
export function errorLines(e: unknown, red: (s: string) => string = (s) => s): string[] {
  const err = isCyclopsError(e) ? e : null;
  const message = err ? err.message : e instanceof Error ? e.message : String(e);
  return [`${red('error:')} ${message}`, ...(err?.details ?? []).map((d) => `  ${d}`)];
}

/** The --json document of a failure, and the exit code it means. */
export function errorDocument(e: unknown): { doc: { ok: false; error: { code: string; message: string; details: string[]; exitCode: number } }; exitCode: number } {
  const err = isCyclopsError(e) ? e : null;
  const message = err ? err.message : e instanceof Error ? e.message : String(e);
  const exitCode = err ? err.exitCode : 1;
  return { doc: { ok: false, error: { code: err?.code ?? 'failed', message, details: err?.details ?? [], exitCode } }, exitCode };
}

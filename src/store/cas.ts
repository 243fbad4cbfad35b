/**
 * Compare-and-swap retry loop for objects written with IfMatch / IfNoneMatch. One attempt
 * reads, decides and writes conditionally; a 412 PreconditionFailed or 409
 * ConditionalRequestConflict means someone else wrote first, so re-read and try again
 * after a jittered exponential backoff ("full jitter"), up to a bound.
 */
import { failure } from '../errors';
import { isWriteConflict } from './s3';

export interface CasOptions {
  /** attempts in all, including the first (default 12) */
  maxAttempts?: number;
  /** first backoff window in ms (default 40) */
  baseMs?: number;
  /** largest backoff window in ms (default 2000) */
  capMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_CAS_ATTEMPTS = 12;

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Backoff before attempt n+1 (n ≥ 1): uniformly random in [0, min(cap, base·2^(n-1))]. */
export function backoffMs(n: number, opts: CasOptions = {}): number {
  const window = Math.min(opts.capMs ?? 2000, (opts.baseMs ?? 40) * 2 ** (n - 1));
  return Math.floor((opts.random ?? Math.random)() * window);
}

/**
 * Run `attempt` until it returns without a write conflict. `what` names the object for the
 * error after the last attempt. Returns the value and how many attempts it took.
 */
export async function withCas<T>(what: string, attempt: (n: number) => Promise<T>, opts: CasOptions = {}): Promise<{ value: T; attempts: number }> {
  const max = Math.max(1, opts.maxAttempts ?? DEFAULT_CAS_ATTEMPTS);
  const sleep = opts.sleep ?? realSleep;
  let last: unknown;
  for (let n = 1; n <= max; n++) {
    try {
      return { value: await attempt(n), attempts: n };
    } catch (e) {
      if (!isWriteConflict(e)) throw e;
      last = e;
      if (n < max) await sleep(backoffMs(n, opts));
    }
  }
  throw failure(
    `${what}: other writers kept changing it; gave up after ${max} attempts (last: ${(last as Error)?.name ?? 'conflict'}); run the command again`,
    last,
    'cas-exhausted',
  );
}

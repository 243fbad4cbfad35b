/**
 * Waiting: one deadline per engine call, an interval that backs off while AWS throttles us
 * and relaxes again afterwards, and a sleep that Ctrl-C cuts short.
 */
import { isThrottle } from '../aws/errors';
import type { Deadline } from '../deadline';
import { DEFAULT_TIMEOUT_SECONDS, type PollOptions } from './types';

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class Poller {
  readonly signal?: AbortSignal;
  readonly timeoutSeconds: number;
  private readonly base: number;
  private readonly max: number;
  private readonly sleepFn: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;
  private readonly deadline: number;
  private interval: number;
  /** how often a call was throttled and retried, for tests and --verbose */
  throttled = 0;

  /** `deadline`: the command's one deadline, which wins over `timeoutSeconds` */
  constructor(opts: { timeoutSeconds?: number; deadline?: Deadline; signal?: AbortSignal; poll?: PollOptions } = {}) {
    const p = opts.poll ?? {};
    this.signal = opts.signal;
    this.base = p.intervalMs ?? 2000;
    this.max = p.maxIntervalMs ?? 30000;
    this.sleepFn = p.sleep ?? abortableSleep;
    this.now = p.now ?? opts.deadline?.now ?? Date.now;
    this.timeoutSeconds = opts.deadline?.timeoutSeconds ?? opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    this.deadline = opts.deadline?.at ?? this.now() + this.timeoutSeconds * 1000;
    this.interval = this.base;
  }

  get aborted(): boolean {
    return !!this.signal?.aborted;
  }

  get timedOut(): boolean {
    return this.now() >= this.deadline;
  }

  /** The current interval (grows while throttled). */
  get intervalMs(): number {
    return this.interval;
  }

  /** Sleep one interval, never past the deadline; returns early on abort. */
  async wait(): Promise<void> {
    const left = Math.max(0, this.deadline - this.now());
    await this.sleepFn(Math.min(this.interval, left), this.signal);
  }

  /**
   * Run an AWS read. Throttling doubles the interval (up to the cap) and tries again until
   * the deadline or an abort; the first success brings the interval back down step by step.
   */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const out = await fn();
        this.interval = Math.max(this.base, Math.floor(this.interval / 2));
        return out;
      } catch (e) {
        if (!isThrottle(e) || this.aborted || this.timedOut) throw e;
        this.throttled++;
        this.interval = Math.min(this.max, this.interval * 2);
        await this.wait();
      }
    }
  }
}

/**
 * A --timeout value: plain seconds ("900") or with a unit ("90s", "15m", "1h").
 * Returns seconds, or null when the text is not a positive duration.
 */
export function parseTimeout(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h'];
  return n > 0 ? Math.round(n) : null;
}

/**
 * One deadline per command: `--timeout` is how long the whole command may wait, so every wait
 * it makes (the stack, the release phase, the rollout) shares one. Each wait stops at the
 * deadline and names the command's limit in its error.
 */
import { DEFAULT_TIMEOUT_SECONDS } from './naming';

export class Deadline {
  /** epoch milliseconds */
  readonly at: number;

  constructor(
    /** the command's limit, for messages ("within 60s") */
    readonly timeoutSeconds: number = DEFAULT_TIMEOUT_SECONDS,
    readonly now: () => number = Date.now,
  ) {
    this.at = now() + timeoutSeconds * 1000;
  }

  get leftMs(): number {
    return Math.max(0, this.at - this.now());
  }

  get expired(): boolean {
    return this.now() >= this.at;
  }

  /** This deadline, or `seconds` from now when that comes first (the release phase's own cap). */
  within(seconds: number): Deadline {
    if (this.leftMs <= seconds * 1000) return this;
    return new Deadline(seconds, this.now);
  }
}

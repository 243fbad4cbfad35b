/** Option parsers shared by commands: one wording for the same mistake everywhere. */
import { InvalidArgumentError, Option } from 'commander';
import { DEFAULT_TIMEOUT_SECONDS } from '../naming';
import { parseTimeout } from '../stacks/poll';

/** The longest wait any command accepts: a day. */
export const MAX_TIMEOUT_SECONDS = 24 * 3600;

/** --timeout: seconds, or with a unit (90s, 15m, 1h), from 1 s to 24 h. */
export function timeoutOption(text: string): number {
  const s = parseTimeout(text);
  if (s === null || !Number.isFinite(s)) throw new InvalidArgumentError('is not a duration; use seconds or a unit, such as 900, 15m or 1h');
  if (s < 1) throw new InvalidArgumentError('is shorter than a second; use at least 1 (seconds), such as 900, 15m or 1h');
  if (s > MAX_TIMEOUT_SECONDS) throw new InvalidArgumentError('is longer than the limit of 24h; use at most 24h (86400 seconds), such as 30m');
  return s;
}

/**
 * The --timeout option every waiting command takes, one wording and one default; `what` says
 * what stops (the waits of CloudFormation, ECS, a task).
 */
export function timeoutFlag(what = 'give up waiting after this long', seconds: number = DEFAULT_TIMEOUT_SECONDS): Option {
  return new Option('--timeout <duration>', `${what} (seconds, or 90s, 15m, 1h)`).argParser(timeoutOption).default(seconds);
}

/**
 * --allow-replace LogicalId (repeatable): let the change-safety guard pass a replacement or
 * removal of that stateful resource. Only ever given explicitly; --yes never implies it.
 */
export function allowReplaceOption(text: string, previous: string[] = []): string[] {
  if (!/^[A-Za-z0-9]{1,255}$/.test(text)) throw new InvalidArgumentError('is not a logical id; use the resource name the refusal printed, such as Database');
  return previous.includes(text) ? previous : [...previous, text];
}

/** The help text of --allow-replace, the same on every command that applies a stack. */
export const ALLOW_REPLACE_HELP = 'let the update replace or delete this stateful resource (its logical id, as the refusal names it); repeatable; --yes never implies it';

/**
 * --count web=3 (repeatable): per-process task counts, for any process name (a DNS label);
 * ops checks the name against the app's processes.
 */
export function countOption(text: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^([a-z](?:[a-z0-9-]{0,30}[a-z0-9])?)=(\d{1,3})$/.exec(text);
  if (!m) throw new InvalidArgumentError('is not a process count; use PROCESS=N such as web=2 or worker=1 (0-100)');
  const n = Number(m[2]);
  if (n > 100) throw new InvalidArgumentError('is more than 100 tasks for one process; use at most 100');
  if (Object.hasOwn(previous, m[1])) throw new InvalidArgumentError(`sets ${m[1]} a second time; give --count ${m[1]}=N once`);
  return { ...previous, [m[1]]: n };
}

/** A whole number of at least 1 (--limit, --to): `hint` says what it is and gives an example. */
export const positiveIntOption = (hint: string) => (text: string): number => {
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw new InvalidArgumentError(`is not ${hint}`);
  return Number(text);
};

/** --build-arg KEY=VALUE (repeatable): a Dockerfile ARG, passed to the builder as given. */
export function buildArgOption(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (!m) throw new InvalidArgumentError('is not a build argument; use KEY=VALUE such as NODE_ENV=production');
  if (Object.hasOwn(previous, m[1])) throw new InvalidArgumentError(`sets ${m[1]} a second time; give --build-arg ${m[1]}=VALUE once`);
  return { ...previous, [m[1]]: m[2] };
}

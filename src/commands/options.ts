/** Option parsers shared by commands: one wording for the same mistake everywhere. */
import { InvalidArgumentError } from 'commander';
import { parseTimeout } from '../stacks/poll';

/** --timeout: seconds, or with a unit (90s, 15m, 1h). */
export function timeoutOption(text: string): number {
  const s = parseTimeout(text);
  if (s === null) throw new InvalidArgumentError(`"${text}" is not a duration; use seconds or a unit, such as 900, 15m or 1h`);
  return s;
}

/** --count web=3 (repeatable): per-process task counts. */
export function countOption(text: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^(web|worker)=(\d{1,3})$/.exec(text);
  if (!m) throw new InvalidArgumentError(`"${text}" is not a process count; use web=N or worker=N (0-100)`);
  const n = Number(m[2]);
  if (n > 100) throw new InvalidArgumentError(`"${text}": at most 100 tasks per process`);
  return { ...previous, [m[1]]: n };
}

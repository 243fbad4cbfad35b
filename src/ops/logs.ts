/**
 * `cyclops logs APP ENV`: the app's log group (one per env and app), every process's streams
 * interleaved by time. A read gives the newest N events of the window (as `tail -n` does), or
 * with `newest: false` pages forward from its start; both print oldest first. --follow polls
 * with backoff from the newest event seen, drops events already shown, and ends cleanly when
 * the signal aborts.
 */
import type { LogQuery } from '../aws/logs';
import { appConfig, RELEASE_PROCESS } from '../config/model';
import { usageError } from '../errors';
import { logGroup } from '../naming';
import { abortableSleep } from '../stacks/poll';
import { now, type Ops } from './context';
import { interleave, Seen, toLine, type LogLine } from '../plan/log-events';
import type { AppTarget } from '../plan/target';

export const DEFAULT_LOG_LIMIT = 1000;
/** Without --since: the last hour. */
export const DEFAULT_SINCE_MS = 3_600_000;
/** The one-off process that runs before a deploy switches (release phase). */
export { RELEASE_PROCESS };

export interface LogsOptions {
  process?: string;
  /** epoch ms */
  since?: number;
  until?: number;
  pattern?: string;
  limit?: number;
  /** the newest `limit` events of the window (default: the first `limit` from its start) */
  newest?: boolean;
}

/** The first slice the newest-first read looks at, back from the window's end. */
export const FIRST_SLICE_MS = 60_000;

export interface FollowOptions {
  /** first and shortest poll interval (default 1000 ms); doubles while nothing arrives */
  pollMs?: number;
  maxPollMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The process names the app can log under (its processes and the release phase). */
export function logProcesses(ops: Ops, t: AppTarget): string[] {
  const names = appConfig(ops.config, t.app, t.env).processes.map((p) => p.name);
  return names.includes(RELEASE_PROCESS) ? names : [...names, RELEASE_PROCESS];
}

function query(ops: Ops, t: AppTarget, o: LogsOptions): LogQuery {
  if (o.process !== undefined && !logProcesses(ops, t).includes(o.process)) {
    throw usageError(`--process ${o.process}: ${t.app} has no such process; use one of ${logProcesses(ops, t).join(', ')}`);
  }
  const start = o.since ?? now(ops) - DEFAULT_SINCE_MS;
  if (o.until !== undefined && o.until < start) throw usageError(`--until: is before --since; give an end after the start`);
  return {
    group: logGroup(t.platform, t.env, t.app),
    ...(o.process ? { streamPrefix: `${o.process}/` } : {}),
    start,
    ...(o.until !== undefined ? { end: o.until } : {}),
    ...(o.pattern ? { pattern: o.pattern } : {}),
  };
}

function missingGroup(t: AppTarget, group: string) {
  return usageError(`logs of ${t.app} in ${t.env}: log group ${group} does not exist; the app was never deployed there (check the app and env names, or deploy it first)`);
}

type Row = { id: string; timestamp: number; message: string; stream: string };
/** A process filter also holds when the service ignores the stream prefix. */
const ofProcess = (process: string | undefined) => (e: Row) => !process || e.stream.startsWith(`${process}/`);

/** Up to `limit` events from `q.start`, following nextToken; `more` when the window holds more. */
async function page(ops: Ops, t: AppTarget, q: LogQuery, process: string | undefined, limit: number): Promise<{ rows: Row[]; more: boolean }> {
  const rows: Row[] = [];
  let nextToken: string | undefined;
  do {
    const p = await ops.logs.filter({ ...q, limit: Math.min(10_000, limit - rows.length + 1), ...(nextToken ? { nextToken } : {}) });
    if (!p) throw missingGroup(t, q.group);
    rows.push(...p.events.filter(ofProcess(process)));
    nextToken = p.nextToken;
  } while (nextToken && rows.length <= limit && !ops.signal.aborted);
  const sorted = interleave(rows);
  return { rows: sorted.slice(0, limit), more: sorted.length > limit || (!!nextToken && rows.length >= limit) };
}

/**
 * The newest `limit` events of the window, oldest first. CloudWatch Logs reads forward only,
 * so this reads slices back from the window's end: a slice that holds fewer events than still
 * needed is kept and the next one, just before it, is four times wider; one that holds more
 * is narrowed to its latest quarter. Events read stay close to `limit` however long the window.
 */
async function newest(ops: Ops, t: AppTarget, q: LogQuery, process: string | undefined, limit: number): Promise<{ rows: Row[]; more: boolean }> {
  const start = q.start!;
  let hi = q.end ?? now(ops);
  let span = FIRST_SLICE_MS;
  const slices: Row[][] = [];
  let have = 0;
  while (have < limit && hi >= start && !ops.signal.aborted) {
    const lo = Math.max(start, hi - span + 1);
    const got = await page(ops, t, { ...q, start: lo, end: hi }, process, limit - have);
    if (got.more && lo < hi) {
      span = Math.max(1, Math.floor((hi - lo + 1) / 4));
      continue;
    }
    slices.unshift(got.rows);
    have += got.rows.length;
    hi = lo - 1;
    span *= 4;
  }
  const more = hi >= start && (await page(ops, t, { ...q, start, end: hi }, process, 1)).rows.length > 0;
  return { rows: slices.flat(), more };
}

export async function readLogs(ops: Ops, t: AppTarget, o: LogsOptions = {}): Promise<{ group: string; events: LogLine[]; more: boolean; newest: boolean }> {
  const q = query(ops, t, o);
  const read = o.newest ? newest : page;
  const { rows, more } = await read(ops, t, q, o.process, o.limit ?? DEFAULT_LOG_LIMIT);
  return { group: q.group, events: rows.map(toLine), more, newest: !!o.newest };
}

/**
 * Emit every new event (`log-event`) until the signal aborts (Ctrl-C: a normal end) or --until
 * has passed. Polls back off from `pollMs` to `maxPollMs` while nothing arrives.
 */
export async function followLogs(ops: Ops, t: AppTarget, o: LogsOptions = {}, f: FollowOptions = {}): Promise<{ group: string; count: number }> {
  const q = query(ops, t, o);
  const seen = new Seen(q.start!);
  const sleep = f.sleep ?? abortableSleep;
  const base = f.pollMs ?? 1000;
  let delay = base;
  let count = 0;
  if (o.newest) {
    // As `tail -f`: the newest lines first, then what comes after them.
    const { rows } = await newest(ops, t, q, o.process, o.limit ?? DEFAULT_LOG_LIMIT);
    const fresh = seen.fresh(rows);
    for (const e of fresh) ops.events.emit({ type: 'log-event', code: 'logs.event', ...toLine(e) });
    count += fresh.length;
  }
  while (!ops.signal.aborted) {
    const { rows } = await page(ops, t, { ...q, start: seen.cursor }, o.process, o.limit ?? DEFAULT_LOG_LIMIT);
    const fresh = seen.fresh(rows);
    for (const e of fresh) ops.events.emit({ type: 'log-event', code: 'logs.event', ...toLine(e) });
    count += fresh.length;
    if (ops.signal.aborted || (q.end !== undefined && now(ops) > q.end)) break;
    delay = fresh.length ? base : Math.min(delay * 2, f.maxPollMs ?? 10_000);
    await sleep(delay, ops.signal).catch(() => undefined);
  }
  return { group: q.group, count };
}

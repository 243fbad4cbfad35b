/**
 * Port allocation under contention: many first deploys at once share the one ports.json
 * without taking turns on it (docs/concepts.md, "Ports"; bench/ports-storm.mjs).
 *
 * An allocation whose app has no port writes its request (src/store/port-requests.ts) and
 * lists the pending ones. The owner of the oldest leads: it writes ports.json with a port for
 * every request it listed (compare-and-swap on the ETag), deletes the requests it served, and
 * while more arrive serves them in further rounds before it lets go. Every other allocation
 * follows: it lists the requests now and then (its own key, never ports.json) until a leader
 * has deleted its request, then reads its port; or until its request is the oldest, when it
 * leads itself. A follower that sees no progress for PATIENCE lists (a leader that died, say)
 * writes by itself, as every allocation did before requests.
 *
 * `attempts` counts reads of ports.json, the contended object: 1 for a leader, 2 for a
 * follower, one more per lost compare-and-swap.
 */
import type { Config } from '../config/model';
import { CyclopsError, ExitCode, failure } from '../errors';
import { PORTS_KEY, portRequestKey } from '../naming';
import { backoffMs, DEFAULT_CAS_ATTEMPTS, type CasOptions } from './cas';
import { currentHolder } from './locks';
import { dropRequest, isStale, lowestFree, pendingRequests, serve, writeRequest, type PortRequest } from './port-requests';
import { emptyFile, readCurrent, writeCas, type Current, type PortsFile } from './ports';
import { deleteObjects, isWriteConflict, where, type Where } from './s3';
import type { Aws } from '../aws/client';

export interface AllocateResult {
  port: number;
  /** false when the app already had this port */
  allocated: boolean;
  /** reads of ports.json it took (1 when uncontended) */
  attempts: number;
}

/** Lists a follower makes with nothing changing (same leader, same number pending) before it writes by itself. */
export const PATIENCE = 20;
/** Rounds a leader serves after its own allocation while requests keep arriving. */
export const SERVE_ROUNDS = 20;

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A follower's pause between lists: about twice its own last list, 25 ms to 1 s, jittered. */
export const pollMs = (listMs: number, random: () => number = Math.random) => Math.round(Math.min(1000, Math.max(25, listMs * (1.5 + random()))));

/** The one line for a range with no free port in `env` (exit 2: nothing was allocated). */
export function rangeFull(config: Config, file: PortsFile, env: string): CyclopsError {
  const n = Object.keys(file.environments[env] ?? {}).length;
  return new CyclopsError(
    `ports: the range ${file.range[0]}-${file.range[1]} is full in ${env} (${n} apps); widen ports.range in ${config.file} and run "cyclops config push ports", or free one with "cyclops ports release APP ${env}"`,
    { exitCode: ExitCode.USAGE, code: 'ports-full' },
  );
}

const portOf = (cur: Current, env: string, app: string) => cur.file?.environments[env]?.[app];

/**
 * Idempotent: an app keeps its port; otherwise it gets the lowest free port of the range in
 * its env. A full range is refused before anything is written.
 */
export async function allocatePort(aws: Aws, config: Config, env: string, app: string, opts: CasOptions = {}): Promise<AllocateResult> {
  const w = where(aws, config);
  const sleep = opts.sleep ?? realSleep;
  const max = Math.max(1, opts.maxAttempts ?? DEFAULT_CAS_ATTEMPTS);
  let cur = await readCurrent(w);
  let reads = 1;
  let fresh = true; // cur was read after the last pause
  const had = portOf(cur, env, app);
  if (had !== undefined) return { port: had, allocated: false, attempts: 1 };
  if (cur.file && lowestFree(cur.file, env) === null) throw rangeFull(config, cur.file, env);
  const own = portRequestKey(env, app);
  await writeRequest(w, env, app, currentHolder());
  const reread = async () => {
    cur = await readCurrent(w);
    reads++;
    fresh = true;
    return portOf(cur, env, app);
  };
  try {
    let idle = 0;
    let seen = '';
    let last: unknown;
    while (reads <= max) {
      const started = Date.now();
      const pending = await pendingRequests(w);
      const listMs = Date.now() - started;
      if (!pending.some((r) => r.key === own)) {
        // A leader served the request and deleted it: the port is in the file.
        const port = await reread();
        if (port !== undefined) return { port, allocated: true, attempts: reads };
        await writeRequest(w, env, app, currentHolder()); // gone without a port (deleted as stale): ask again
        continue;
      }
      const lead = pending.find((r) => !isStale(r));
      if (lead && lead.key !== own && idle < PATIENCE) {
        const state = `${lead.key} ${pending.length}`;
        idle = state === seen ? idle + 1 : 0;
        seen = state;
        fresh = false;
        await sleep(pollMs(listMs, opts.random));
        continue;
      }
      if (!fresh) {
        const port = await reread();
        if (port !== undefined) return { port, allocated: true, attempts: reads };
      }
      const file = cur.file ?? emptyFile(config.ports.range);
      const next = serve(file, [...pending, { env, app }]);
      const port = next.environments[env]?.[app];
      if (port === undefined) throw rangeFull(config, file, env);
      try {
        await writeCas(w, cur, next);
      } catch (e) {
        if (!isWriteConflict(e)) throw e;
        last = e;
        if (reads >= max) break;
        fresh = false;
        await sleep(backoffMs(reads, opts));
        continue;
      }
      if (pending.some((r) => r.key !== own)) {
        // Others are asking too: serve them while they keep arriving (an uncontended allocation skips this).
        await dropServed(w, next, pending, own);
        await serveWhileAsked(w, own, opts, listMs);
      }
      return { port, allocated: true, attempts: reads };
    }
    throw failure(`s3://${w.bucket}/${PORTS_KEY}: other writers kept changing it; gave up after ${max} attempts (last: ${(last as Error)?.name ?? 'conflict'}); run the command again`, last, 'cas-exhausted');
  } finally {
    await dropRequest(w, own);
  }
}

/**
 * Delete the requests `file` serves (their followers then read their ports) and those of
 * processes long dead, but not `keep`: the leader's own request tells newcomers that someone
 * is serving. A failure is nobody's failure: a request left behind is served again, harmlessly.
 */
async function dropServed(w: Where, file: PortsFile, pending: PortRequest[], keep: string): Promise<void> {
  const done = pending.filter((r) => r.key !== keep && (isStale(r) || file.environments[r.env]?.[r.app] !== undefined)).map((r) => r.key);
  if (done.length) await deleteObjects(w, done).catch(() => undefined);
}

/**
 * The leader's service after its own allocation: while requests of apps with no port arrive,
 * write the file with theirs and delete them. Bounded, and never the leader's failure: its
 * own port is in the file already, and a follower nobody serves writes by itself.
 */
async function serveWhileAsked(w: Where, own: string, opts: CasOptions, listMs: number): Promise<void> {
  const sleep = opts.sleep ?? realSleep;
  for (let round = 0, quiet = 0; round < SERVE_ROUNDS && quiet < 2; round++) {
    await sleep(pollMs(listMs, opts.random));
    try {
      const pending = await pendingRequests(w);
      const cur = await readCurrent(w);
      if (!cur.file) return;
      const waiting = pending.filter((r) => r.key !== own && !isStale(r) && cur.file!.environments[r.env]?.[r.app] === undefined);
      const next = serve(cur.file, waiting);
      if (!waiting.some((r) => next.environments[r.env]?.[r.app] !== undefined)) {
        quiet++; // nothing to serve (or only full envs, theirs to report)
        continue;
      }
      quiet = 0;
      await writeCas(w, cur, next);
      await dropServed(w, next, pending, own);
    } catch (e) {
      if (!isWriteConflict(e)) return;
    }
  }
}

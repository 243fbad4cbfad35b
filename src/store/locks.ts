/**
 * Per-app locks: locks/<env>/<app>.json, a **lease**. It is created with IfNoneMatch "*" so
 * only one holder wins, and it lasts a short time (DEFAULT_LOCK_TTL_SECONDS). The running
 * operation renews it by a compare-and-swap on its ETag every third of the lease, so a lease
 * whose holder crashed lapses by itself within two minutes. A renewal that finds the lease
 * changed (taken over after it lapsed, or removed by `cyclops unlock`) marks the lock lost:
 * `lost` aborts and `assertHeld()` throws, so the holder stops before it writes anything more.
 * An expired lease, or one whose holder process is gone on this same host, is taken over by
 * a CAS on its ETag. `cyclops unlock` stays for humans.
 */
import os from 'node:os';
import { z } from 'zod';
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { type CyclopsError, conflictError, failure } from '../errors';
import { lockKey } from '../naming';
import { deleteObject, getObject, isWriteConflict, putObject, where, type Where } from './s3';

/** How long a lease lasts without renewal. */
export const DEFAULT_LOCK_TTL_SECONDS = 120;

const lockSchema = z.object({
  version: z.literal(1),
  holder: z.string(),
  operation: z.string(),
  since: z.string(),
  expires: z.string(),
  /** the host and process that hold it, so a dead holder on the same host is recognised */
  host: z.string().optional(),
  pid: z.number().int().optional(),
  renewed: z.string().optional(),
});
export type LockInfo = z.infer<typeof lockSchema>;

export interface Lock {
  key: string;
  holder: string;
  operation: string;
  since: string;
  /** when the lease lapses unless renewed (moves forward with each renewal) */
  expires: string;
  /** the holder of the expired lock this one replaced */
  tookOverFrom?: string;
  /** why the previous lease could be taken over */
  tookOverBecause?: 'expired' | 'holder-gone';
  /** aborted when the lease is lost: taken over, removed, or lapsed before a renewal got through */
  readonly lost: AbortSignal;
  /** Throws (exit 3) when the lease is lost: call before every write made under the lock. */
  assertHeld(): void;
  /** Renew now (the heartbeat calls this); false when the lease is lost. */
  renew(): Promise<boolean>;
  /** Stop renewing and delete the lock if it is still ours (a no-op when someone took it over). */
  release(): Promise<void>;
}

/** "user@host pid 123": who is running this process. */
export function currentHolder(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return `${user}@${os.hostname()} pid ${process.pid}`;
}

/** The lock as stored, with its ETag; null when there is none. `info` is null when the object is unreadable. */
export async function readLock(aws: Aws, config: Config, env: string, app: string): Promise<{ key: string; etag: string; info: LockInfo | null; body: string } | null> {
  const key = lockKey(env, app);
  const obj = await getObject(where(aws, config), key);
  if (!obj) return null;
  let info: LockInfo | null = null;
  try {
    const r = lockSchema.safeParse(JSON.parse(obj.body));
    info = r.success ? r.data : null;
  } catch {
    info = null;
  }
  return { key, etag: obj.etag, info, body: obj.body };
}

export interface AcquireOptions {
  /** lease length (default DEFAULT_LOCK_TTL_SECONDS) */
  ttlSeconds?: number;
  holder?: string;
  now?: () => Date;
  /** renew every this many seconds (default a third of the lease); 0 turns the heartbeat off */
  renewEverySeconds?: number;
  /** is this process alive? (tests replace it) */
  processAlive?: (pid: number) => boolean;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, but not ours to signal
  }
}

/** Why an existing lease may be taken over, or null when it is live. */
function stale(info: LockInfo, at: Date, processAlive: (pid: number) => boolean): Lock['tookOverBecause'] | null {
  if (new Date(info.expires).getTime() <= at.getTime()) return 'expired';
  if (info.host === os.hostname() && info.pid !== undefined && info.pid !== process.pid && !processAlive(info.pid)) return 'holder-gone';
  return null;
}

/**
 * Take the lease for (env, app). Held by someone else and live: a conflict error (exit 3)
 * naming the holder, since when, until when, and how to unlock.
 */
export async function acquireLock(aws: Aws, config: Config, env: string, app: string, operation: string, opts: AcquireOptions = {}): Promise<Lock> {
  const w = where(aws, config);
  const key = lockKey(env, app);
  const now = opts.now ?? (() => new Date());
  const holder = opts.holder ?? currentHolder();
  const ttl = opts.ttlSeconds ?? DEFAULT_LOCK_TTL_SECONDS;
  const lease = { w, key, now, ttl, renewEvery: opts.renewEverySeconds ?? ttl / 3 };
  // Each round either writes, fails with a conflict error, or saw the lock change under it.
  for (let round = 1; round <= 5; round++) {
    const since = now();
    const info: LockInfo = {
      version: 1,
      holder,
      operation,
      since: since.toISOString(),
      expires: new Date(since.getTime() + ttl * 1000).toISOString(),
      host: os.hostname(),
      pid: process.pid,
    };
    try {
      const etag = await putObject(w, key, body(info), { ifNoneMatch: true });
      return makeLock(lease, info, etag);
    } catch (e) {
      if (!isWriteConflict(e)) throw e;
    }
    const cur = await readLock(aws, config, env, app);
    if (!cur) continue; // released between our write and read: try again
    const unlock = `cyclops unlock ${app} ${env}`;
    if (!cur.info) {
      throw conflictError(`lock ${key}: exists but cannot be read; if nobody is deploying ${app} to ${env}, remove it with "${unlock}"`);
    }
    const why = stale(cur.info, since, opts.processAlive ?? alive);
    if (!why) {
      throw conflictError(
        `${app} in ${env} is locked by ${cur.info.holder} (${cur.info.operation}) since ${cur.info.since}, until ${cur.info.expires}; wait for it, or if it is stale run "${unlock}"`,
      );
    }
    try {
      const etag = await putObject(w, key, body(info), { ifMatch: cur.etag });
      return makeLock(lease, info, etag, cur.info.holder, why);
    } catch (e) {
      if (!isWriteConflict(e)) throw e; // someone else took it over first: look again
    }
  }
  throw failure(`lock ${key}: kept changing while trying to take it; run the command again`, undefined, 'lock-busy');
}

const body = (info: LockInfo) => JSON.stringify(info, null, 2) + '\n';

interface Lease {
  w: Where;
  key: string;
  now: () => Date;
  ttl: number;
  renewEvery: number;
}

function makeLock(lease: Lease, first: LockInfo, firstEtag: string, tookOverFrom?: string, because?: Lock['tookOverBecause']): Lock {
  const { w, key, now, ttl } = lease;
  let info = first;
  let etag = firstEtag;
  let released = false;
  let renewing: Promise<boolean> | null = null;
  const lost = new AbortController();
  const lose = (why: string) => {
    if (!lost.signal.aborted) lost.abort(conflictError(`lock ${key}: ${why}; stopped before writing anything more`));
  };
  const timer = lease.renewEvery > 0 ? setInterval(() => void lock.renew(), lease.renewEvery * 1000) : null;
  timer?.unref(); // a pending renewal never keeps the process alive
  const stop = () => {
    if (timer) clearInterval(timer);
  };
  lost.signal.addEventListener('abort', stop, { once: true });

  const renewOnce = async (): Promise<boolean> => {
    if (released || lost.signal.aborted) return !lost.signal.aborted;
    const at = now();
    if (new Date(info.expires).getTime() <= at.getTime()) {
      lose(`the lease lapsed at ${info.expires} before it could be renewed`);
      return false;
    }
    const next: LockInfo = { ...info, expires: new Date(at.getTime() + ttl * 1000).toISOString(), renewed: at.toISOString() };
    try {
      etag = await putObject(w, key, body(next), { ifMatch: etag });
      info = next;
      lock.expires = next.expires;
      return true;
    } catch (e) {
      if (isWriteConflict(e)) {
        lose('the lease was taken over or removed by someone else');
        return false;
      }
      return true; // a passing network error: the next beat tries again while the lease lasts
    }
  };

  const lock: Lock = {
    key,
    holder: info.holder,
    operation: info.operation,
    since: info.since,
    expires: info.expires,
    ...(tookOverFrom ? { tookOverFrom, tookOverBecause: because } : {}),
    lost: lost.signal,
    assertHeld() {
      if (lost.signal.aborted) throw lost.signal.reason as CyclopsError;
      if (new Date(info.expires).getTime() <= now().getTime()) {
        lose(`the lease lapsed at ${info.expires}`);
        throw lost.signal.reason as CyclopsError;
      }
    },
    renew() {
      renewing ??= renewOnce().finally(() => (renewing = null));
      return renewing;
    },
    async release() {
      if (released) return;
      released = true;
      stop();
      await renewing?.catch(() => undefined);
      if (lost.signal.aborted) return; // not ours any more
      try {
        await deleteObject(w, key, etag);
      } catch (e) {
        if (!isWriteConflict(e)) throw e; // taken over after it expired: it is not ours to delete
      }
    },
  };
  return lock;
}

/** `cyclops unlock`: delete the lock if it still has the ETag that was shown to the user. */
export async function removeLock(aws: Aws, config: Config, env: string, app: string, etag?: string): Promise<{ removed: boolean }> {
  const w = where(aws, config);
  try {
    await deleteObject(w, lockKey(env, app), etag);
  } catch (e) {
    if (!isWriteConflict(e)) throw e;
    throw conflictError(`lock ${lockKey(env, app)}: changed while asking (someone took it); look again with "cyclops unlock ${app} ${env}"`);
  }
  return { removed: true };
}

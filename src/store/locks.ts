/**
 * Per-app locks: locks/<env>/<app>.json, created with IfNoneMatch "*" so only one holder
 * wins. The object says who holds it, for what, since when and until when. An expired lock
 * is taken over by a compare-and-swap on its ETag; `cyclops unlock` removes one by hand.
 */
import os from 'node:os';
import { z } from 'zod';
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { conflictError, failure } from '../errors';
import { lockKey } from '../naming';
import { checkAppEnv } from './names';
import { deleteObject, getObject, isWriteConflict, putObject, where, type Where } from './s3';

export const DEFAULT_LOCK_TTL_SECONDS = 30 * 60;

const lockSchema = z.object({
  version: z.literal(1),
  holder: z.string(),
  operation: z.string(),
  since: z.string(),
  expires: z.string(),
});
export type LockInfo = z.infer<typeof lockSchema>;

export interface Lock {
  key: string;
  holder: string;
  operation: string;
  since: string;
  expires: string;
  /** the holder of the expired lock this one replaced */
  tookOverFrom?: string;
  /** Delete the lock if it is still ours (a no-op when someone took it over meanwhile). */
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
  checkAppEnv(config, app, env);
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
  ttlSeconds?: number;
  holder?: string;
  now?: () => Date;
}

/**
 * Take the lock for (env, app). Held by someone else and not expired: a conflict error
 * (exit 3) naming the holder, since when, and how to unlock.
 */
export async function acquireLock(aws: Aws, config: Config, env: string, app: string, operation: string, opts: AcquireOptions = {}): Promise<Lock> {
  checkAppEnv(config, app, env);
  const w = where(aws, config);
  const key = lockKey(env, app);
  const now = opts.now ?? (() => new Date());
  const holder = opts.holder ?? currentHolder();
  const ttl = opts.ttlSeconds ?? DEFAULT_LOCK_TTL_SECONDS;
  // Each round either writes, fails with a conflict error, or saw the lock change under it.
  for (let round = 1; round <= 5; round++) {
    const since = now();
    const info: LockInfo = { version: 1, holder, operation, since: since.toISOString(), expires: new Date(since.getTime() + ttl * 1000).toISOString() };
    const body = JSON.stringify(info, null, 2) + '\n';
    try {
      const etag = await putObject(w, key, body, { ifNoneMatch: true });
      return makeLock(w, key, info, etag);
    } catch (e) {
      if (!isWriteConflict(e)) throw e;
    }
    const cur = await readLock(aws, config, env, app);
    if (!cur) continue; // released between our write and read: try again
    const unlock = `cyclops unlock ${app} ${env}`;
    if (!cur.info) {
      throw conflictError(`lock ${key}: exists but cannot be read; if nobody is deploying ${app} to ${env}, remove it with "${unlock}"`);
    }
    if (new Date(cur.info.expires).getTime() > since.getTime()) {
      throw conflictError(
        `${app} in ${env} is locked by ${cur.info.holder} (${cur.info.operation}) since ${cur.info.since}, until ${cur.info.expires}; wait for it, or if it is stale run "${unlock}"`,
      );
    }
    try {
      const etag = await putObject(w, key, body, { ifMatch: cur.etag });
      return makeLock(w, key, info, etag, cur.info.holder);
    } catch (e) {
      if (!isWriteConflict(e)) throw e; // someone else took it over first: look again
    }
  }
  throw failure(`lock ${key}: kept changing while trying to take it; run the command again`, undefined, 'lock-busy');
}

function makeLock(w: Where, key: string, info: LockInfo, etag: string, tookOverFrom?: string): Lock {
  let released = false;
  return {
    key,
    holder: info.holder,
    operation: info.operation,
    since: info.since,
    expires: info.expires,
    ...(tookOverFrom ? { tookOverFrom } : {}),
    async release() {
      if (released) return;
      released = true;
      try {
        await deleteObject(w, key, etag);
      } catch (e) {
        if (!isWriteConflict(e)) throw e; // taken over after it expired: it is not ours to delete
      }
    },
  };
}

/** `cyclops unlock`: delete the lock if it still has the ETag that was shown to the user. */
export async function removeLock(aws: Aws, config: Config, env: string, app: string, etag?: string): Promise<{ removed: boolean }> {
  checkAppEnv(config, app, env);
  const w = where(aws, config);
  try {
    await deleteObject(w, lockKey(env, app), etag);
  } catch (e) {
    if (!isWriteConflict(e)) throw e;
    throw conflictError(`lock ${lockKey(env, app)}: changed while asking (someone took it); look again with "cyclops unlock ${app} ${env}"`);
  }
  return { removed: true };
}

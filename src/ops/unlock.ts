/** `cyclops unlock`: look at an app's lock, and remove it when the user says so. */
import type { AppTarget } from '../plan/target';
import type { LockInfo } from '../store';
import type { Ops } from './context';

export interface HeldLock {
  key: string;
  /** the ETag shown to the user: removal fails if the lock changed since */
  etag: string;
  /** null when the lock object is unreadable */
  info: LockInfo | null;
}

export async function readAppLock(ops: Ops, t: AppTarget): Promise<HeldLock | null> {
  const lock = await ops.store.readLock(t.env, t.app);
  return lock && { key: lock.key, etag: lock.etag, info: lock.info };
}

/** Delete the lock if it still has the ETag that was shown. */
export const removeAppLock = (ops: Ops, t: AppTarget, lock: HeldLock) => ops.store.removeLock(t.env, t.app, lock.etag);

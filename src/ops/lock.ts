/**
 * Every mutating operation runs under its app's lock through withAppLock: take the lease,
 * run, let go on every path. The operation gets a signal that aborts on Ctrl-C or when the
 * lease is lost, and a checkpoint to call before each write.
 */
import { failure, interrupted } from '../errors';
import { say } from '../events';
import type { LockHandle, Ops } from './context';
import type { AppTarget } from '../plan/target';

export interface LockScope {
  /** aborts on Ctrl-C or when the lease is lost: pass it to every wait */
  signal: AbortSignal;
  /** call before each write: throws when interrupted or when the lease is no longer ours */
  checkpoint(): void;
  lock: LockHandle;
}

export function interruptedError(operation: string, target: AppTarget) {
  return interrupted(`${operation} of ${target.app} in ${target.env} interrupted; nothing more was changed`);
}

export async function withAppLock<T>(ops: Ops, target: AppTarget, operation: string, fn: (scope: LockScope) => Promise<T>): Promise<T> {
  const { app, env } = target;
  if (ops.signal.aborted) throw interruptedError(operation, target);
  say.step(ops.events, 'lock.acquiring', { app, env }, `locking ${app} in ${env}`);
  const lock = await ops.store.acquireLock(env, app, operation);
  if (lock.tookOverFrom) {
    const why = lock.tookOverBecause === 'holder-gone' ? 'whose process is no longer running on this host' : 'whose lease had lapsed';
    say.warn(ops.events, 'lock.taken-over', { from: lock.tookOverFrom, because: lock.tookOverBecause ?? 'expired' }, `took over the lock of ${lock.tookOverFrom}, ${why}`);
  }
  const signal = AbortSignal.any([ops.signal, lock.lost]);
  const checkpoint = () => {
    if (lock.lost.aborted) {
      throw failure(`${operation} of ${app} in ${env}: the lock ${lock.key} was lost (taken over or not renewable); stopped before writing more; check "cyclops status ${app} ${env}" and run it again`, undefined, 'lock-lost');
    }
    lock.assertHeld();
    if (ops.signal.aborted) throw interruptedError(operation, target);
  };
  try {
    checkpoint();
    return await fn({ signal, checkpoint, lock });
  } finally {
    await lock.release().catch((e) => say.warn(ops.events, 'lock.release-failed', { key: lock.key, reason: (e as Error).message }, `could not release the lock ${lock.key}: ${(e as Error).message}; run "cyclops unlock ${app} ${env}"`));
  }
}

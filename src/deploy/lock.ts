/** Taking and letting go of an app's lock, the same way for every operation. */
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import type { Reporter } from '../report/reporter';
import { acquireLock, checkAppEnv, type Lock } from '../store';
import { DEFAULT_TIMEOUT_SECONDS } from '../stacks';

/**
 * The lock must outlive the operation, or a second deploy could take it over as "expired"
 * while the first still runs: the stack wait and the rollout wait each get the timeout, and
 * the database step up to 15 minutes, plus a margin.
 */
export const lockTtlSeconds = (timeoutSeconds = DEFAULT_TIMEOUT_SECONDS) => 2 * timeoutSeconds + 15 * 60 + 5 * 60;

export async function holdLock(
  deps: { aws: Aws; config: Config; reporter: Reporter },
  env: string,
  app: string,
  operation: string,
  timeoutSeconds?: number,
): Promise<Lock> {
  checkAppEnv(deps.config, app, env); // bad names: a usage error before any line about locking
  deps.reporter.step(`locking ${app} in ${env}`);
  const lock = await acquireLock(deps.aws, deps.config, env, app, operation, { ttlSeconds: lockTtlSeconds(timeoutSeconds) });
  if (lock.tookOverFrom) deps.reporter.warn(`took over an expired lock from ${lock.tookOverFrom}`);
  return lock;
}

/** Release; a failure to release is a warning that says how to clean up, never a new error. */
export async function letGo(lock: Lock, reporter: Reporter, app: string, env: string): Promise<void> {
  await lock.release().catch((e) => reporter.warn(`could not release the lock ${lock.key}: ${(e as Error).message}; run "cyclops unlock ${app} ${env}"`));
}

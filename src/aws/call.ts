/**
 * The one error-translation path out of src/aws: every SDK call runs through `call`, and any
 * error leaves as a CyclopsError naming what was being done (describeAwsError). The raw SDK
 * error stays reachable as its `cause`, so throttling is still recognised (isThrottle).
 */
import { randomUUID } from 'node:crypto';
import type { Aws } from './client';
import { describeAwsError } from './errors';

export async function call<T>(aws: Aws, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw describeAwsError(e, { action, region: aws.region, endpoint: aws.endpoint });
  }
}

/** Like `call`, but `handle` may turn a known condition into a typed result first. */
export async function callOr<T, R>(aws: Aws, action: string, fn: () => Promise<T>, handle: (e: unknown) => R | undefined): Promise<T | R> {
  try {
    return await fn();
  } catch (e) {
    const r = handle(e);
    if (r !== undefined) return r;
    throw describeAwsError(e, { action, region: aws.region, endpoint: aws.endpoint });
  }
}

/**
 * An idempotency token for one create-type call. The SDK retries a call whose reply was lost
 * (maxAttempts); the token is set once per call, so every retry carries the same one and
 * CloudFormation or ECS knows it is the same request, not a second change set, stack or task.
 * CloudFormation's tokens are 1-128 of [a-zA-Z0-9-] starting with a letter or digit, RunTask's
 * up to 64 ASCII characters: a UUID fits both.
 */
export const idempotencyToken = () => randomUUID();

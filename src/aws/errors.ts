/**
 * Map SDK and network errors to one clear line. Callers say what they were doing
 * (`action`); this adds what went wrong and what to check.
 */
import { CyclopsError, ExitCode, isCyclopsError } from '../errors';

export interface AwsErrorContext {
  action: string;
  region?: string;
  endpoint?: string;
}

export function awsErrorName(e: unknown): string {
  const err = e as { name?: string; Code?: string; code?: string };
  return err?.name ?? err?.Code ?? err?.code ?? '';
}

export function httpStatus(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

export function isThrottle(e: unknown): boolean {
  const n = awsErrorName(e);
  return /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/.test(n) || httpStatus(e) === 429;
}

export function describeAwsError(e: unknown, ctx: AwsErrorContext): CyclopsError {
  if (isCyclopsError(e)) return e;
  const err = e as NodeJS.ErrnoException & { message?: string };
  const name = awsErrorName(e);
  const code = err?.code ?? '';
  const msg = String(err?.message ?? e).split('\n')[0];
  const mk = (text: string, c: string) => new CyclopsError(`${ctx.action}: ${text}`, { exitCode: ExitCode.FAILED, cause: e, code: c });

  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(msg) && /load|provider|resolve/i.test(msg)) {
    return mk('no AWS credentials found; set AWS_PROFILE or pass --profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', 'credentials');
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'].includes(code) || /ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(msg)) {
    const where = ctx.endpoint ?? `AWS in ${ctx.region ?? 'the configured region'}`;
    return mk(`cannot reach ${where} (${code || msg}); check the network, --endpoint-url/AWS_ENDPOINT_URL and --region`, 'unreachable');
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidClientTokenId' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    return mk(`AWS rejected the credentials (${name}); check AWS_PROFILE/--profile and that the keys are current`, 'credentials');
  }
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || /wrong region|region .* is wrong|expecting '([a-z0-9-]+)'/i.test(msg)) {
    return mk(`the resource is in another region than ${ctx.region ?? 'the one configured'} (${name || msg}); fix platform.region or --region`, 'region');
  }
  if (name === 'UnknownEndpoint' || /Region is missing|Invalid region/i.test(msg)) {
    return mk(`region "${ctx.region}" is not usable (${msg}); set platform.region or --region to a valid region`, 'region');
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || httpStatus(e) === 403) {
    return mk(`access denied (${msg}); the credentials need permission for this action`, 'access-denied');
  }
  return mk(`${name ? name + ': ' : ''}${msg}`, 'aws');
}

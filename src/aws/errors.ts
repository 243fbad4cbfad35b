/**
 * Map SDK and network errors to one clear line. Callers say what they were doing
 * (`action`); this adds what went wrong and what to check.
 */
import { CyclopsError, ExitCode, isCyclopsError } from '../errors';

export interface AwsErrorContext {
  action: string;
  region?: string;
  endpoint?: string;
  /** the profile the clients were made with, if any */
  profile?: string;
}

export function awsErrorName(e: unknown): string {
  const err = e as { name?: string; Code?: string; code?: string };
  return err?.name ?? err?.Code ?? err?.code ?? '';
}

export function httpStatus(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** AWS asked us to slow down; also when the error was already wrapped (its cause). */
export function isThrottle(e: unknown): boolean {
  const n = awsErrorName(e);
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/.test(n) || httpStatus(e) === 429) return true;
  const cause = (e as { cause?: unknown })?.cause;
  return cause !== undefined && cause !== e && isThrottle(cause);
}

export function describeAwsError(e: unknown, ctx: AwsErrorContext): CyclopsError {
  if (isCyclopsError(e)) return e;
  const err = e as NodeJS.ErrnoException & { message?: string };
  const name = awsErrorName(e);
  const code = err?.code ?? '';
  const msg = String(err?.message ?? e).split('\n')[0];
  const mk = (text: string, c: string) => new CyclopsError(`${ctx.action}: ${text}`, { exitCode: ExitCode.FAILED, cause: e, code: c });

  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(msg) && /load|provider|resolve/i.test(msg)) {
    const profile = ctx.profile ?? process.env.AWS_PROFILE;
    if (profile) {
      const from = ctx.profile ? '--profile or aws.profile' : 'AWS_PROFILE';
      return mk(`AWS profile "${profile}" (from ${from}) gave no credentials (${msg}); check its settings in ~/.aws/config, or run "aws sso login --profile ${profile}" if it uses SSO`, 'credentials');
    }
    return mk('no AWS credentials found; pass --profile NAME or set AWS_PROFILE to a profile in ~/.aws/config, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', 'credentials');
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'].includes(code) || /ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(msg)) {
    const where = ctx.endpoint ?? `AWS in ${ctx.region ?? 'the configured region'}`;
    return mk(`cannot reach ${where} (${code || msg}); check the network, --endpoint-url/AWS_ENDPOINT_URL and --region`, 'unreachable');
  }
  const foreign = notAnAwsAnswer(e, name);
  if (foreign) {
    const where = ctx.endpoint ?? `the AWS endpoint in ${ctx.region ?? 'the configured region'}`;
    return mk(`HTTP ${foreign.status} from ${where} (not an AWS answer${foreign.type ? `: ${foreign.type}` : ''}); check --endpoint-url/AWS_ENDPOINT_URL, or a proxy between here and AWS`, 'not-aws');
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidClientTokenId' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    const which = ctx.profile ?? process.env.AWS_PROFILE;
    return mk(`AWS rejected the credentials (${name}); check that the keys${which ? ` of profile "${which}"` : ''} are current and belong to this account`, 'credentials');
  }
  if (isWrongRegion(e, name, msg)) {
    const actual = actualRegion(e, msg);
    const found = actual ? `it is in ${actual}, not ${ctx.region ?? 'the configured region'}` : `it is not in ${ctx.region ?? 'the configured region'}`;
    return mk(`wrong region: ${found}; set platform.region in config or pass --region${actual ? ` ${actual}` : ''}`, 'region');
  }
  if (name === 'UnknownEndpoint' || /Region is missing|Invalid region/i.test(msg)) {
    return mk(`region "${ctx.region}" is not usable (${msg}); set platform.region or --region to a valid region`, 'region');
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || httpStatus(e) === 403) {
    return mk(`access denied (${msg}); the credentials need permission for this action`, 'access-denied');
  }
  return mk(`${name ? name + ': ' : ''}${msg}`, 'aws');
}

/** S3 answers a request sent to the wrong region with a 301 (no body on HEAD) or a redirect/auth error naming the right one. */
function isWrongRegion(e: unknown, name: string, msg: string): boolean {
  return (
    ['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', '301'].includes(name) ||
    httpStatus(e) === 301 ||
    /wrong region|region .* is wrong|expecting '([a-z0-9-]+)'/i.test(msg)
  );
}

/** The region AWS says the resource is in, from the x-amz-bucket-region header or the message. */
function actualRegion(e: unknown, msg: string): string | undefined {
  const err = e as { $response?: { headers?: Record<string, string> }; Region?: string };
  const header = err?.$response?.headers?.['x-amz-bucket-region'];
  if (header) return header;
  if (err?.Region) return err.Region;
  return /expecting '([a-z0-9-]+)'/i.exec(msg)?.[1];
}

/**
 * An answer that no AWS service gave: a proxy's or a wrong endpoint's HTML page, say. The SDK
 * surfaces it as a JSON SyntaxError (JSON protocols: ECS, Secrets Manager, CloudWatch Logs) or
 * as an "Unknown" error with no request id (query and XML protocols: CloudFormation, S3);
 * every AWS answer carries a request id (x-amzn-RequestId / x-amz-request-id).
 */
function notAnAwsAnswer(e: unknown, name: string): { status: number; type?: string } | null {
  const err = e as { $metadata?: { httpStatusCode?: number; requestId?: string }; $response?: { statusCode?: number; headers?: Record<string, string> } };
  const status = err?.$metadata?.httpStatusCode ?? err?.$response?.statusCode;
  if (status === undefined || status < 300) return null;
  const headers = err.$response?.headers ?? {};
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1]?.split(';')[0].trim();
  const html = type !== undefined && /^text\/html$/i.test(type);
  const unparsed = name === 'SyntaxError' || ((name === 'Unknown' || name === 'UnknownError') && !err.$metadata?.requestId);
  return html || unparsed ? { status, ...(type ? { type } : {}) } : null;
}

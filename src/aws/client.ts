/**
 * The one AWS client factory. Region, profile and endpoint come from flags, the
 * environment and config; custom endpoints (moto, LocalStack) get path-style S3. The SDK
 * bundle is loaded lazily, so commands that never talk to AWS never pay for it.
 */
import type * as Sdk from './sdk';
import { describeAwsError } from './errors';
import { checkConnection } from './profiles';

export type SdkModule = typeof Sdk;

export interface AwsOptions {
  region: string;
  profile?: string;
  /** --endpoint-url, else AWS_ENDPOINT_URL, else config aws.endpoint */
  endpoint?: string;
  maxAttempts?: number;
  /** credentials other than the default chain's (an assumed role's); wins over `profile` */
  credentials?: CredentialProvider;
  /** called for every request, for --verbose and the call counter */
  onCall?: (call: AwsCall) => void;
}

/** What the SDK clients accept as `credentials`: refreshed by the SDK when `expiration` is near. */
export type CredentialProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;

export interface AwsCall {
  service: string;
  operation: string;
  ms: number;
  ok: boolean;
}

export interface Aws {
  readonly sdk: SdkModule;
  readonly region: string;
  readonly endpoint?: string;
  readonly s3: Sdk.s3.S3Client;
  readonly cfn: Sdk.cfn.CloudFormationClient;
  readonly ecs: Sdk.ecs.ECSClient;
  readonly route53: Sdk.route53.Route53Client;
  readonly rds: Sdk.rds.RDSClient;
  readonly secrets: Sdk.secrets.SecretsManagerClient;
  readonly efs: Sdk.efs.EFSClient;
  readonly ecr: Sdk.ecr.ECRClient;
  readonly logs: Sdk.logs.CloudWatchLogsClient;
  readonly cloudwatch: Sdk.cloudwatch.CloudWatchClient;
  readonly sts: Sdk.sts.STSClient;
  readonly elbv2: Sdk.elbv2.ElasticLoadBalancingV2Client;
  readonly acm: Sdk.acm.ACMClient;
  readonly sns: Sdk.sns.SNSClient;
  readonly iam: Sdk.iam.IAMClient;
  readonly sesv2: Sdk.sesv2.SESv2Client;
  readonly codebuild: Sdk.codebuild.CodeBuildClient;
  /** Number of requests sent so far (all clients). */
  calls(): number;
}

let sdkPromise: Promise<SdkModule> | undefined;
export function loadSdk(): Promise<SdkModule> {
  sdkPromise ??= import('./sdk');
  return sdkPromise;
}

/** The endpoint to use: explicit flag, then AWS_ENDPOINT_URL, then config. */
export function resolveEndpoint(flag?: string, configured?: string): string | undefined {
  return flag || process.env.AWS_ENDPOINT_URL || configured || undefined;
}

export async function connect(opts: AwsOptions): Promise<Aws> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  checkConnection(opts.credentials ? { endpoint: opts.endpoint } : opts); // a bad endpoint or an unknown profile: exit 2 before any AWS call
  const sdk = await loadSdk();
  let count = 0;
  const base: ClientBase = {
    region: opts.region,
    maxAttempts: opts.maxAttempts ?? 5,
    retryMode: 'standard',
    ...(opts.credentials ? { credentials: opts.credentials } : opts.profile ? { profile: opts.profile } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
  };
  type Client = { middlewareStack: { add: (mw: unknown, o: unknown) => void } };
  const instrument = <T>(client: T, service: string): T => {
    (client as unknown as Client).middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        count++;
        const start = Date.now();
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        try {
          const out = await next(args);
          opts.onCall?.({ service, operation, ms: Date.now() - start, ok: true });
          return out;
        } catch (e) {
          opts.onCall?.({ service, operation, ms: Date.now() - start, ok: false });
          throw e;
        }
      },
      { step: 'finalizeRequest', name: 'cyclopsCallCounter' },
    );
    return client;
  };
  const cache = new Map<string, unknown>();
  const lazy = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, instrument(make(), key));
    return cache.get(key) as T;
  };
  const handle = { sdk, region: opts.region, endpoint: opts.endpoint, calls: () => count } as Aws;
  // One lazy getter per service: a client is made (and instrumented) on first use only.
  for (const [key, { service, make }] of Object.entries(CLIENTS)) {
    Object.defineProperty(handle, key, { enumerable: true, get: () => lazy(service, () => make(sdk, base, opts)) });
  }
  return handle;
}

type ClientKey = 's3' | 'cfn' | 'ecs' | 'route53' | 'rds' | 'secrets' | 'efs' | 'ecr' | 'logs' | 'cloudwatch' | 'sts' | 'elbv2' | 'acm' | 'sns' | 'iam' | 'sesv2' | 'codebuild';
/** What every client is made with: region, retries, and the profile and endpoint when given. */
interface ClientBase {
  region: string;
  maxAttempts: number;
  retryMode: string;
  profile?: string;
  credentials?: CredentialProvider;
  endpoint?: string;
}

/** Each SDK client: the service name the call counter and --verbose use, and how to make it. */
const CLIENTS: { [K in ClientKey]: { service: string; make: (sdk: SdkModule, base: ClientBase, opts: AwsOptions) => Aws[K] } } = {
  // Custom endpoints (moto, LocalStack) need path-style S3: bucket names do not resolve as hosts.
  s3: { service: 'S3', make: (sdk, base, opts) => new sdk.s3.S3Client({ ...base, forcePathStyle: !!opts.endpoint }) },
  cfn: { service: 'CloudFormation', make: (sdk, base) => new sdk.cfn.CloudFormationClient(base) },
  ecs: { service: 'ECS', make: (sdk, base) => new sdk.ecs.ECSClient(base) },
  route53: { service: 'Route53', make: (sdk, base) => new sdk.route53.Route53Client(base) },
  rds: { service: 'RDS', make: (sdk, base) => new sdk.rds.RDSClient(base) },
  secrets: { service: 'SecretsManager', make: (sdk, base) => new sdk.secrets.SecretsManagerClient(base) },
  efs: { service: 'EFS', make: (sdk, base) => new sdk.efs.EFSClient(base) },
  ecr: { service: 'ECR', make: (sdk, base) => new sdk.ecr.ECRClient(base) },
  codebuild: { service: 'CodeBuild', make: (sdk, base) => new sdk.codebuild.CodeBuildClient(base) },
  logs: { service: 'CloudWatchLogs', make: (sdk, base) => new sdk.logs.CloudWatchLogsClient(base) },
  cloudwatch: { service: 'CloudWatch', make: (sdk, base) => new sdk.cloudwatch.CloudWatchClient(base) },
  sts: { service: 'STS', make: (sdk, base) => new sdk.sts.STSClient(base) },
  elbv2: { service: 'ElasticLoadBalancingV2', make: (sdk, base) => new sdk.elbv2.ElasticLoadBalancingV2Client(base) },
  acm: { service: 'ACM', make: (sdk, base) => new sdk.acm.ACMClient(base) },
  sns: { service: 'SNS', make: (sdk, base) => new sdk.sns.SNSClient(base) },
  iam: { service: 'IAM', make: (sdk, base) => new sdk.iam.IAMClient(base) },
  sesv2: { service: 'SESv2', make: (sdk, base) => new sdk.sesv2.SESv2Client(base) },
};

export { describeAwsError };

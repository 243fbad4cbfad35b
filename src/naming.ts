/**
 * Every name cyclops gives anything. Nothing else builds a stack name, an S3 key, a DNS
 * name, a database identifier or a tag by hand.
 */
import { createHash } from 'node:crypto';
import { usageError } from './errors';

export interface Ids {
  platform: string;
  env?: string;
  app?: string;
}

// ---- stacks ---------------------------------------------------------------------------
export const platformStack = (platform: string) => `${platform}-platform`;
export const envStack = (platform: string, env: string) => `${platform}-${env}`;
export const appStack = (platform: string, env: string, app: string) => `${platform}-${env}-${app}`;

/** Change set names must be unique across stacks (and are limited to 128 characters). */
export function changeSetName(stack: string, now = Date.now(), rand = Math.random()): string {
  const suffix = `${now.toString(36)}${Math.floor(rand * 36 ** 4).toString(36).padStart(4, '0')}`;
  return `cyclops-${stack}`.slice(0, 110) + `-${suffix}`;
}

// ---- tags -----------------------------------------------------------------------------
export const TAG_PLATFORM = 'cyclops:platform';
export const TAG_ENV = 'cyclops:env';
export const TAG_APP = 'cyclops:app';
/** On an app's EFS file system: the volume it belongs to (a kept one is attached again by it). */
export const TAG_VOLUME = 'cyclops:volume';
/** On a preview app's stack: the app it previews (`deploy --preview`). Previews are found by this tag, never by name. */
export const TAG_PREVIEW_OF = 'cyclops:preview-of';
/** On one-off tasks (`run`, the release phase): who started it. */
export const TAG_RUN = 'cyclops:run';
/** On the ACM certificate `cyclops domains` requests for an app's domains whose zone is elsewhere. */
export const TAG_CERTIFICATE = 'cyclops:certificate';
export const EXTERNAL_DOMAINS_CERTIFICATE = 'external-domains';

/** Tags for every stack and resource; "-" marks a level that does not apply. A preview also names the app it previews. */
export function tags(ids: Ids & { previewOf?: string }): { Key: string; Value: string }[] {
  return [
    { Key: TAG_PLATFORM, Value: ids.platform },
    { Key: TAG_ENV, Value: ids.env ?? '-' },
    { Key: TAG_APP, Value: ids.app ?? '-' },
    ...(ids.previewOf ? [{ Key: TAG_PREVIEW_OF, Value: ids.previewOf }] : []),
  ];
}

// ---- S3 keys in the config bucket ---------------------------------------------------------
export const PORTS_KEY = 'ports.json';
/** A pending port request of an app (src/store/port-requests.ts): any writer of ports.json serves it. */
export const PORT_REQUESTS_PREFIX = 'ports-requests/';
export const portRequestKey = (env: string, app: string) => `${PORT_REQUESTS_PREFIX}${env}/${app}`;
/** The env and app of a request key; null for any other key. */
export const portRequestOf = (key: string): { env: string; app: string } | null => {
  const m = /^ports-requests\/([^/]+)\/([^/]+)$/.exec(key);
  return m ? { env: m[1], app: m[2] } : null;
};
/** Templates are content-addressed: the key changes exactly when the content does. */
/** "account": the stack `bootstrap --env` makes in an environment's own account (its service role, deploy role and read role). */
export type TemplateKind = 'platform' | 'account' | 'cluster' | 'app';
export const templateKey = (kind: TemplateKind, sha256: string, ids: Ids) => {
  const scope = kind === 'platform' ? 'platform' : kind === 'account' ? `account/${ids.env}` : kind === 'cluster' ? `cluster/${ids.env}` : `app/${ids.env}/${ids.app}`;
  return `templates/${scope}/${sha256}.json`;
};
export const lockKey = (env: string, app: string) => `locks/${env}/${app}.json`;
/** The single release record of earlier versions (read, and migrated into the log on first write). */
export const releaseKey = (env: string, app: string) => `releases/${env}/${app}.json`;
/** The release log of an app: one immutable record per change, numbered, and a pointer to the current one. */
export const releaseLogPrefix = (env: string, app: string) => `releases/${env}/${app}/`;
export const RELEASE_NUMBER_DIGITS = 6;
export const releaseRecordKey = (env: string, app: string, n: number) => `${releaseLogPrefix(env, app)}${String(n).padStart(RELEASE_NUMBER_DIGITS, '0')}.json`;
/** The number of a record key, or null for any other key under the prefix (the pointer). */
export const releaseNumberOf = (key: string): number | null => {
  const m = /\/(\d+)\.json$/.exec(key);
  return m ? Number(m[1]) : null;
};
export const releasePointerKey = (env: string, app: string) => `${releaseLogPrefix(env, app)}current.json`;
/** `cyclops abort`'s marker: which service deployment was stopped, by whom; the waiting deploy reads it. */
export const abortMarkerKey = (env: string, app: string) => `${releaseLogPrefix(env, app)}abort.json`;
/** Plain variables and secret references set with `cyclops vars` / `cyclops secrets`. */
export const settingsKey = (env: string, app: string) => `vars/${env}/${app}.json`;

export function templateUrl(bucket: string, region: string, key: string): string {
  return `https://${bucket}.s3.${region}.amazonaws.com/${key.split('/').map(encodeURIComponent).join('/')}`;
}

// ---- DNS ------------------------------------------------------------------------------
export const appHost = (app: string, domain: string) => `${app}.${domain}`;
export const appUrl = (app: string, domain: string, https: boolean) => `${https ? 'https' : 'http'}://${appHost(app, domain)}`;
/** Route 53 wants fully qualified names with a trailing dot. */
export const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`);

// ---- database -------------------------------------------------------------------------
/**
 * A PostgreSQL identifier for the app's database and login role. App names are DNS labels,
 * but this never trusts that: anything outside [a-z0-9_] becomes "_", the result starts
 * with a letter and fits PostgreSQL's 63-byte limit. Callers still quote it.
 */
export function dbIdentifier(app: string): string {
  const full = `app_${app.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  if (full.length <= 63) return full;
  // Too long: keep a readable prefix and tell long names apart by a hash of the whole name.
  return `${full.slice(0, 54)}_${createHash('sha256').update(app).digest('hex').slice(0, 8)}`;
}
export const dbName = (app: string) => dbIdentifier(app);
export const dbRole = (app: string) => dbIdentifier(app);
/** The app's database login, in the platform's secret namespace. */
export const dbSecretName = (platform: string, env: string, app: string) => `cyclops/${platform}/${env}/${app}/database`;
/** Where the login was kept before secrets were namespaced by platform (copied, value and all, on the next ensure). */
export const legacyDbSecretName = (env: string, app: string) => `cyclops/${env}/${app}/database`;
/**
 * A secret set with `cyclops secrets set` (NAME is an env-var name, so never "database"), in the
 * platform's own namespace: two platforms in one account never share a secret.
 */
export const appSecretName = (platform: string, env: string, app: string, name: string) => `cyclops/${platform}/${env}/${app}/${name}`;
/** Where `secrets set` kept a secret before secrets were namespaced by platform (moved on the next set). */
export const legacyAppSecretName = (env: string, app: string, name: string) => `cyclops/${env}/${app}/${name}`;
// ---- email (SES) ---------------------------------------------------------------------------
/** The environment's SES configuration set (letters, digits, _ and -, up to 64). */
export const emailConfigurationSet = (platform: string, env: string) => `cyclops-${platform}-${env}`;
/**
 * The app's SMTP user (under the platform's IAM path): "<platform>-<env>-<app>-smtp", shortened
 * with a hash of the whole to IAM's 64 characters (an app name alone may have 63).
 */
export function smtpUserName(platform: string, env: string, app: string): string {
  const full = `${platform}-${env}-${app}-smtp`;
  return full.length <= 64 ? full : `${full.slice(0, 50)}-${createHash('sha256').update(full).digest('hex').slice(0, 8)}-smtp`;
}
/** The secret holding the SMTP user name (access key id) and password. */
export const smtpSecretName = (platform: string, env: string, app: string) => appSecretName(platform, env, app, 'smtp');

/** The largest secret value Secrets Manager stores (SecretString: 65,536 bytes). */
export const MAX_SECRET_BYTES = 65536;
/** Secrets Manager's recovery window for a scheduled deletion, in days: the default and the bounds. */
export const RECOVERY_DAYS = { default: 7, min: 7, max: 30 } as const;

// ---- IAM ------------------------------------------------------------------------------
/**
 * The role CloudFormation assumes for env and app stacks, under iamPath like every other role. IAM cannot change a
 * role's path, so it has a new name beside legacyCfnServiceRole, which `bootstrap` removes once no stack records it.
 */
export const cfnServiceRole = (platform: string) => `${platform}-cloudformation-service`;
/** The service role of earlier versions, at path "/": kept only while a stack still records it. */
export const legacyCfnServiceRole = (platform: string) => `${platform}-cloudformation`;
/** The platform (and account) stack's logical ids of the service role, and of the earlier one. */
export const SERVICE_ROLE_ID = { current: 'CloudFormationServiceRole', legacy: 'ServiceRole' } as const;
/** The IAM path of everything IAM the platform's stacks create: "/cyclops/acme/" never matches "/cyclops/acme-eu/". */
export const iamPath = (platform: string) => `/cyclops/${platform}/`;
/** The permissions boundary every role the env and app stacks create carries (a managed policy of the platform stack). */
export const boundaryPolicyName = (platform: string) => `${platform}-boundary`;
/**
 * The IAM path of the CI deploy roles (`bootstrap --github`): outside iamPath, so neither the
 * CloudFormation service role (which may change roles under iamPath) nor an app template can
 * rewrite a CI role's trust, and the deploy policy's PassRole (to ecs-tasks) cannot pass one.
 */
export const ciRolePath = (platform: string) => `/cyclops-ci/${platform}/`;
/** A CI deploy role's name: "<platform>-ci-<org>-<repo>", shortened with a hash to IAM's 64 characters. */
export function ciRoleName(platform: string, repo: string): string {
  const full = `${platform}-ci-${repo.replace(/[^A-Za-z0-9+=,.@_-]/g, '-')}`;
  return full.length <= 64 ? full : `${full.slice(0, 55)}-${createHash('sha256').update(repo).digest('hex').slice(0, 8)}`;
}
/** The role cyclops assumes into an environment's own account (`bootstrap --env` makes it): "<platform>-deploy" under the CI path. */
export const envDeployRoleName = (platform: string) => `${platform}-deploy`;
/**
 * The read-only role beside it (`bootstrap --env` makes it), which read commands assume: "<platform>-read"
 * under the CI path, like the deploy role, so neither the service role nor an app template can rewrite it.
 */
export const envReadRoleName = (platform: string) => `${platform}-read`;
/** The read role's ARN in the account of an environment's deploy role (`environments.<env>.aws.roleArn`): same partition and account. */
export function envReadRoleArn(platform: string, deployRoleArn: string): string {
  const [, partition, , , account] = deployRoleArn.split(':');
  return `arn:${partition}:iam::${account}:role${ciRolePath(platform)}${envReadRoleName(platform)}`;
}
/** The platform stack's outputs (the account stack's too: ReadRoleArn is only there). */
export const PLATFORM_OUTPUT = { serviceRoleArn: 'ServiceRoleArn', deployRoleArn: 'DeployRoleArn', readRoleArn: 'ReadRoleArn', builderArm64: 'BuilderArm64Project', builderX86: 'BuilderX8664Project' } as const;

// ---- the remote builder (`bootstrap --remote-builder`, `deploy --build --remote`) ------
/** The CodeBuild project that builds images for one architecture: "<platform>-builder-arm64", "<platform>-builder-x86_64". */
export const builderProject = (platform: string, arch: 'arm64' | 'x86_64') => `${platform}-builder-${arch}`;
/** The builder projects' service role (under iamPath, with the boundary). */
export const builderRole = (platform: string) => `${platform}-builder`;
/** The builds' log group: under the platform's log prefix, beside the environments' groups. */
export const builderLogGroup = (platform: string) => `/cyclops/${platform}/_builder`;
/** Where build contexts go in the config bucket. */
export const BUILDS_PREFIX = 'builds/';
/** One build context: content-addressed, so the same source uploads once. */
export const buildContextKey = (app: string, sha256: string) => `${BUILDS_PREFIX}${app}/${sha256}.zip`;

// ---- previews -------------------------------------------------------------------------
/** A preview of APP named NAME runs as the app "APP-NAME" (`deploy --preview NAME`). */
export const previewApp = (app: string, name: string) => `${app}-${name}`;

// ---- resources ------------------------------------------------------------------------
export const logGroup = (platform: string, env: string, app: string) => `/cyclops/${platform}/${env}/${app}`;
export const ecrRepository = (platform: string, app: string) => `${platform}/${app}`;
export const clusterName = (platform: string, env: string) => `${platform}-${env}`;
export const serviceName = (app: string, process: string) => `${app}-${process}`;
/** The process an app's ECS service runs: "web" from "shop-web" (serviceName's inverse). */
export const serviceProcess = (app: string, service: string) => (service.startsWith(`${app}-`) ? service.slice(app.length + 1) : service);
export const taskFamily = (platform: string, env: string, app: string, process: string) => `${platform}-${env}-${app}-${process}`;
export const dbTaskFamily = (platform: string, env: string) => `${platform}-${env}-dbadmin`;
/**
 * Env-level log groups. App names are DNS labels, so a leading "_" can never collide with an
 * app's group /cyclops/<platform>/<env>/<app>.
 */
export const dbAdminLogGroup = (platform: string, env: string) => `/cyclops/${platform}/${env}/_dbadmin`;
export const flowLogGroup = (platform: string, env: string) => `/cyclops/${platform}/${env}/_vpc-flow-logs`;

/** ECR tags with this prefix are never expired by the platform's lifecycle policy. */
export const IMAGE_TAG_PREFIX = 'cyclops-';
/** The tag deploy gives the image digest a release runs: kept for as long as the repository exists. */
export const releaseImageTag = (env: string, release: number) => `${IMAGE_TAG_PREFIX}${env}-${release}`;
/** The environment and release a release tag names; null for any other tag. */
export function parseReleaseImageTag(tag: string): { env: string; release: number } | null {
  const m = new RegExp(`^${IMAGE_TAG_PREFIX}(.+)-(\\d+)$`).exec(tag);
  return m ? { env: m[1], release: Number(m[2]) } : null;
}
/** Days after its push that the platform's lifecycle policy expires an untagged image. */
export const UNTAGGED_IMAGE_DAYS = 14;

/** Internal services: the env's private DNS namespace and each service's name in it (Cloud Map). */
export const internalNamespace = (env: string) => `${env}.internal`;
export const discoveryService = (app: string, process: string) => `${app}-${process}`;
export const internalHost = (app: string, process: string, env: string) => `${discoveryService(app, process)}.${internalNamespace(env)}`;
/** The variable an app listing "<app>-<process>" in `uses` gets: SEARCH_API_URL. */
export const usesVariable = (app: string, process: string) => `${app}_${process}_URL`.toUpperCase().replace(/-/g, '_');
/** A web service's deployment alarms ("5xx", "unhealthy"). */
export const alarmName = (platform: string, env: string, app: string, what: string) => `cyclops-${platform}-${env}-${app}-web-${what}`;
/** The environment's SNS topic (deployment events and alarms) and the EventBridge rule that feeds it. */
export const notificationTopicName = (platform: string, env: string) => `${platform}-${env}-notifications`;
export const deploymentEventsRuleName = (platform: string, env: string) => `${platform}-${env}-deployments`;

/** CloudFormation export names an env stack publishes for its apps. */
export const envExport = (platform: string, env: string, output: string) => `${envStack(platform, env)}:${output}`;


/** An AWS region code: eu-west-1, us-gov-west-1, us-iso-east-1. */
export const REGION_RE = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

// ---- outputs the env (cluster) stack publishes; apps, db and deploy read them ---------------
export const ENV_OUTPUT = {
  clusterName: 'ClusterName',
  clusterArn: 'ClusterArn',
  vpcId: 'VpcId',
  publicSubnets: 'PublicSubnets', // comma-separated
  privateSubnets: 'PrivateSubnets', // comma-separated
  serviceSecurityGroup: 'ServiceSecurityGroup', // tasks; only the ALB may reach them
  loadBalancerArn: 'LoadBalancerArn',
  loadBalancerDnsName: 'LoadBalancerDnsName',
  loadBalancerHostedZoneId: 'LoadBalancerHostedZoneId',
  appListenerArn: 'AppListenerArn', // HTTPS when TLS is configured, else HTTP: apps add rules here
  https: 'Https', // "true" | "false"
  hostedZoneId: 'HostedZoneId',
  domain: 'Domain',
  databaseEndpoint: 'DatabaseEndpoint',
  databasePort: 'DatabasePort',
  databaseMasterSecretArn: 'DatabaseMasterSecretArn',
  dbAdminSecurityGroup: 'DbAdminSecurityGroup', // one-off database admin tasks
  taskExecutionRoleArn: 'TaskExecutionRoleArn',
  redisEndpoint: 'RedisEndpoint',
  nameServers: 'NameServers', // comma-separated; only when the env stack creates the zone
  httpListenerArn: 'HttpListenerArn', // same listener whether or not TLS is on
  httpsListenerArn: 'HttpsListenerArn', // only with TLS: apps add rules here when TLS is configured
  redisAuthSecretArn: 'RedisAuthSecretArn', // the Redis AUTH token's secret; apps get it as an ECS secret
  dbAdminLogGroup: 'DbAdminLogGroup', // where one-off database admin tasks log
  accessLogBucket: 'AccessLogBucket', // the load balancer's access logs
  loadBalancerFullName: 'LoadBalancerFullName', // app/<name>/<id>: CloudWatch dimensions, request-count scaling
  internalNamespaceId: 'InternalNamespaceId', // the Cloud Map namespace <env>.internal
  emailDomain: 'EmailDomain', // the SES identity apps send as (only with email)
  emailConfigurationSet: 'EmailConfigurationSet', // the SES configuration set apps send through
  emailMailFromDomain: 'EmailMailFromDomain', // the custom MAIL FROM domain, when configured
  notificationTopicArn: 'NotificationTopicArn', // only with notifications: the SNS topic alarms and deployment events go to
} as const;
export type EnvOutputKey = keyof typeof ENV_OUTPUT;

// ---- config bucket: template scopes (store) ----------------------------------------------
/** Pointer to the template most recently pushed for a scope ("latest" is never a sha256). */
export const templateLatestKey = (kind: TemplateKind, ids: Ids) => templateKey(kind, 'latest', ids);
/** The folder holding every template pushed for a scope. */
export const templatePrefix = (kind: TemplateKind, ids: Ids) => templateKey(kind, 'latest', ids).replace(/latest\.json$/, '');

// ---- ECS capacity provider ----------------------------------------------------------------
/** The EC2 capacity provider's name: it may not start with "aws", "ecs" or "fargate", so it is prefixed. */
export const capacityProviderName = (platform: string, env: string) => `cyclops-${platform}-${env}`;

/** The app template's output that carries the sha256 of the rest of the template (skip-deploy). */
export const TEMPLATE_DIGEST_OUTPUT = 'TemplateDigest';

/** The env stack's outputs by their cyclops key (outputs the stack does not have are left out). */
export function envOutputsFrom(outputs: Record<string, string>): Partial<Record<EnvOutputKey, string>> {
  const out: Partial<Record<EnvOutputKey, string>> = {};
  for (const [k, name] of Object.entries(ENV_OUTPUT) as [EnvOutputKey, string][]) {
    if (outputs[name] !== undefined) out[k] = outputs[name];
  }
  return out;
}

// ---- name rules: every name given on the command line is checked here, once --------------
/**
 * The one name rule (platforms, environments, apps, previews): lowercase letters, digits and
 * dashes, starting with a letter and not ending with a dash. Each kind of name has its own
 * length limit (NAME_MAX): an app name is a DNS label.
 */
export const NAME_RE = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
export const NAME_MAX = { platform: 20, environment: 20, app: 63 } as const;
export const isName = (text: string, max: number): boolean => text.length <= max && NAME_RE.test(text);

// The one image grammar, Docker's reference grammar: [host[:port]/]path[:tag][@sha256:digest],
// path in lowercase components (deploy's IMAGE and a sidecar's image).
const IMAGE_HOST = String.raw`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)`;
const IMAGE_COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
export const IMAGE_RE = new RegExp(String.raw`^(${IMAGE_HOST}?${IMAGE_COMPONENT}(?:/${IMAGE_COMPONENT})*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`);
/** Docker's limit on a reference's length. */
export const IMAGE_MAX = 255;
export const isImageReference = (text: string): boolean => text.length <= IMAGE_MAX && IMAGE_RE.test(text);

/** How many days an app's log group keeps its events (the template's and the log group made before it). */
export const LOG_RETENTION_DAYS = 30;
/** ALB listener-rule priorities run 1..50000, and an app's port is its rule priority. */
export const MAX_APP_PORT = 50000;
/** How long any command waits for CloudFormation or a rollout unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_SECONDS = 3600;

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The known name closest to `name`, when it is close enough to be a typo. */
export function closest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** "; did you mean X?" or "". */
export const didYouMean = (name: string, known: Iterable<string>) => {
  const c = closest(name, known);
  return c ? `; did you mean ${c}?` : '';
};

/** The environment's config, or a usage error naming the closest configured environment. */
export function checkEnv<E>(config: { file: string; environments: Record<string, E> }, env: string): E {
  if (Object.hasOwn(config.environments, env)) return config.environments[env];
  const known = Object.keys(config.environments);
  const near = closest(env, known);
  throw usageError(
    `environment "${env}": not in ${config.file}; ${near ? `did you mean ${near}? ` : ''}use one of: ${known.length ? known.join(', ') : '(none configured)'}, or add it under "environments"`,
  );
}

export function checkApp(app: string): void {
  if (!isName(app, NAME_MAX.app)) {
    throw usageError(`app "${app}": not a valid app name; use lowercase letters, digits and dashes (a DNS label, at most 63 characters, starting with a letter)`);
  }
}


/** An app port (= its listener-rule priority), as a number or as typed. */
export function checkAppPort(port: number | string): number {
  const n = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_APP_PORT) {
    throw usageError(`port ${port}: not a valid app port; use a whole number from 1 to ${MAX_APP_PORT} (it is the load-balancer rule priority)`);
  }
  return n;
}

// ---- app settings: variable and secret names ---------------------------------------------
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
/** Set by cyclops itself: the database, the port and Redis. */
export const isReservedVar = (name: string) => /^(DATABASE_URL|PORT|REDIS_URL|REDIS_AUTH_TOKEN|REDIS_PASSWORD|PG.*)$/i.test(name);
/** Names that look like they hold a secret: they belong in `cyclops secrets set`. */
export const looksSecret = (name: string) => /PASSWORD|SECRET|TOKEN|_KEY$/i.test(name);

/** A variable or secret name for APP: valid, and not one cyclops sets itself (a usage error). */
export function checkSettingName(name: string, what: 'variable' | 'secret'): void {
  if (!ENV_NAME_RE.test(name)) {
    throw usageError(`${what} "${name}": not a valid environment variable name; use letters, digits and "_", not starting with a digit`);
  }
  if (isReservedVar(name)) {
    throw usageError(`${what} "${name}": is set by cyclops itself (database, port and Redis variables: DATABASE_URL, PG*, PORT, REDIS_URL, REDIS_AUTH_TOKEN, REDIS_PASSWORD); use another name`);
  }
}

/**
 * The application layer's one context. Every member is an interface: src/ops/live.ts binds
 * them to AWS, and the unit tests bind them to in-memory fakes (test/unit/fakes).
 */
import type { AlarmState, MetricQuery } from '../aws/cloudwatch';
import type { CertificateInfo } from '../aws/acm';
import type { AccessKeyRow, IamUser } from '../aws/iam';
import type { SesAccount, SesIdentity } from '../aws/sesv2';
import type { EcrImage, EcrImageDetail, EcrRepository, RegistryLogin } from '../aws/ecr';
import type { LogPage, LogQuery } from '../aws/logs';
import type { BuildState, StartBuildInput } from '../aws/codebuild';
import type { RunTaskInput, TaskDefinitionInput, TaskDefinitionRow, TaskRow } from '../aws/ecs';
import type { RuleWeights } from '../aws/elbv2';
import type { ServiceDeploymentRow } from '../aws/service-deployments';
import type { AbortMarker } from '../store/abort-marker';
import type { Config } from '../config/model';
import type { DbEnsureResult, DbInfo, Runner } from '../database';
import type { Deadline } from '../deadline';
import type { Events } from '../events';
import type { Ids, TemplateKind } from '../naming';
import type { ServiceState } from '../ecs/rollout';
import type { ApplyInput, ApplyResult, AppStack, DeleteOptions, EnvOutputs, StackSummary } from '../stacks';
import type { AllocateResult, AppSettings, EnsureBucketResult, LockInfo, PortsFile, PushPortsResult, PushResult, ReleaseDraft, ReleaseList, ReleasePage, ReleaseRecord, ReleaseState, StoredTemplate } from '../store';
import type { Target } from '../plan/target';

export interface StacksApi {
  /** the region stacks are looked up in */
  readonly region: string;
  apply(input: ApplyInput): Promise<ApplyResult>;
  delete(name: string, opts?: DeleteOptions): Promise<{ deleted: boolean }>;
  describe(name: string): Promise<StackSummary | null>;
  /** the env stack's outputs by cyclops key; null when the env stack does not exist */
  envOutputs(env: string): Promise<EnvOutputs | null>;
  listAppStacks(env: string): Promise<AppStack[]>;
  /** the live stack's template body (GetTemplate); null when there is no stack */
  template(name: string): Promise<string | null>;
  /** every resource of a stack (ListStackResources) */
  resources(name: string): Promise<{ logicalId: string; resourceType: string; physicalId?: string }[]>;
  /**
   * The CloudFormation service role env and app stacks run with (the platform stack's
   * ServiceRoleArn output), read once per command; undefined while the platform has none.
   */
  serviceRole(): Promise<string | undefined>;
  /** make `roleArn` the stack's service role, template and parameters unchanged, and wait (src/stacks/role.ts) */
  moveRole(name: string, roleArn: string, opts?: { timeoutSeconds?: number; signal?: AbortSignal }): Promise<'moved' | 'unchanged' | 'gone'>;
}

/** A held app lock: a lease the store renews while it is held (src/store/locks.ts). */
export interface LockHandle {
  key: string;
  tookOverFrom?: string;
  /** why the previous lease could be taken over */
  tookOverBecause?: 'expired' | 'holder-gone';
  release(): Promise<void>;
  /** aborted when a renewal finds the lease taken over or cannot renew it */
  lost: AbortSignal;
  /** throws when the lease is no longer ours */
  assertHeld(): void;
}

export interface StoreApi {
  readonly bucket: string;
  /** create the config bucket if missing and (re)apply its settings */
  ensureBucket(onStep: (message: string) => void): Promise<EnsureBucketResult>;
  /** the config bucket's region; null when there is no bucket (not bootstrapped) */
  bucketRegion(): Promise<string | null>;
  allocatePort(env: string, app: string): Promise<AllocateResult>;
  releasePort(env: string, app: string): Promise<{ port: number | null }>;
  readPorts(): Promise<PortsFile | null>;
  /** `config push ports`: create ports.json with the configured range, or move its range keeping every allocation */
  pushPortsRange(): Promise<PushPortsResult>;
  acquireLock(env: string, app: string, operation: string): Promise<LockHandle>;
  /** the lock as stored, with its ETag; null when there is none (`info` null: unreadable) */
  readLock(env: string, app: string): Promise<{ key: string; etag: string; info: LockInfo | null } | null>;
  /** delete the lock if it still has this ETag */
  removeLock(env: string, app: string, etag?: string): Promise<{ removed: boolean }>;
  readRelease(env: string, app: string): Promise<ReleaseState>;
  /** append a record to the release log: it gets the next free number */
  writeRelease(env: string, app: string, record: ReleaseDraft): Promise<ReleaseRecord>;
  deleteRelease(env: string, app: string): Promise<void>;
  /** a page of the release log, newest first (`before` pages back): the pointer and one GET per record */
  listReleases(env: string, app: string, page?: ReleasePage): Promise<ReleaseList>;
  /** one record by number; its problem when it does not parse; null when there is none */
  releaseRecord(env: string, app: string, n: number): Promise<{ record: ReleaseRecord } | { problem: string } | null>;
  /** true when the config bucket still holds this object (a release's template) */
  objectExists(key: string): Promise<boolean>;
  readSettings(env: string, app: string): Promise<AppSettings>;
  /** change the app's vars and secret references by CAS */
  updateSettings(env: string, app: string, change: (s: AppSettings) => AppSettings): Promise<{ settings: AppSettings; changed: boolean }>;
  pushTemplate(kind: TemplateKind, ids: Ids, body: string, opts?: { pointer?: boolean }): Promise<PushResult>;
  /** the latest pushed template of this kind and ids; null when none was pushed */
  readLatestTemplate(kind: TemplateKind, ids: Ids): Promise<StoredTemplate | null>;
  /** where a template with this content lives (no I/O): content-addressed */
  templateLocation(kind: TemplateKind, ids: Ids, body: string): { key: string; url: string };
}

export interface DatabaseApi {
  /** Config and local credentials a deploy or `db ensure` needs: a usage error before anything is written. */
  preflight(env: string, app: string, runner?: Runner): Promise<void>;
  ensure(env: string, app: string, opts?: { envOutputs?: EnvOutputs; rotatePassword?: boolean; runner?: Runner; signal?: AbortSignal }): Promise<DbEnsureResult>;
  /** null when the app has no database secret yet */
  info(env: string, app: string): Promise<DbInfo | null>;
  drop(env: string, app: string, opts?: { runner?: Runner; signal?: AbortSignal }): Promise<{ dropped: boolean }>;
}

export interface ServicesApi {
  stackServices(stack: string): Promise<string[]>;
  describe(cluster: string, services: string[]): Promise<ServiceState[]>;
  /** `deadline`: the command's one deadline (wins over timeoutSeconds) */
  waitForRollout(cluster: string, services: string[], opts: { timeoutSeconds?: number; deadline?: Deadline; signal?: AbortSignal }): Promise<ServiceState[]>;
  restart(cluster: string, services: string[]): Promise<string[]>;
}

/** The EFS file systems an app stack keeps when it is deleted. */
export interface VolumesApi {
  list(env: string, app: string): Promise<{ id: string; sizeBytes: number; state?: string; volume?: string }[]>;
  delete(id: string, opts?: { signal?: AbortSignal }): Promise<void>;
}

/** Container images in ECR (src/aws/ecr.ts): tag → digest, and release tags. */
export interface ImagesApi {
  /** the region of the platform's ECR repositories (its home); absent: the stacks' region */
  readonly region?: string;
  /** the ECR repository of an image repository reference; null for other registries (pure) */
  ecr(repository: string): EcrImage | null;
  /** the digest the tag points at now; null when the tag does not exist */
  digest(image: EcrImage, tag: string): Promise<string | null>;
  tag(image: EcrImage, digest: string, tag: string): Promise<'tagged' | 'already'>;
  /** the Linux architectures the image has a variant for ("x86_64", "arm64") */
  architectures(image: EcrImage, digest: string): Promise<string[]>;
  /** the repository of this account and region named `name`; null when it does not exist */
  repository(name: string): Promise<EcrRepository | null>;
  /** a login for the account's registry (GetAuthorizationToken); the password is never logged */
  login(): Promise<RegistryLogin>;
  /** the image's architectures and, for a manifest list, the manifests it lists */
  platforms(image: Omit<EcrImage, 'region'>, digest: string): Promise<{ architectures: string[]; children: string[] }>;
  /** every image in the repository, newest push first */
  list(repository: EcrRepository): Promise<EcrImageDetail[]>;
}

/**
 * The remote builder (`deploy --build --remote`, src/aws/codebuild.ts): the platform's CodeBuild
 * projects, the build contexts in the config bucket and the builds' log, all at the platform's home.
 */
export interface BuilderApi {
  /** the builder's project per architecture, from the platform stack's outputs; null: no builder */
  projects(): Promise<{ arm64: string; x86_64: string } | null>;
  /** whether the config bucket holds this key already (build contexts are content-addressed) */
  has(key: string): Promise<boolean>;
  upload(key: string, file: string): Promise<void>;
  start(input: StartBuildInput): Promise<{ id: string }>;
  /** null: CodeBuild does not know the build */
  get(id: string): Promise<BuildState | null>;
  stop(id: string): Promise<void>;
  /** one page of the build log's events from `since` (epoch ms); null: no such stream yet */
  logs(group: string, stream: string, since: number, nextToken?: string): Promise<LogPage | null>;
}

/** App log groups, made before the app stack (src/aws/loggroups.ts). */
export interface LogGroupsApi {
  ensure(name: string, retentionDays: number, tags: Record<string, string>): Promise<'created' | 'exists'>;
}

/**
 * Named resources an earlier stack retained (DeletionPolicy Retain), looked up where the stacks
 * live so a new stack adopts them instead of failing to create them (src/ops/adopt.ts).
 */
export interface RetainedApi {
  /** whether a resource of this CloudFormation type (an ADOPTABLE one) with this name exists */
  exists(type: string, name: string): Promise<boolean>;
  /** the public hosted zones named exactly `domain`, with their tags */
  publicZones(domain: string): Promise<{ id: string; tags: Record<string, string> }[]>;
  /** the zone's name servers; null when it does not exist */
  nameServers(zoneId: string): Promise<string[] | null>;
}

/** An app's own secrets in Secrets Manager (values go in, never come out). */
export interface SecretsApi {
  /** store a value as the secret's new current version (creating it, tagged, in the platform's namespace); the ARN and version */
  put(env: string, app: string, name: string, value: string): Promise<{ arn: string; versionId: string; created: boolean }>;
  /**
   * Schedule a secret's deletion (by its ARN or name) after `recoveryDays`: "scheduled", or
   * "not-ours" for a secret another platform tagged (left alone), or "missing".
   */
  remove(id: string, recoveryDays: number): Promise<{ outcome: 'scheduled' | 'not-ours' | 'missing'; deletionDate?: string }>;
  /**
   * Bring back the app's secret NAME: its namespaced name, else its pre-namespace name when this
   * platform tagged it. Cancels a scheduled deletion; null when neither exists.
   */
  restore(env: string, app: string, name: string): Promise<{ arn: string; restored: boolean } | null>;
}

/** One-off ECS tasks (`run`, the release phase, `exec`) and the task definitions they start from. */
export interface TasksApi {
  /** the task definition a service runs now; null when there is no such service */
  serviceTaskDefinition(cluster: string, service: string): Promise<string | null>;
  taskDefinition(ref: string): Promise<TaskDefinitionRow | null>;
  register(input: TaskDefinitionInput): Promise<string>;
  run(input: RunTaskInput): Promise<{ arn?: string; failure?: { reason?: string; detail?: string } }>;
  describe(cluster: string, task: string): Promise<TaskRow | { missing: string }>;
  /** best effort */
  stop(cluster: string, task: string, reason: string): Promise<void>;
  /** a service's tasks meant to run (default), or the stopped ones ECS still lists */
  serviceTasks(cluster: string, service: string, desired?: 'RUNNING' | 'STOPPED'): Promise<TaskRow[]>;
  /** an app stack's resources, logical id → physical id (its roles, for the release phase) */
  stackResources(stack: string): Promise<Record<string, string>>;
}

/** CloudWatch Logs: one page of events; null when the log group does not exist. */
export interface LogsApi {
  filter(query: LogQuery): Promise<LogPage | null>;
}

/** CloudWatch alarms by name (the web services' deployment alarms). */
export interface AlarmsApi {
  /** the alarms among `names` that exist, in that order */
  describe(names: string[]): Promise<AlarmState[]>;
}

/** CloudWatch metrics: one batched GetMetricData. */
export interface MetricsApi {
  /** each query's datapoints by id, oldest first; a period without data has none */
  data(queries: MetricQuery[], start: Date, end: Date): Promise<Map<string, { at: number; value: number }[]>>;
}

/** Listener rules' live forward weights (ELBv2 DescribeRules). */
export interface TrafficApi {
  /** target group ARN → weight; null when the rule does not exist or does not forward */
  ruleWeights(ruleArn: string): Promise<RuleWeights | null>;
}

/** ECS service deployments: blue/green, canary and linear progress, rollback and abort. */
export interface DeploymentsApi {
  /** the service's newest deployment (created at or after `since`), or null */
  latest(cluster: string, service: string, since?: Date): Promise<ServiceDeploymentRow | null>;
  /** StopServiceDeployment with stopType ROLLBACK */
  stop(arn: string): Promise<void>;
  /** between reads while following one; 10 s when absent */
  pollMs?: number;
}

/** `cyclops abort`'s marker (src/store/abort-marker.ts): what was stopped, by whom, when. */
export interface AbortsApi {
  read(env: string, app: string): Promise<AbortMarker | null>;
  write(env: string, app: string, marker: AbortMarker): Promise<void>;
}

/** ACM: the certificate of an app's domains whose zone is elsewhere (`cyclops domains`). */
export interface CertificatesApi {
  /** the certificates tagged as this app's external-domains certificate, described */
  list(env: string, app: string): Promise<CertificateInfo[]>;
  describe(arn: string): Promise<CertificateInfo | null>;
  /** request a DNS-validated certificate for `names`, tagged as this app's; its ARN */
  request(env: string, app: string, names: string[], idempotencyToken: string): Promise<string>;
  delete(arn: string): Promise<'deleted' | 'in-use' | 'missing'>;
}

/** Where a domain's DNS points: a Route 53 alias record, or (for zones elsewhere) a public lookup. */
export interface DnsApi {
  /** the DNS name NAME's A alias record in the zone targets (lower case, no final dot); null when there is none */
  aliasTarget(zoneId: string, name: string): Promise<string | null>;
  /** whether public DNS sends NAME to `target` (a CNAME to it, or the same addresses); "unknown" when it cannot tell (offline, timeout) */
  resolvesTo(name: string, target: string): Promise<'yes' | 'no' | 'unknown'>;
}

/** The environment's notification topic (SNS). */
export interface NotificationsApi {
  /** publishes one message; returns SNS's message id */
  publish(topicArn: string, subject: string, message: string): Promise<string>;
}

/**
 * SES and the apps' SMTP users (src/email/smtp-user.ts): IAM users and access keys, the smtp
 * secret, and the identity's and account's sending state. A secret access key comes out of
 * createKey only; the secret's password never comes out at all.
 */
export interface EmailApi {
  user(name: string): Promise<IamUser | null>;
  createUser(u: { name: string; path: string; boundary: string; tags: { Key: string; Value: string }[] }): Promise<string>;
  setBoundary(name: string, boundary: string): Promise<void>;
  putPolicy(name: string, policyName: string, document: string): Promise<void>;
  keys(name: string): Promise<AccessKeyRow[]>;
  createKey(name: string): Promise<{ id: string; secret: string; created: Date }>;
  deleteKey(name: string, id: string): Promise<boolean>;
  /** deletes its inline policies too; false when there was no user */
  deleteUser(name: string): Promise<boolean>;
  /** the user names (access key ids) the secret's current and previous versions hold; the passwords are never read out */
  storedUsernames(secret: string): Promise<{ current: string | null; previous: string | null }>;
  /** the value as the secret's new current version (created with tags, or restored from a scheduled deletion) */
  store(secret: string, value: string, tags: { Key: string; Value: string }[]): Promise<{ arn: string }>;
  /** whether the secret exists and is not scheduled for deletion (DescribeSecret; its value is never read) */
  secretExists(secret: string): Promise<boolean>;
  /** delete at once (no recovery window); "not-ours" for a secret another platform tagged */
  deleteSecret(secret: string, platform: string): Promise<'deleted' | 'missing' | 'not-ours'>;
  account(): Promise<SesAccount>;
  identity(domain: string): Promise<SesIdentity | null>;
}

/** Who the credentials act as. */
export interface IdentityApi {
  /** the account id (STS GetCallerIdentity) */
  account(): Promise<string>;
  /** the caller's ARN (STS GetCallerIdentity); absent in fakes that need no name */
  caller?(): Promise<string>;
}

export interface Ops {
  config: Config;
  target?: Target;
  stacks: StacksApi;
  store: StoreApi;
  database: DatabaseApi;
  services: ServicesApi;
  volumes: VolumesApi;
  /** absent: images are deployed as given */
  images?: ImagesApi;
  /** absent: no remote builds (fakes that need none) */
  builder?: BuilderApi;
  logGroups: LogGroupsApi;
  retained: RetainedApi;
  secrets: SecretsApi;
  tasks: TasksApi;
  logs: LogsApi;
  alarms: AlarmsApi;
  metrics: MetricsApi;
  notifications: NotificationsApi;
  email: EmailApi;
  identity: IdentityApi;
  /** absent in fakes that need no load-balancer reads */
  traffic?: TrafficApi;
  deployments?: DeploymentsApi;
  aborts?: AbortsApi;
  certificates: CertificatesApi;
  dns: DnsApi;
  events: Events;
  /** Ctrl-C (and SIGTERM/SIGHUP): operations check it between steps */
  signal: AbortSignal;
  clock?: () => number;
}

export const now = (ops: Ops) => (ops.clock ?? Date.now)();

/**
 * The Ops interfaces bound to AWS: the stack engine, the store, the rollout waiter and the
 * database module, all with one client. The only place ops meet the real implementations.
 */
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { appSecretName, envOutputsFrom, legacyAppSecretName, TAG_PLATFORM, envStack, PLATFORM_OUTPUT, platformStack, tags, templateKey, templateUrl } from '../naming';
import { describeSecret, putOrCreateSecret, restoreSecret, scheduleSecretDeletion } from '../aws/secrets';
import { headObject } from '../aws/s3';
import type { Reporter } from '../report/reporter';
import { describeServices, restartServices, stackServices, waitForRollout } from '../ecs/rollout';
import { applyStack, deleteStack, describeStack, listAppStacks } from '../stacks';
import { moveStackRole } from '../stacks/role';
import * as store from '../store';
import { stackResources, stackTemplate } from '../aws/cloudformation';
import * as ecr from '../aws/ecr';
import * as ecs from '../aws/ecs';
import { ensureLogGroup } from '../aws/loggroups';
import { filterLogEvents } from '../aws/logs';
import type { CertificatesApi, DatabaseApi, DnsApi, ImagesApi, LogsApi, Ops, RetainedApi, ServicesApi, StacksApi, StoreApi, SecretsApi, TasksApi, VolumesApi } from './context';
import type { Target } from '../plan/target';
import { liveEmail } from './live-email';
import { liveBuilder } from './live-builder';

/**
 * `home`: the platform's home clients, when `aws` is an environment's own (`environments.<env>.aws`).
 * The CloudFormation service role is the platform stack's output. An environment in another account
 * has that stack in its own account and region (`bootstrap --env`); one in the home account but
 * another region has none there, and uses the home platform stack's role: IAM is global, so one
 * role serves every region of its account.
 */
export function liveStacks(aws: Aws, config: Config, reporter: Reporter, home?: Aws): StacksApi {
  let role: Promise<string | undefined> | undefined;
  const roleIn = (at: Aws) => describeStack(at, platformStack(config.platform.name)).then((s) => s?.outputs[PLATFORM_OUTPUT.serviceRoleArn] || undefined);
  const serviceRole = async () => {
    const here = await roleIn(aws);
    if (here || !home || home === aws) return here;
    const sts = await import('../aws/sts');
    const [envAccount, homeAccount] = await Promise.all([sts.callerAccount(aws), sts.callerAccount(home)]);
    return envAccount === homeAccount ? roleIn(home) : undefined;
  };
  return {
    region: aws.region,
    apply: (input) => applyStack(aws, reporter, input),
    delete: (name, opts) => deleteStack(aws, reporter, name, opts),
    describe: (name) => describeStack(aws, name),
    envOutputs: async (env) => {
      const s = await describeStack(aws, envStack(config.platform.name, env));
      return s ? envOutputsFrom(s.outputs) : null;
    },
    listAppStacks: (env) => listAppStacks(aws, config.platform.name, env),
    resources: (name) => stackResources(aws, name),
    template: (name) => stackTemplate(aws, name),
    serviceRole: () => (role ??= serviceRole()),
    moveRole: (name, roleArn, opts) => moveStackRole(aws, reporter, name, roleArn, opts),
  };
}

export function liveStore(aws: Aws, config: Config, reporter?: Reporter): StoreApi {
  return {
    bucket: config.platform.bucket,
    ensureBucket: (onStep) => store.ensureBucket(aws, config, onStep),
    bucketRegion: () => store.bucketRegion(aws, config),
    allocatePort: async (env, app) => {
      const r = await store.allocatePort(aws, config, env, app);
      reporter?.debug('ports.allocated', { app, env, port: r.port, attempts: r.attempts }, `ports.json: ${app} in ${env} has port ${r.port} after ${r.attempts} attempt(s)`);
      return r;
    },
    releasePort: (env, app) => store.releasePort(aws, config, env, app),
    readPorts: () => store.readPorts(aws, config),
    pushPortsRange: () => store.pushPortsRange(aws, config),
    readLock: (env, app) => store.readLock(aws, config, env, app),
    removeLock: (env, app, etag) => store.removeLock(aws, config, env, app, etag),
    acquireLock: (env, app, operation) => store.acquireLock(aws, config, env, app, operation),
    readRelease: (env, app) => store.readRelease(aws, config, env, app),
    writeRelease: (env, app, record) => store.writeRelease(aws, config, env, app, record),
    deleteRelease: (env, app) => store.deleteRelease(aws, config, env, app),
    listReleases: (env, app, page) => store.listReleases(aws, config, env, app, page),
    releaseRecord: (env, app, n) => store.readReleaseNumber(aws, config, env, app, n),
    objectExists: (key) => headObject(aws, config.platform.bucket, key),
    readSettings: (env, app) => store.readSettings(aws, config, env, app),
    updateSettings: (env, app, change) => store.updateSettings(aws, config, env, app, change),
    pushTemplate: (kind, ids, body, opts) => store.pushTemplate(aws, config, kind, ids, body, opts),
    readLatestTemplate: (kind, ids) => store.readLatestTemplate(aws, config, kind, ids),
    templateLocation: (kind, ids, body) => {
      const key = templateKey(kind, store.sha256(body), ids);
      return { key, url: templateUrl(config.platform.bucket, aws.region, key) };
    },
  };
}

export function liveServices(aws: Aws, reporter: Reporter): ServicesApi {
  return {
    stackServices: (stack) => stackServices(aws, stack),
    describe: (cluster, services) => describeServices(aws, cluster, services),
    waitForRollout: (cluster, services, opts) => waitForRollout(aws, reporter, cluster, services, opts),
    restart: (cluster, services) => restartServices(aws, cluster, services),
  };
}

export function liveSecrets(aws: Aws, config: Config): SecretsApi {
  const platform = config.platform.name;
  const ours = (t: Record<string, string>) => t[TAG_PLATFORM] === platform;
  return {
    put: (env, app, name, value) =>
      putOrCreateSecret(aws, {
        name: appSecretName(platform, env, app, name),
        description: `cyclops secret ${name} of ${app} in ${env} (platform ${platform})`,
        text: value,
        tags: tags({ platform, env, app }),
      }),
    remove: async (id, recoveryDays) => {
      const s = await describeSecret(aws, id);
      if (!s) return { outcome: 'missing' };
      if (!ours(s.tags)) return { outcome: 'not-ours' };
      if (s.deletedAt) return { outcome: 'scheduled' };
      const when = await scheduleSecretDeletion(aws, s.arn, recoveryDays);
      return { outcome: 'scheduled', ...(when ? { deletionDate: when.toISOString() } : {}) };
    },
    restore: async (env, app, name) => {
      for (const id of [appSecretName(platform, env, app, name), legacyAppSecretName(env, app, name)]) {
        const s = await describeSecret(aws, id);
        if (!s || !ours(s.tags)) continue;
        if (s.deletedAt) await restoreSecret(aws, s.arn);
        return { arn: s.arn, restored: !!s.deletedAt };
      }
      return null;
    },
  };
}

export function liveTasks(aws: Aws): TasksApi {
  return {
    serviceTaskDefinition: async (cluster, service) => (await ecs.describeServices(aws, cluster, [service]))[0]?.taskDefinition ?? null,
    taskDefinition: (ref) => ecs.describeTaskDefinition(aws, ref),
    register: (input) => ecs.registerTaskDefinition(aws, input),
    run: (input) => ecs.runFargateTask(aws, input),
    describe: (cluster, task) => ecs.describeTask(aws, cluster, task, `check task ${task.split('/').pop()} on cluster ${cluster}`),
    stop: (cluster, task, reason) => ecs.stopTask(aws, cluster, task, reason),
    serviceTasks: (cluster, service, desired) => ecs.serviceTasks(aws, cluster, service, desired),
    stackResources: async (stack) => Object.fromEntries((await stackResources(aws, stack)).filter((r) => r.physicalId).map((r) => [r.logicalId, r.physicalId!])),
  };
}

export function liveLogs(aws: Aws): LogsApi {
  return { filter: (query) => filterLogEvents(aws, query) };
}

export function liveDatabase(aws: Aws, config: Config, reporter: Reporter, signal: AbortSignal): DatabaseApi {
  const db = () => import('../database');
  const deps = (o: { runner?: 'direct' | 'task'; signal?: AbortSignal; envOutputs?: import('../stacks').EnvOutputs } = {}) => ({
    aws,
    config,
    reporter,
    signal: o.signal ?? signal,
    runner: o.runner,
    envOutputs: o.envOutputs,
  });
  return {
    preflight: async (env, app, runner) => (await db()).checkCredentials(config, env, app, runner),
    ensure: async (env, app, o = {}) => (await db()).ensureAppDatabase(deps(o), env, app, { rotatePassword: o.rotatePassword }),
    info: async (env, app) => (await db()).appDatabaseInfo(deps(), env, app).catch((e) => (e?.code === 'usage' ? null : Promise.reject(e))),
    drop: async (env, app, o = {}) => (await db()).dropAppDatabase(deps(o), env, app),
  };
}

export function liveVolumes(aws: Aws, config: Config): VolumesApi {
  const efs = () => import('../aws/efs');
  return {
    list: async (env, app) => (await efs()).listAppFileSystems(aws, { platform: config.platform.name, env, app }),
    delete: async (id, opts = {}) => (await efs()).deleteFileSystem(aws, id, opts),
  };
}

export function liveImages(aws: Aws): ImagesApi {
  return {
    region: aws.region,
    ecr: (repository) => ecr.ecrImage(repository),
    digest: (image, tag) => ecr.imageDigest(aws, image, tag),
    tag: (image, digest, tag) => ecr.tagImage(aws, image, digest, tag),
    architectures: (image, digest) => ecr.imageArchitectures(aws, image, digest),
    repository: (name) => ecr.describeRepository(aws, name),
    login: () => ecr.registryLogin(aws),
    list: (repository) => ecr.listImages(aws, repository),
    platforms: (image, digest) => ecr.imagePlatforms(aws, image, digest),
  };
}

export function liveCertificates(aws: Aws, config: Config): CertificatesApi {
  const acm = () => import('../aws/acm');
  const ids = (env: string, app: string) => ({ platform: config.platform.name, env, app });
  return {
    list: async (env, app) => (await acm()).listAppCertificates(aws, ids(env, app)),
    describe: async (arn) => (await acm()).describeCertificate(aws, arn),
    request: async (env, app, names, token) => (await acm()).requestCertificate(aws, ids(env, app), names, token),
    delete: async (arn) => (await acm()).deleteCertificate(aws, arn),
  };
}

export function liveDns(aws: Aws): DnsApi {
  return {
    aliasTarget: async (zoneId, name) => (await import('../aws/route53')).aliasTarget(aws, zoneId, name),
    resolvesTo: async (name, target) => (await import('./dns-lookup')).resolvesTo(name, target),
  };
}

export function liveRetained(aws: Aws): RetainedApi {
  return {
    exists: async (type, name) => {
      const r = await import('../aws/retained');
      if (type === 'AWS::Logs::LogGroup') return r.logGroupExists(aws, name);
      if (type === 'AWS::ECR::Repository') return r.repositoryExists(aws, name);
      throw new Error(`no existence check for ${type}`);
    },
    publicZones: async (domain) => (await import('../aws/retained')).publicZonesNamed(aws, domain),
    nameServers: async (zoneId) => (await import('../aws/retained')).zoneNameServers(aws, zoneId),
  };
}

/**
 * `envAws`: clients in the target environment's own account and region (`environments.<env>.aws`);
 * its stacks, services, tasks, secrets, log groups, logs, alarms and database live there. The
 * store (config bucket, ports, releases, locks) and the images (ECR) stay at the platform's home.
 */
export function liveOps(aws: Aws, config: Config, reporter: Reporter, signal: AbortSignal, target?: Target, envAws?: Aws): Ops {
  const at = envAws ?? aws;
  return {
    config,
    target,
    stacks: liveStacks(at, config, reporter, aws),
    store: liveStore(aws, config, reporter),
    database: liveDatabase(at, config, reporter, signal),
    services: liveServices(at, reporter),
    volumes: liveVolumes(at, config),
    images: liveImages(aws),
    builder: liveBuilder(aws, config),
    logGroups: { ensure: (name, days, tags) => ensureLogGroup(at, name, days, tags) },
    retained: liveRetained(at),
    secrets: liveSecrets(at, config),
    tasks: liveTasks(at),
    logs: liveLogs(at),
    alarms: { describe: async (names) => (await import('../aws/cloudwatch')).describeAlarms(at, names) },
    metrics: { data: async (queries, start, end) => (await import('../aws/cloudwatch')).getMetricData(at, queries, start, end) },
    identity: { account: async () => (await import('../aws/sts')).callerAccount(at), caller: async () => (await import('../aws/sts')).callerArn(aws) },
    traffic: { ruleWeights: async (arn) => (await import('../aws/elbv2')).ruleWeights(at, arn) },
    deployments: {
      latest: async (cluster, service, since) => (await import('../aws/service-deployments')).latestServiceDeployment(at, cluster, service, since),
      stop: async (arn) => (await import('../aws/service-deployments')).stopServiceDeployment(at, arn),
    },
    aborts: {
      read: async (env, app) => (await import('../store/abort-marker')).readAbortMarker(aws, config, env, app),
      write: async (env, app, marker) => (await import('../store/abort-marker')).writeAbortMarker(aws, config, env, app, marker),
    },
    // the certificate and the records go with the load balancer: in the environment's account
    certificates: liveCertificates(at, config),
    dns: liveDns(at),
    // the SMTP users and the identity live with the environment's stacks: in its account and region
    email: liveEmail(at),
    notifications: { publish: async (topic, subject, message) => (await import('../aws/sns')).publish(at, topic, subject, message) },
    events: reporter,
    signal,
  };
}

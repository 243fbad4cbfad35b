/**
 * Environments: one CloudFormation stack each, rendered from config, pushed to the config
 * bucket and applied by the stack engine; and the platform (bootstrap).
 */
import { configWarnings } from '../config/warnings';
import { CyclopsError, interrupted, isCyclopsError, usageError } from '../errors';
import { say } from '../events';
import { appUrl, builderProject, ENV_OUTPUT, envStack, platformStack, PLATFORM_OUTPUT } from '../naming';
import { renderCluster, renderPlatform, templateBody } from '../plan';
import type { AppStack, StackSummary } from '../stacks';
import { destroyApp } from './apps';
import { networkChange } from '../plan/network';
import { delegation } from '../plan/delegation';
import { zoneToAdopt } from './adopt';
import { applyTemplate } from './apply-template';
import { repositoryUris } from './image-list';
import { repositoryId, type LegacyServiceRole } from '../../templates/platform';
import { hasBuilder } from '../../templates/platform-builder';
import type { Ops } from './context';
import type { GithubFlags } from './ci';
import type { OpsIn } from './account';
import type { Target } from '../plan/target';
import { emailStatus } from '../email/status';

export async function applyEnv(ops: Ops, t: Target, opts: { dryRun?: boolean; timeoutSeconds?: number; allowReplace?: string[] }, verb: 'create' | 'update') {
  const stackName = envStack(t.platform, t.env);
  const live = await ops.stacks.describe(stackName);
  if (verb === 'update' && !live) {
    throw usageError(`environment ${t.env}: stack ${stackName} does not exist; create it with "cyclops env create ${t.env}"`);
  }
  const current = live ? await ops.stacks.template(stackName) : null;
  // The zone an earlier stack of this environment kept, used again rather than a second one.
  const zone = await zoneToAdopt(ops, t, live, current);
  const body = templateBody(renderCluster(ops.config, t.env, { adoptedZone: zone?.zone }));
  // Before any change set: a config change that would replace live subnets is refused by its config key.
  const refused = current ? networkChange(t.env, current, body) : null;
  if (refused) throw refused;
  if (zone?.found) {
    const { domain } = ops.config.environments[t.env].dns;
    say.info(
      ops.events,
      'env.zone.adopting',
      { env: t.env, domain, zoneId: zone.zone.id, nameServers: zone.zone.nameServers, dryRun: !!opts.dryRun },
      `environment ${t.env}: hosted zone ${zone.zone.id} (${domain}) was kept by an earlier stack of this environment; ${opts.dryRun ? 'a real run uses' : 'using'} it instead of creating a second one, so its delegation (${zone.zone.nameServers.join(', ') || 'name servers unknown'}) stays valid`,
    );
  }
  say.step(ops.events, 'env.template', { env: t.env, stack: stackName }, `environment ${t.env}: template for stack ${stackName}`);
  const { pushed, result, adopted } = await applyTemplate(ops, { kind: 'cluster', ids: t, stackName, body, dryRun: opts.dryRun, timeoutSeconds: opts.timeoutSeconds, allowReplace: opts.allowReplace });
  return { stackName, pushed, result, adopted: { resources: adopted, hostedZone: zone?.found ? zone.zone : null } };
}

export interface EnvDeletePlan {
  stackName: string;
  stack: StackSummary | null;
  apps: AppStack[];
}

/** What `env delete` would delete; refuses (before any write) while apps are deployed, unless forced. */
export async function planEnvDelete(ops: Ops, t: Target, opts: { force?: boolean }): Promise<EnvDeletePlan> {
  const stackName = envStack(t.platform, t.env);
  const stack = await ops.stacks.describe(stackName);
  if (!stack) return { stackName, stack, apps: [] };
  const apps = await ops.stacks.listAppStacks(t.env);
  if (apps.length && !opts.force) {
    throw usageError(
      `environment ${t.env}: apps are still deployed (${apps.map((a) => a.app).join(', ')}); destroy them first ("cyclops destroy APP ${t.env}") or pass --force to delete them too`,
    );
  }
  return { stackName, stack, apps };
}

/**
 * App stacks import the env stack's exports, so they go first (in parallel), each the way
 * "cyclops destroy" does it: under the app's lock, releasing its port and release record.
 */
export async function deleteEnv(ops: Ops, t: Target, plan: EnvDeletePlan, opts: { timeoutSeconds?: number }): Promise<{ deleted: boolean }> {
  if (!plan.stack) return { deleted: false };
  await Promise.all(plan.apps.map((a) => destroyApp(ops, { ...t, app: a.app }, { timeoutSeconds: opts.timeoutSeconds })));
  if (ops.signal.aborted) throw interrupted(`environment ${t.env}: interrupted after its apps were destroyed; run "cyclops env delete ${t.env}" again`);
  try {
    return await ops.stacks.delete(plan.stackName, { roleArn: await ops.stacks.serviceRole(), timeoutSeconds: opts.timeoutSeconds, signal: ops.signal });
  } catch (e) {
    throw vpcInUse(t, plan.stackName, e) ?? e;
  }
}

const IN_USE = /DependencyViolation|has dependencies|dependent object/i;

/**
 * A VPC that CloudFormation could not delete because something still uses it: say what is
 * probably left (the stack events' reasons) and the way forward, instead of a bare failure.
 */
export function vpcInUse(t: Target, stackName: string, e: unknown): CyclopsError | null {
  if (!isCyclopsError(e)) return null;
  const reasons = [e.message, ...(e.details ?? [])];
  const hit = reasons.find((r) => IN_USE.test(r));
  if (!hit) return null;
  const vpc = /\b(vpc-[0-9a-f]+)\b/.exec(reasons.join(' '))?.[1];
  const find = vpc ? `"aws ec2 describe-network-interfaces --filters Name=vpc-id,Values=${vpc}" and "aws ec2 describe-security-groups --filters Name=vpc-id,Values=${vpc}"` : 'the VPC console';
  return new CyclopsError(
    `environment ${t.env}: stack ${stackName} could not delete its VPC${vpc ? ` ${vpc}` : ''}: something outside the stack still uses it (network interfaces of tasks or functions, or a security group, endpoint or gateway made by hand); ` +
      `find them with ${find}, remove them, then run "cyclops env delete ${t.env}" again`,
    { exitCode: e.exitCode, details: reasons.filter((r) => r !== e.message), code: 'vpc-in-use', cause: e },
  );
}

export interface EnvDeletePreview {
  env: string;
  stack: string;
  exists: boolean;
  /** the env stack's resources by type */
  resources: Record<string, string[]>;
  /** the deployed apps: they block the delete unless --force (which destroys them first) */
  apps: string[];
  blockedBy: string[];
}

/** `env delete --dry-run`: what would go, touching nothing. */
export async function previewEnvDelete(ops: Ops, t: Target, opts: { force?: boolean }): Promise<EnvDeletePreview> {
  const stackName = envStack(t.platform, t.env);
  const stack = await ops.stacks.describe(stackName);
  if (!stack) return { env: t.env, stack: stackName, exists: false, resources: {}, apps: [], blockedBy: [] };
  const [apps, rows] = await Promise.all([ops.stacks.listAppStacks(t.env), ops.stacks.resources(stackName)]);
  const resources: Record<string, string[]> = {};
  for (const r of rows.filter((x) => x.resourceType && x.logicalId).sort((a, b) => a.resourceType.localeCompare(b.resourceType) || a.logicalId.localeCompare(b.logicalId))) {
    (resources[r.resourceType] ??= []).push(r.logicalId);
  }
  const names = apps.map((a) => a.app);
  return { env: t.env, stack: stackName, exists: true, resources, apps: names, blockedBy: opts.force ? [] : names };
}

/** `opsIn`: the ops of an environment that lives in its own account (`environments.<env>.aws`). */
export async function listEnvs(ops: Ops, opsIn?: (env: string) => Promise<Ops>) {
  return Promise.all(
    Object.values(ops.config.environments).map(async (e) => {
      const stack = envStack(ops.config.platform.name, e.name);
      const at = e.aws && opsIn ? await opsIn(e.name) : ops;
      const s = await at.stacks.describe(stack);
      return {
        env: e.name,
        stack,
        status: s?.status ?? 'NOT_CREATED',
        domain: e.dns.domain,
        updated: s?.lastUpdated?.toISOString() ?? null,
        ...(e.aws ? { account: e.aws.account, region: e.aws.region } : {}),
      };
    }),
  );
}

/** `bootstrap`: the config bucket (created when missing, settings re-applied), then the platform stack. */
export async function bootstrap(ops: Ops, opts: { timeoutSeconds?: number; allowReplace?: string[]; github?: GithubFlags; opsIn?: OpsIn; remoteBuilder?: boolean }) {
  const { ciInput, namedTrusts } = await import('./ci');
  if (opts.github) namedTrusts(opts.github); // bad names: exit 2 before any write
  say.step(ops.events, 'bootstrap.bucket', { bucket: ops.store.bucket, region: ops.stacks.region }, `config bucket ${ops.store.bucket} in ${ops.stacks.region}`);
  const bucket = await ops.store.ensureBucket((message) => say.info(ops.events, 'bootstrap.bucket.setting', {}, message));
  say.success(ops.events, 'bootstrap.bucket.ready', { bucket: bucket.bucket, created: bucket.created }, bucket.created ? `created ${bucket.bucket}` : `${bucket.bucket} was there; settings re-applied`);
  const stackName = platformStack(ops.config.platform.name);
  say.step(ops.events, 'bootstrap.platform-stack', { stack: stackName }, `platform stack ${stackName}`);
  // The CI roles already deployed are kept (read from the live template), the named ones added.
  const ci = await ciInput(ops, opts.github ?? {}, opts.opsIn);
  // The remote builder, once added (--remote-builder), stays: the live template records it.
  const builder = opts.remoteBuilder || hasBuilder(await ops.stacks.template(stackName));
  if (builder) say.info(ops.events, 'bootstrap.remote-builder', { added: !!opts.remoteBuilder }, `remote builder: CodeBuild projects ${builderProject(ops.config.platform.name, 'arm64')} and ${builderProject(ops.config.platform.name, 'x86_64')}`);
  const { envsByAccount, finishRoleMove, hasLegacyRole, reportOtherAccounts } = await import('./service-role-move');
  // the service role of earlier versions (path "/") stays beside the new one until no stack uses it
  const legacy = await hasLegacyRole(ops, stackName);
  const { here, elsewhere } = await envsByAccount(ops);
  const apply = (legacyServiceRole: LegacyServiceRole) =>
    applyTemplate(ops, {
      kind: 'platform',
      ids: { platform: ops.config.platform.name },
      stackName,
      body: templateBody(renderPlatform(ops.config, ci, { legacyServiceRole, builder })),
      timeoutSeconds: opts.timeoutSeconds,
      allowReplace: opts.allowReplace,
    });
  const first = await apply(legacy);
  const { adopted } = first;
  let { pushed, result } = first;
  const opsIn = opts.opsIn ?? (async () => ops);
  const serviceRole = await finishRoleMove(ops, {
    stackName,
    legacyInTemplate: legacy,
    roleArn: result.outputs[PLATFORM_OUTPUT.serviceRoleArn],
    envs: here,
    opsIn,
    timeoutSeconds: opts.timeoutSeconds,
    removeLegacy: async (step) => {
      ({ pushed, result } = await apply(step));
    },
  });
  await reportOtherAccounts(ops, opsIn, elsewhere);
  // every configured app's repository, as the stack made it: what "docker push" and deploy name
  const repositories = Object.fromEntries(Object.keys(ops.config.apps).sort().map((app) => [app, result.outputs[`${repositoryId(app)}Uri`] ?? null]));
  return { bucket, stackName, pushed, result, repositories, adopted, builder, serviceRole: { moved: serviceRole.moved, oldRoleRemoved: serviceRole.removed } };
}

/** The config warnings (quotas, capacity) that concern this environment, or the whole region. */
export function envWarnings(ops: Ops, env: string): string[] {
  const mine = configWarnings(ops.config).filter((w) => w.startsWith(`environment ${env}:`) || !w.startsWith('environment '));
  for (const w of mine) say.warn(ops.events, 'config.warning', {}, w);
  return mine;
}

/** `env show`: the environment's outputs, read from its stack. */
export async function showEnv(ops: Ops, t: Target) {
  const e = ops.config.environments[t.env];
  const stackName = envStack(t.platform, t.env);
  const s = await ops.stacks.describe(stackName);
  if (!s) throw usageError(`environment ${t.env}: stack ${stackName} does not exist; create it with "cyclops env create ${t.env}"`);
  const out = (k: keyof typeof ENV_OUTPUT) => s.outputs[ENV_OUTPUT[k]] || undefined;
  const domain = out('domain') ?? e.dns.domain;
  const https = (out('https') ?? String(e.tls.mode !== 'none')) === 'true';
  const dbHost = out('databaseEndpoint');
  const nameServers = out('nameServers')?.split(',') ?? null;
  return {
    env: t.env,
    // where it lives: the platform's home, or its own account and region
    account: e.aws?.account ?? null,
    region: e.aws?.region ?? ops.config.platform.region,
    stack: stackName,
    status: s.status,
    updated: s.lastUpdated?.toISOString() ?? null,
    domain,
    appUrl: appUrl('APP', domain, https),
    loadBalancer: out('loadBalancerDnsName') ?? null,
    cluster: out('clusterName') ?? null,
    hostedZoneId: out('hostedZoneId') ?? null,
    // A zone the stack created must be delegated from its parent to these before names resolve.
    nameServers,
    // ... as the exact record to create in the parent zone (in another account, cyclops cannot)
    delegation: nameServers ? delegation(domain, nameServers) : null,
    database: dbHost ? { endpoint: dbHost, port: Number(out('databasePort') ?? 5432) } : null,
    redis: out('redisEndpoint') ?? null,
    outputs: s.outputs,
    // the apps' ECR repositories (in the platform's account): what "docker push" names
    repositories: await repositoryUris(ops),
    // identity, DKIM and sandbox: SES's own state (null without environments.<env>.email)
    email: await emailStatus(ops, t.env),
    warnings: envWarnings(ops, t.env),
  };
}

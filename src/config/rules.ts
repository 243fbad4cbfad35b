/**
 * Cross-field rules zod's shapes cannot say. Each problem is reported at the key path it is
 * about, with the fix in the message.
 */
import { z } from 'zod';
import { configSchema, type ParsedConfig } from './schema';
import { isName, NAME_MAX } from '../naming';
import { limitProblems } from './limits';
import { resolveConfig, SUBNET_SLOT_BITS, WEB_PROCESS } from './model';
import { checkDeployment } from './deployment';
import { MAX_CONDITION_VALUES } from './domains';
import { mergedAppSettings } from './merge';
import { renderApp, renderCluster } from '../plan';
import { overrideProblems } from '../plan/overrides';
import { didYouMean } from '../naming';
import { checkAppAccess, checkProcesses } from './rules-processes';
import { emailProblems } from './rules-email';

type Ctx = z.RefinementCtx;
type Path = (string | number)[];
const add = (ctx: Ctx, path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });

/** Fargate's valid CPU/memory pairs (MiB). */
export const FARGATE_MEMORY: Record<number, [number, number]> = {
  256: [512, 2048],
  512: [1024, 4096],
  1024: [2048, 8192],
  2048: [4096, 16384],
  4096: [8192, 30720],
};

/**
 * Why Fargate cannot run a task of `cpu` units and `mem` MiB, or null when it can. Config
 * rules and `run --cpu/--memory` share it.
 */
export function fargateSizeProblem(cpu: number, mem: number): string | null {
  const range = FARGATE_MEMORY[cpu];
  if (!range) return `${cpu} CPU units is not a Fargate size; use one of ${Object.keys(FARGATE_MEMORY).join(', ')}`;
  const [lo, hi] = range;
  if (mem < lo || mem > hi) return `is ${mem} MiB, which ${cpu} CPU units cannot have; use ${lo} to ${hi} MiB, or change cpu`;
  if (cpu === 256 ? ![512, 1024, 2048].includes(mem) : mem % 1024 !== 0) {
    const steps = cpu === 256 ? '512, 1024 or 2048' : `a whole number of GiB (a multiple of 1024) from ${lo} to ${hi}`;
    return `is ${mem} MiB, which Fargate does not offer with ${cpu} CPU units; use ${steps}`;
  }
  return null;
}

/** Variables cyclops sets itself from the app database secret. */
export const DATABASE_VARS = ['DATABASE_URL', 'PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD'];

/** ALB listener-rule priorities run 1..50000 and the port doubles as the priority. */
export const MAX_PORT = 50000;

function checkPorts(c: ParsedConfig, ctx: Ctx): void {
  const [lo, hi] = c.ports.range;
  if (lo > hi) add(ctx, ['ports', 'range'], `first port ${lo} is above last port ${hi}; write the range as [low, high]`);
  if (hi > MAX_PORT) add(ctx, ['ports', 'range'], `last port ${hi} is above ${MAX_PORT}, the highest load-balancer rule priority; end the range at ${MAX_PORT} or below`);
  // An allow list's 403 rule takes the priority port + (hi - lo + 1): that block must fit too.
  const allowApp = Object.entries(c.apps).find(([, a]) => a.allow?.length || Object.values(a.environments ?? {}).some((e) => e.allow?.length));
  const top = 2 * hi - lo + 1;
  if (allowApp && lo <= hi && hi <= MAX_PORT && top > MAX_PORT) {
    add(ctx, ['ports', 'range'], `leaves no room for the 403 rules of apps with "allow" (such as ${allowApp[0]}), which take priorities up to ${top}, above ${MAX_PORT}; use a range whose size fits above it, such as [20000, 29999]`);
  }
}

function checkEnvironment(name: string, e: ParsedConfig['environments'][string], ctx: Ctx): void {
  const at = (...p: Path): Path => ['environments', name, ...p];
  if (!isName(name, NAME_MAX.environment)) {
    add(ctx, ['environments', name], 'is not a valid environment name; use up to 20 lowercase letters, digits and dashes, starting with a letter');
  }
  if (e.aws) {
    if (e.aws.roleArn && e.aws.profile) add(ctx, at('aws', 'roleArn'), 'cannot be set with profile; pick one: a role cyclops assumes from the home credentials, or a named profile');
    if (e.aws.profile && !e.aws.account) add(ctx, at('aws', 'account'), `is required with profile: cyclops checks that profile ${e.aws.profile}'s credentials act in that account before any write; add the account's 12 digits`);
    const roleAccount = e.aws.roleArn?.split(':')[4];
    if (roleAccount && e.aws.account && roleAccount !== e.aws.account) {
      add(ctx, at('aws', 'roleArn'), `is a role in account ${roleAccount}, but aws.account is ${e.aws.account}; use a role in ${e.aws.account} or fix the account`);
    }
  }
  const n = e.network;
  if (n.vpcId) {
    if (n.cidr) add(ctx, at('network', 'cidr'), 'cannot be set with vpcId; remove cidr to import the VPC, or remove vpcId to create one');
    if (n.natGateways !== undefined) add(ctx, at('network', 'natGateways'), 'applies only to a VPC cyclops creates; remove it when importing vpcId');
    for (const key of ['publicSubnets', 'privateSubnets'] as const) {
      if (!n[key] || n[key]!.length < 2) add(ctx, at('network', key), `needs at least two subnet ids in different zones when importing vpcId; add them`);
    }
  } else if (n.publicSubnets || n.privateSubnets) {
    add(ctx, at('network', 'vpcId'), 'is required when subnets are given; add the VPC id, or remove the subnets to create a VPC');
  }
  const cap = e.capacity;
  if (cap.type === 'fargate') {
    for (const key of ['instanceType', 'min', 'max'] as const) {
      if (cap[key] !== undefined) add(ctx, at('capacity', key), `applies only to EC2 capacity; remove it or set capacity.type to "ec2"`);
    }
  } else {
    if (cap.spot !== undefined) add(ctx, at('capacity', 'spot'), 'applies only to Fargate capacity; remove it');
    if (cap.min !== undefined && cap.max !== undefined && cap.min > cap.max) {
      add(ctx, at('capacity', 'min'), `is ${cap.min}, above max ${cap.max}; set min at or below max`);
    }
  }
  if (e.tls && !!e.tls.certificateArn === !!e.tls.create) {
    add(ctx, at('tls'), 'needs exactly one of certificateArn or "create": true; pick one, or remove tls for HTTP only');
  } else if (e.tls?.create && !e.dns.hostedZoneId && !e.dns.delegated) {
    // The certificate is validated through DNS records in the zone, which only works once the
    // zone is delegated from its parent; a zone the same stack creates is not delegated at first.
    add(
      ctx,
      at('tls', 'create'),
      'needs a delegated zone: create the environment without tls, delegate the zone to the name servers "cyclops env show" lists, then set dns.delegated: true with tls (keep the zone in this environment; never move it to dns.hostedZoneId)',
    );
  }
  if (e.dns.delegated !== undefined && e.dns.hostedZoneId) {
    add(ctx, at('dns', 'delegated'), 'applies only to a zone this environment creates; remove it (a zone given in hostedZoneId must already be delegated)');
  }
  checkNetworkSize(e, at('network'), ctx);
  checkDatabase(e.database, at('database'), ctx);
  checkBackups(e, at('database'), ctx);
}

/**
 * A load balancer needs subnets of at least /27. Layout "slots" gives each subnet a sixteenth
 * of the VPC; "legacy" splits it into 2 × azs blocks rounded up to a power of two.
 */
const MIN_ALB_SUBNET = 27;
function checkNetworkSize(e: ParsedConfig['environments'][string], at: Path, ctx: Ctx): void {
  const n = e.network;
  if (n.vpcId) {
    if (n.layout !== undefined) add(ctx, [...at, 'layout'], 'applies only to a VPC cyclops creates; remove it when importing vpcId');
    return;
  }
  const prefix = Number((n.cidr ?? '10.0.0.0/16').split('/')[1]);
  const bits = n.layout === 'legacy' ? Math.ceil(Math.log2(2 * (n.azs ?? 2))) : SUBNET_SLOT_BITS;
  if (prefix + bits > MIN_ALB_SUBNET) {
    add(
      ctx,
      [...at, 'cidr'],
      `is a /${prefix}, which leaves /${prefix + bits} subnets, smaller than the /${MIN_ALB_SUBNET} a load balancer needs; use a /${MIN_ALB_SUBNET - bits} or larger block`,
    );
  }
}

/** Without backups a lost database cannot be restored: allowed only where losing it is accepted. */
function checkBackups(e: ParsedConfig['environments'][string], at: Path, ctx: Ctx): void {
  const d = e.database;
  if (d.type !== 'rds') return;
  if (d.backupRetentionDays === 0 && !(d.deletionProtection === false && e.disposable === true)) {
    add(
      ctx,
      [...at, 'backupRetentionDays'],
      'is 0, which turns off backups; keep at least 1 day, or set deletionProtection: false and the environment\'s "disposable": true if its data may be lost',
    );
  }
  // RDS wants the autoscaling limit at least 10 % above the allocated storage.
  const storage = d.storage ?? 20;
  const least = Math.ceil((storage * 11) / 10);
  if (d.maxStorage !== undefined && d.maxStorage !== storage && d.maxStorage < least) {
    const what = d.maxStorage < storage ? 'below storage' : 'less than 10% above storage';
    add(ctx, [...at, 'maxStorage'], `is ${d.maxStorage} GiB, ${what} (${storage} GiB); use at least ${least} GiB for storage autoscaling, or ${storage} to turn it off`);
  }
}

const RDS_ONLY = ['instanceClass', 'storage', 'maxStorage', 'multiAz', 'engineVersion', 'backupRetentionDays', 'deletionProtection'] as const;
const EXTERNAL_ONLY = ['host', 'port', 'adminUser', 'adminSecretArn', 'adminPasswordEnv', 'adminDatabase', 'ssl'] as const;

function checkDatabase(d: ParsedConfig['environments'][string]['database'], at: Path, ctx: Ctx): void {
  const stray = (keys: readonly string[], why: string) => {
    for (const k of keys) if ((d as Record<string, unknown>)[k] !== undefined) add(ctx, [...at, k], why);
  };
  if (d.type === 'rds') {
    stray(EXTERNAL_ONLY, 'applies only to an external database; remove it or set database.type to "external"');
  } else if (d.type === 'external') {
    stray(RDS_ONLY, 'applies only to a managed RDS database; remove it or set database.type to "rds"');
    if (!d.host) add(ctx, [...at, 'host'], 'is required for an external database; add the PostgreSQL host name');
    if (!d.adminUser) add(ctx, [...at, 'adminUser'], 'is required for an external database; add the admin user that may create roles and databases');
    if (!!d.adminSecretArn === !!d.adminPasswordEnv) {
      add(ctx, at, 'needs exactly one of adminSecretArn or adminPasswordEnv for the admin password; set one');
    }
    if (d.runner === 'task' && d.adminPasswordEnv) {
      add(ctx, [...at, 'runner'], 'is "task", which cannot read a local adminPasswordEnv; use adminSecretArn or runner "direct"');
    }
  } else {
    stray([...RDS_ONLY, ...EXTERNAL_ONLY, 'runner'], 'has no effect with database.type "none"; remove it');
  }
}

type RawApp = ParsedConfig['apps'][string];
type Settings = Omit<RawApp, 'environments'>;

/**
 * The app's own settings must be valid, and so must its merged settings in each environment
 * it names. A problem only the merge has is reported under `environments.<env>`, where a
 * setting fixes it; an environment that is not configured is an error.
 */
function checkAppEverywhere(name: string, a: RawApp, c: ParsedConfig, ctx: Ctx): void {
  const base: { path: Path; message: string }[] = [];
  checkApp(name, mergedAppSettings(a, ''), c, (path, message) => base.push({ path, message }));
  for (const p of base) add(ctx, p.path, p.message);
  const seen = new Set(base.map((p) => `${p.path.join('.')}\n${p.message}`));
  for (const env of Object.keys(a.environments ?? {})) {
    if (!Object.hasOwn(c.environments, env)) {
      add(ctx, ['apps', name, 'environments', env], `is not an environment of this config${didYouMean(env, Object.keys(c.environments))}; use one of: ${Object.keys(c.environments).join(', ')}`);
      continue;
    }
    checkApp(name, mergedAppSettings(a, env), c, (path, message) => {
      if (seen.has(`${path.join('.')}\n${message}`)) return;
      add(ctx, ['apps', name, 'environments', env, ...path.slice(2)], message);
    });
  }
}

function checkApp(name: string, a: Settings, c: ParsedConfig, addAt: (path: Path, message: string) => void): void {
  const at = (...p: Path): Path => ['apps', name, ...p];
  if (!isName(name, NAME_MAX.app)) {
    addAt(['apps', name], 'is not a valid app name; use a DNS label: up to 63 lowercase letters, digits and dashes, starting with a letter');
  }
  const procs = a.processes;
  checkProcesses(name, a, (path, message) => addAt(path, message));
  for (const [kind, p] of Object.entries(procs ?? {})) {
    if (!p) continue;
    const cpu = p.cpu ?? 256;
    const problem = fargateSizeProblem(cpu, p.memory ?? FARGATE_MEMORY[cpu][0]);
    if (problem) addAt(at('processes', kind, 'memory'), problem);
  }
  if (a.database !== false) {
    for (const key of DATABASE_VARS) {
      if (a.env?.[key] !== undefined) addAt(at('env', key), 'is set by cyclops from the app database secret; remove it, or set "database": false');
      if (a.secrets?.[key] !== undefined) addAt(at('secrets', key), 'is set by cyclops from the app database secret; remove it, or set "database": false');
    }
  }
  for (const key of Object.keys(a.env ?? {})) {
    if (a.secrets?.[key] !== undefined) addAt(at('env', key), 'is also in secrets; keep it in one place');
  }
  checkAppAccess(name, a, c.apps, (path, message) => addAt(path, message));
  const web = a.processes ? a.processes[WEB_PROCESS] : {};
  const [lo, hi] = c.ports.range;
  checkDeployment(
    a.deployment,
    {
      at,
      hasWeb: !!web,
      webSingleton: !!web?.volumes && Object.values(web.volumes).some((v) => !v.readOnly && !v.shared),
      testPriorityRoom: lo - (hi - lo + 1) >= 1,
      hostNames: 1 + (a.domains?.length ?? 0),
      allowValues: a.allow?.length ?? 0,
      maxRuleValues: MAX_CONDITION_VALUES,
    },
    addAt,
  );
}

/**
 * Stack names are <platform>-platform, <platform>-<env> and <platform>-<env>-<app>. With
 * environments "staging" and "staging-web", app "web" in staging and the env stack of
 * "staging-web" would be one stack, so one env name may not extend another with a dash.
 */
function checkStackNames(c: ParsedConfig, ctx: Ctx): void {
  const envs = Object.keys(c.environments);
  for (const name of envs) {
    if (name === 'platform') {
      add(ctx, ['environments', name], `would share its stack name ${c.platform.name}-platform with the platform stack; rename the environment`);
    }
    const clash = envs.find((other) => other !== name && name.startsWith(`${other}-`));
    if (clash) {
      add(ctx, ['environments', name], `starts with environment "${clash}" and a dash, so its stacks could have the same names as ${clash}'s apps; rename one of the two`);
    }
  }
}

/** A topic config names must be the platform's (<platform>-…): the service role and operators may use only those. */
function checkNotificationTopics(c: ParsedConfig, ctx: Ctx): void {
  for (const [name, e] of Object.entries(c.environments)) {
    const topic = e.notifications?.snsTopicArn?.split(':')[5];
    if (topic && !topic.startsWith(`${c.platform.name}-`)) {
      add(ctx, ['environments', name, 'notifications', 'snsTopicArn'], `names topic "${topic}"; cyclops may subscribe and publish only to topics named "${c.platform.name}-…" (its IAM policies): rename the topic, or leave snsTopicArn out and cyclops makes one`);
    }
  }
}

export const validatedConfigSchema = configSchema.superRefine((c, ctx) => {
  checkNotificationTopics(c, ctx);
  checkPorts(c, ctx);
  if (Object.keys(c.environments).length === 0) {
    add(ctx, ['environments'], 'has no environment; add one such as "staging"');
  }
  for (const [name, e] of Object.entries(c.environments)) checkEnvironment(name, e, ctx);
  checkStackNames(c, ctx);
  emailProblems(c, (path, message) => add(ctx, path, message));
  for (const [name, a] of Object.entries(c.apps)) checkAppEverywhere(name, a, c, ctx);
  const resolved = resolveConfig('', c);
  for (const p of limitProblems(resolved)) add(ctx, p.path, p.message);
  const render = { cluster: (env: string) => renderCluster(resolved, env, { patched: false }), app: (env: string, app: string) => renderApp(resolved, env, app, { port: c.ports.range[0], patched: false }) };
  for (const p of overrideProblems(resolved, render)) add(ctx, p.path, p.message);
});

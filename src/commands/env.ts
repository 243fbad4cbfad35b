/**
 * cyclops env create|update|delete|list|show: one CloudFormation stack per environment,
 * rendered from config, pushed to the config bucket (content-addressed) and applied by the
 * stack engine.
 */
import type { Command } from 'commander';
import type { Context } from '../context';
import { usageError } from '../errors';
import { appUrl, ENV_OUTPUT, envStack } from '../naming';
import type { ApplyResult } from '../stacks';
import { timeoutOption } from './options';
import { examples, type Register } from './types';

const DEFAULT_TIMEOUT = '60m';

interface ApplyOpts {
  dryRun?: boolean;
  timeout: number;
}

export const register: Register = (program, run) => {
  const env = program.command('env').description('environments: one stack each (VPC, ECS cluster, load balancer, DNS zone, PostgreSQL)');

  const withApplyOptions = (cmd: Command) =>
    cmd
      .argument('<env>', 'environment name from config.json')
      .option('--dry-run', 'show what would change (a change set, deleted again); change nothing')
      .option('--timeout <duration>', 'how long to wait for CloudFormation (seconds, or 90s, 15m, 1h)', timeoutOption, timeoutOption(DEFAULT_TIMEOUT));

  examples(withApplyOptions(env.command('create').description('create the environment stack, or update it when it exists (safe to run again)')), [
    'cyclops env create staging',
    'cyclops env create staging --dry-run',
    'cyclops env create production --timeout 90m --json',
  ]).action(run(async (ctx, name: string, opts: ApplyOpts) => applyEnv(ctx, name, opts, 'create')));

  examples(withApplyOptions(env.command('update').description('update an existing environment stack to match config.json')), [
    'cyclops env update staging',
    'cyclops env update staging --dry-run --json',
  ]).action(run(async (ctx, name: string, opts: ApplyOpts) => applyEnv(ctx, name, opts, 'update')));

  examples(
    env
      .command('delete')
      .description('delete the environment stack (asks first unless --yes; refuses while apps are deployed unless --force)')
      .argument('<env>', 'environment name from config.json')
      .option('--force', 'also delete the app stacks deployed in it (and release their ports)')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--timeout <duration>', 'how long to wait for CloudFormation (seconds, or 90s, 15m, 1h)', timeoutOption, timeoutOption(DEFAULT_TIMEOUT)),
    ['cyclops env delete pr-123 --yes', 'cyclops env delete staging --force --yes --json'],
  ).action(run(async (ctx, name: string, opts: { force?: boolean; timeout: number }) => deleteEnv(ctx, name, opts)));

  examples(env.command('list').description('every environment in config.json and the status of its stack'), [
    'cyclops env list',
    'cyclops env list --json',
  ]).action(run(async (ctx) => listEnvs(ctx)));

  examples(env.command('show').description("an environment's outputs: URLs, cluster, DNS zone, database endpoint").argument('<env>', 'environment name from config.json'), [
    'cyclops env show staging',
    'cyclops env show staging --json',
  ]).action(run(async (ctx, name: string) => showEnv(ctx, name)));
};

async function applyEnv(ctx: Context, name: string, opts: ApplyOpts, verb: 'create' | 'update'): Promise<void> {
  const started = Date.now();
  const config = await ctx.config();
  const [{ renderCluster, templateBody }, { applyTemplate }, { describeStack }] = await Promise.all([
    import('../plan'),
    import('../deploy/apply-template'),
    import('../stacks'),
  ]);
  const body = templateBody(renderCluster(config, name)); // usage error for an env not in config
  const platform = config.platform.name;
  const stackName = envStack(platform, name);
  const aws = await ctx.aws();
  if (verb === 'update' && !(await describeStack(aws, stackName))) {
    throw usageError(`environment ${name}: stack ${stackName} does not exist; create it with "cyclops env create ${name}"`);
  }
  ctx.reporter.step(`environment ${name}: template for stack ${stackName}`);
  const { pushed, result } = await applyTemplate(
    { aws, config, reporter: ctx.reporter },
    { kind: 'cluster', ids: { platform, env: name }, stackName, body, dryRun: opts.dryRun, timeoutSeconds: opts.timeout, signal: ctx.signal },
  );
  ctx.reporter.result(
    {
      env: name,
      stack: stackName,
      action: result.action,
      status: result.status,
      changed: result.changed,
      recreated: result.recreated ?? false,
      changes: result.changes,
      template: { key: pushed.key, uploaded: pushed.changed },
      outputs: result.outputs,
      durationMs: Date.now() - started,
    },
    summary(name, result),
  );
}

function summary(env: string, r: ApplyResult): string {
  switch (r.action) {
    case 'none':
      return `environment ${env}: no changes (${r.status})`;
    case 'dry-run':
      return `environment ${env}: ${r.changes.length} change(s) would be made${r.recreated ? ' after deleting and recreating the failed stack' : ''}; nothing was changed`;
    default:
      return `environment ${env}: ${r.action === 'create' ? 'created' : 'updated'} (${r.status}); see "cyclops env show ${env}"`;
  }
}

async function deleteEnv(ctx: Context, name: string, opts: { force?: boolean; timeout: number }): Promise<void> {
  const config = await ctx.config();
  const [{ environment }, { deleteStack, describeStack, listAppStacks }] = await Promise.all([import('../plan'), import('../stacks')]);
  environment(config, name);
  const platform = config.platform.name;
  const stackName = envStack(platform, name);
  const aws = await ctx.aws();
  const stack = await describeStack(aws, stackName);
  if (!stack) {
    ctx.reporter.result({ env: name, stack: stackName, deleted: false, apps: [] }, `environment ${name}: stack ${stackName} does not exist; nothing to delete`);
    return;
  }
  const apps = await listAppStacks(aws, platform, name);
  const appNames = apps.map((a) => a.app);
  if (apps.length && !opts.force) {
    throw usageError(
      `environment ${name}: apps are still deployed (${appNames.join(', ')}); destroy them first ("cyclops destroy APP ${name}") or pass --force to delete them too`,
    );
  }
  const also = apps.length ? ` and its ${apps.length} app stack(s) (${appNames.join(', ')})` : '';
  await ctx.reporter.confirm(`Delete environment ${name}: stack ${stackName}${also}, with its database?`, `env delete ${name}`);
  const wait = { timeoutSeconds: opts.timeout, signal: ctx.signal };
  // App stacks import the env stack's exports, so they go first (in parallel), each the
  // way "cyclops destroy" does it: under the app's lock, releasing its port and release record.
  const { destroyApp } = await import('../deploy/apps');
  await Promise.all(apps.map((a) => destroyApp({ aws, config, reporter: ctx.reporter }, a.app, name, wait)));
  const { deleted } = await deleteStack(aws, ctx.reporter, stackName, wait);
  ctx.reporter.result({ env: name, stack: stackName, deleted, apps: appNames }, `environment ${name}: deleted stack ${stackName}${also}`);
}

async function listEnvs(ctx: Context): Promise<void> {
  const config = await ctx.config();
  const { describeStack } = await import('../stacks');
  const aws = await ctx.aws();
  const platform = config.platform.name;
  const rows = await Promise.all(
    Object.values(config.environments).map(async (e) => {
      const stack = envStack(platform, e.name);
      const s = await describeStack(aws, stack);
      return { env: e.name, stack, status: s?.status ?? 'NOT_CREATED', domain: e.dns.domain, updated: s?.lastUpdated?.toISOString() ?? null };
    }),
  );
  ctx.reporter.result(
    { environments: rows },
    rows.length
      ? ctx.reporter.table(rows, [
          { header: 'env', get: (r) => r.env },
          { header: 'stack', get: (r) => r.stack },
          { header: 'status', get: (r) => r.status },
          { header: 'domain', get: (r) => r.domain },
          { header: 'updated', get: (r) => r.updated },
        ])
      : `no environments in ${config.file}`,
  );
}

async function showEnv(ctx: Context, name: string): Promise<void> {
  const config = await ctx.config();
  const [{ environment }, { describeStack }] = await Promise.all([import('../plan'), import('../stacks')]);
  const e = environment(config, name);
  const stackName = envStack(config.platform.name, name);
  const aws = await ctx.aws();
  const s = await describeStack(aws, stackName);
  if (!s) throw usageError(`environment ${name}: stack ${stackName} does not exist; create it with "cyclops env create ${name}"`);
  const out = (k: keyof typeof ENV_OUTPUT) => s.outputs[ENV_OUTPUT[k]] || undefined;
  const domain = out('domain') ?? e.dns.domain;
  const https = (out('https') ?? String(e.tls.mode !== 'none')) === 'true';
  const dbHost = out('databaseEndpoint');
  const view = {
    env: name,
    stack: stackName,
    status: s.status,
    updated: s.lastUpdated?.toISOString() ?? null,
    domain,
    appUrl: appUrl('APP', domain, https),
    loadBalancer: out('loadBalancerDnsName') ?? null,
    cluster: out('clusterName') ?? null,
    hostedZoneId: out('hostedZoneId') ?? null,
    // A zone the stack created must be delegated from its parent to these before names resolve.
    nameServers: out('nameServers')?.split(',') ?? null,
    database: dbHost ? { endpoint: dbHost, port: Number(out('databasePort') ?? 5432) } : null,
    redis: out('redisEndpoint') ?? null,
    outputs: s.outputs,
  };
  const row = (k: string, v: unknown) => `${k.padEnd(14)}${v ?? '-'}`;
  ctx.reporter.result(view, [
    `environment ${name}: ${s.status}`,
    row('stack', stackName),
    row('app urls', view.appUrl),
    row('load balancer', view.loadBalancer),
    row('cluster', view.cluster),
    row('dns zone', view.hostedZoneId ? `${domain} (${view.hostedZoneId})` : domain),
    ...(view.nameServers ? [row('name servers', `${view.nameServers.join(' ')}  (delegate ${domain} to these)`)] : []),
    row('database', view.database ? `${view.database.endpoint}:${view.database.port}` : null),
    ...(view.redis ? [row('redis', view.redis)] : []),
  ]);
}

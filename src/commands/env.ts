/**
 * cyclops env create|update|delete|list|show|status: one CloudFormation stack per environment,
 * rendered from config, pushed to the config bucket (content-addressed) and applied by the
 * stack engine.
 */
import type { Command } from 'commander';
import type { Context } from '../context';
import type { ApplyResult } from '../stacks';
import { ALLOW_REPLACE_HELP, allowReplaceOption, timeoutFlag } from './options';
import { examples, type Register } from './types';

interface ApplyOpts {
  dryRun?: boolean;
  timeout: number;
  allowReplace?: string[];
}

export const register: Register = (program, run) => {
  const env = program.command('env').description('environments: one stack each (VPC, ECS cluster, load balancer, DNS zone, PostgreSQL)');

  const withApplyOptions = (cmd: Command) =>
    cmd
      .argument('<env>', 'environment name from config.json')
      .option('--dry-run', 'show what would change (a change set, deleted again); change nothing')
      .addOption(timeoutFlag('how long to wait for CloudFormation'))
      .option('--allow-replace <LogicalId>', ALLOW_REPLACE_HELP, allowReplaceOption);

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
      .option('--dry-run', 'list what would be deleted (the stack\'s resources by type, and the apps that block it); change nothing')
      .option('-y, --yes', 'do not ask for confirmation')
      .addOption(timeoutFlag('how long to wait for CloudFormation')),
    ['cyclops env delete pr-123 --yes', 'cyclops env delete pr-123 --dry-run', 'cyclops env delete staging --force --yes --json'],
  ).action(run(async (ctx, name: string, opts: { force?: boolean; dryRun?: boolean; timeout: number }) => (opts.dryRun ? previewDelete(ctx, name, opts) : deleteEnv(ctx, name, opts))));

  examples(env.command('list').description('every environment in config.json and the status of its stack'), [
    'cyclops env list',
    'cyclops env list --json',
  ]).action(run(async (ctx) => listEnvs(ctx)));

  examples(env.command('status').description('every app deployed in ENV, one line each: release, what it changed, image, health, tasks running/desired, URL and alarms').argument('<env>', 'environment name from config.json'), [
    'cyclops env status production',
    'cyclops env status staging --json',
  ]).action(run(async (ctx, name: string) => statusEnv(ctx, name)));

  examples(env.command('show').description("an environment's outputs: URLs, cluster, DNS zone, database endpoint").argument('<env>', 'environment name from config.json'), [
    'cyclops env show staging',
    'cyclops env show staging --json',
  ]).action(run(async (ctx, name: string) => showEnv(ctx, name)));
};

async function applyEnv(ctx: Context, name: string, opts: ApplyOpts, verb: 'create' | 'update'): Promise<void> {
  const started = Date.now();
  const [{ envTarget }, ops, { delegation }, { ENV_OUTPUT }] = await Promise.all([import('../plan/target'), import('../ops/env'), import('../plan/delegation'), import('../naming')]);
  const config = await ctx.config();
  const target = envTarget(config, name);
  const { stackName, pushed, result, adopted } = await ops.applyEnv(await ctx.ops(target), target, { dryRun: opts.dryRun, timeoutSeconds: opts.timeout, allowReplace: opts.allowReplace }, verb);
  // A zone the stack created is not reachable until its parent delegates it: the exact record.
  const ns = result.outputs[ENV_OUTPUT.nameServers];
  const deleg = ns ? delegation(config.environments[name].dns.domain, ns.split(',')) : null;
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
      delegation: deleg,
      // what an earlier stack of this environment kept and this one took over
      adopted,
      durationMs: Date.now() - started,
    },
    [summary(name, result), ...adoptedLines(adopted, result.action === 'dry-run'), ...(deleg ? [`delegate ${deleg.record.name} from its parent zone ${deleg.parent}: create there`, ...deleg.zoneFile.map((l) => `  ${l}`), `  or: ${deleg.command}`] : [])],
  );
}

function adoptedLines(adopted: { resources: { resourceType: string; name: string }[]; hostedZone: { id: string } | null }, dryRun: boolean): string[] {
  const verb = dryRun ? 'would adopt' : 'adopted';
  return [
    ...(adopted.hostedZone ? [`${verb} hosted zone ${adopted.hostedZone.id}, kept by an earlier stack of this environment`] : []),
    ...adopted.resources.map((a) => `${verb} ${a.resourceType} ${a.name}, kept by an earlier stack of this environment`),
  ];
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
  const [{ envTarget }, envOps] = await Promise.all([import('../plan/target'), import('../ops/env')]);
  const target = envTarget(await ctx.config(), name);
  const ops = await ctx.ops(target);
  const plan = await envOps.planEnvDelete(ops, target, { force: opts.force });
  const appNames = plan.apps.map((a) => a.app);
  if (!plan.stack) {
    ctx.reporter.result({ env: name, stack: plan.stackName, deleted: false, apps: [] }, `environment ${name}: stack ${plan.stackName} does not exist; nothing to delete`);
    return;
  }
  const also = appNames.length ? ` and its ${appNames.length} app stack(s) (${appNames.join(', ')})` : '';
  await ctx.reporter.confirm(`Delete environment ${name}: stack ${plan.stackName}${also}, with its database?`, `env delete ${name}`);
  const { deleted } = await envOps.deleteEnv(ops, target, plan, { timeoutSeconds: opts.timeout });
  ctx.reporter.result({ env: name, stack: plan.stackName, deleted, apps: appNames }, `environment ${name}: deleted stack ${plan.stackName}${also}`);
}

async function previewDelete(ctx: Context, name: string, opts: { force?: boolean }): Promise<void> {
  const [{ envTarget }, envOps] = await Promise.all([import('../plan/target'), import('../ops/env')]);
  const target = envTarget(await ctx.config(), name);
  const p = await envOps.previewEnvDelete(await ctx.ops(target), target, opts);
  if (!p.exists) {
    ctx.reporter.result(p, `environment ${name}: stack ${p.stack} does not exist; nothing would be deleted`);
    return;
  }
  const count = Object.values(p.resources).reduce((n, ids) => n + ids.length, 0);
  ctx.reporter.result(p, [
    `environment ${name}: would delete stack ${p.stack} and its ${count} resource(s); nothing was changed`,
    ...Object.entries(p.resources).map(([type, ids]) => `  ${type} (${ids.length}): ${ids.join(', ')}`),
    ...(p.apps.length ? [opts.force ? `  apps destroyed first (--force): ${p.apps.join(', ')}` : `  blocked by deployed apps: ${p.apps.join(', ')} (destroy them first, or pass --force)`] : []),
  ]);
}

async function listEnvs(ctx: Context): Promise<void> {
  const config = await ctx.config();
  const [{ listEnvs: list }, { envTarget }] = await Promise.all([import('../ops/env'), import('../plan/target')]);
  // an environment in its own account is listed from there (after its account guard)
  const rows = await list(await ctx.ops(), (env) => ctx.ops(envTarget(config, env)));
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

async function statusEnv(ctx: Context, name: string): Promise<void> {
  const [{ envTarget }, { envStatus }, { shortImage }] = await Promise.all([import('../plan/target'), import('../ops/env-status'), import('../ops/release-describe')]);
  const target = envTarget(await ctx.config(), name);
  const s = await envStatus(await ctx.ops(target), target);
  const rep = ctx.reporter;
  const alarms = (a: { state: string }[] | null) => (a === null ? '?' : a.length ? `${a.filter((x) => x.state === 'ALARM').length}/${a.length} firing` : '-');
  rep.result(
    s,
    s.apps.length
      ? rep.table(s.apps, [
          { header: 'app', get: (a) => a.app },
          { header: 'release', get: (a) => a.release },
          { header: 'change', get: (a) => a.description },
          { header: 'image', get: (a) => (a.image ? shortImage(a.image) : null) },
          { header: 'health', get: (a) => (a.problems.length ? `${a.health} (${a.problems.join('; ')})` : a.health) },
          { header: 'tasks', get: (a) => `${a.running}/${a.desired}` },
          { header: 'url', get: (a) => a.url },
          { header: 'alarms', get: (a) => alarms(a.alarms) },
        ])
      : `no apps deployed in ${name}`,
  );
}

async function showEnv(ctx: Context, name: string): Promise<void> {
  const [{ envTarget }, { showEnv: show }, { emailLine }] = await Promise.all([import('../plan/target'), import('../ops/env'), import('../email/status')]);
  const target = envTarget(await ctx.config(), name);
  const view = await show(await ctx.ops(target), target);
  const row = (k: string, v: unknown) => `${k.padEnd(14)}${v ?? '-'}`;
  ctx.reporter.result(view, [
    `environment ${name}: ${view.status}`,
    row('stack', view.stack),
    row('app urls', view.appUrl),
    row('load balancer', view.loadBalancer),
    row('cluster', view.cluster),
    row('dns zone', view.hostedZoneId ? `${view.domain} (${view.hostedZoneId})` : view.domain),
    ...(view.account ? [row('account', `${view.account} (${view.region})`)] : []),
    ...(view.nameServers ? [row('name servers', `${view.nameServers.join(' ')}  (delegate ${view.domain} to these)`)] : []),
    ...(view.delegation ? [`create in the parent zone ${view.delegation.parent}:`, ...view.delegation.zoneFile.map((l) => `  ${l}`), `  or: ${view.delegation.command}`] : []),
    row('database', view.database ? `${view.database.endpoint}:${view.database.port}` : null),
    ...(view.redis ? [row('redis', view.redis)] : []),
    ...Object.entries(view.repositories).map(([app, uri]) => row(`image ${app}`, uri ?? 'no ECR repository yet; run "cyclops bootstrap"')),
    ...(view.email ? [row('email', emailLine(view.email))] : []),
  ]);
}

import type { Command } from 'commander';
import type { Context } from '../context';
import { failure, usageError } from '../errors';
import { checkAppPort, type Ids } from '../naming';
import type { PushResult, TemplateKind } from '../store';
import { examples, type Register } from './types';

type Run = Parameters<Register>[1];

const describe = (r: PushResult) => `${r.url}  (${r.changed ? 'uploaded' : 'unchanged'}, ${r.bytes} bytes, sha256 ${r.sha256.slice(0, 12)})`;
const pushJson = ({ kind, key, url, sha256, bytes, changed }: PushResult) => ({ kind, key, url, sha256, bytes, changed });

/** Render with src/plan and push; one result, or several for every environment's cluster. */
async function pushTemplates(ctx: Context, kind: TemplateKind, items: { ids: Ids; render: () => Record<string, unknown> }[]): Promise<PushResult[]> {
  const config = await ctx.config();
  const aws = await ctx.aws();
  const { pushTemplate } = await import('../store');
  const { templateBody } = await import('../plan');
  const out: PushResult[] = [];
  for (const item of items) {
    const r = await pushTemplate(aws, config, kind, item.ids, templateBody(item.render()));
    ctx.reporter.progress(`${kind}${item.ids.env ? ` ${item.ids.env}` : ''}${item.ids.app ? ` ${item.ids.app}` : ''}: ${r.changed ? 'uploaded' : 'unchanged'}`);
    out.push(r);
  }
  return out;
}

function reportPushes(ctx: Context, results: PushResult[], many: boolean): void {
  ctx.reporter.result(many ? { pushed: results.map(pushJson) } : pushJson(results[0]), results.map(describe));
}

/** The app's allocated port, else the lowest of the range (not allocated: deploy does that). */
async function portForApp(ctx: Context, env: string, app: string): Promise<number> {
  const config = await ctx.config();
  const { readPorts } = await import('../store');
  const file = await readPorts(await ctx.aws(), config);
  const had = file?.environments[env]?.[app];
  if (had !== undefined) return had;
  const first = (file?.range ?? config.ports.range)[0];
  ctx.reporter.warn(`${app} has no port in ${env} yet; rendering with ${first} (the start of the range) without allocating; "cyclops ports allocate ${app} ${env}" or deploy gives it one`);
  return first;
}

function registerPush(config: Command, run: Run): void {
  const push = config.command('push').description('render a template and upload it to the config bucket (content-addressed; the same content uploads once)');

  examples(push.command('platform').description('the platform template'), ['cyclops config push platform --json']).action(
    run(async (ctx) => {
      const c = await ctx.config();
      const { renderPlatform } = await import('../plan');
      reportPushes(ctx, await pushTemplates(ctx, 'platform', [{ ids: { platform: c.platform.name }, render: () => renderPlatform(c) }]), false);
    }),
  );

  examples(push.command('cluster').argument('[env]', 'environment (default: every environment)').description("an environment's cluster template"), [
    'cyclops config push cluster staging',
    'cyclops config push cluster',
  ]).action(
    run(async (ctx, env: string | undefined) => {
      const c = await ctx.config();
      const { checkEnv } = await import('../store');
      if (env) checkEnv(c, env);
      const { renderCluster } = await import('../plan');
      const envs = env ? [env] : Object.keys(c.environments);
      if (!envs.length) throw usageError(`${c.file}: has no environments; add one under "environments"`);
      const items = envs.map((e) => ({ ids: { platform: c.platform.name, env: e }, render: () => renderCluster(c, e) }));
      reportPushes(ctx, await pushTemplates(ctx, 'cluster', items), !env);
    }),
  );

  examples(
    push
      .command('app')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment')
      .option('--port <port>', 'render with this port instead of the allocated one', (v: string) => checkAppPort(v))
      .description("an app's template in an environment"),
    ['cyclops config push app web staging', 'cyclops config push app web staging --port 20005 --json'],
  ).action(
    run(async (ctx, app: string, env: string, opts: { port?: number }) => {
      const c = await ctx.config();
      const { checkAppEnv } = await import('../store');
      checkAppEnv(c, app, env);
      const { renderApp } = await import('../plan');
      const port = opts.port ?? (await portForApp(ctx, env, app));
      const ids = { platform: c.platform.name, env, app };
      reportPushes(ctx, await pushTemplates(ctx, 'app', [{ ids, render: () => renderApp(c, env, app, { port }) }]), false);
    }),
  );

  examples(push.command('ports').description('create ports.json with the configured range, or update its range keeping every allocation'), [
    'cyclops config push ports',
  ]).action(
    run(async (ctx) => {
      const c = await ctx.config();
      const { pushPortsRange } = await import('../store');
      const r = await pushPortsRange(await ctx.aws(), c);
      const what = r.created ? 'created' : r.changed ? `range set to ${r.range[0]}-${r.range[1]}` : 'unchanged';
      ctx.reporter.result(r, `${r.url}  (${what})`);
    }),
  );
}

function registerRead(config: Command, run: Run): void {
  const read = config.command('read').description('print what is in the config bucket (the latest pushed template, or ports.json); never writes');

  const show = async (ctx: Context, kind: TemplateKind, ids: Ids, what: string) => {
    const c = await ctx.config();
    const { readLatestTemplate } = await import('../store');
    const t = await readLatestTemplate(await ctx.aws(), c, kind, ids);
    if (!t) throw failure(`${what}: nothing pushed yet; run "cyclops config push ${what}" first`, undefined, 'not-found');
    ctx.reporter.info(`${t.url} (sha256 ${t.sha256.slice(0, 12)}, ${t.bytes} bytes)`);
    if (ctx.reporter.json) ctx.reporter.result({ ...pushJson(t), template: JSON.parse(t.body) });
    else ctx.reporter.raw(t.body);
  };

  examples(read.command('platform').description('the latest platform template'), ['cyclops config read platform']).action(
    run(async (ctx) => show(ctx, 'platform', { platform: (await ctx.config()).platform.name }, 'platform')),
  );
  examples(read.command('cluster').argument('<env>', 'environment').description("the latest cluster template of ENV"), ['cyclops config read cluster staging']).action(
    run(async (ctx, env: string) => {
      const c = await ctx.config();
      (await import('../store')).checkEnv(c, env);
      await show(ctx, 'cluster', { platform: c.platform.name, env }, `cluster ${env}`);
    }),
  );
  examples(read.command('app').argument('<app>', 'app name').argument('<env>', 'environment').description("the latest template of APP in ENV"), [
    'cyclops config read app web staging --json',
  ]).action(
    run(async (ctx, app: string, env: string) => {
      const c = await ctx.config();
      (await import('../store')).checkAppEnv(c, app, env);
      await show(ctx, 'app', { platform: c.platform.name, env, app }, `app ${app} ${env}`);
    }),
  );
  examples(read.command('ports').description('ports.json as stored (validated)'), ['cyclops config read ports']).action(
    run(async (ctx) => {
      const { readPorts } = await import('../store');
      const file = await readPorts(await ctx.aws(), await ctx.config());
      if (!file) throw failure('ports.json: not in the config bucket yet; run "cyclops config push ports" first', undefined, 'not-found');
      ctx.reporter.result(file, JSON.stringify(file, null, 2));
    }),
  );
}

export const register: Register = (program, run) => {
  const config = program.command('config').description('templates and ports.json in the config bucket');
  registerPush(config, run);
  registerRead(config, run);
};

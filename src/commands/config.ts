import type { Command } from 'commander';
import type { Context } from '../context';
import { usageError } from '../errors';
import { checkAppPort, type Ids } from '../naming';
import type { PushResult, TemplateKind } from '../store';
import { examples, type Register } from './types';

type Run = Parameters<Register>[1];

const describe = (r: PushResult) => `${r.url}  (${r.changed ? 'uploaded' : 'unchanged'}, ${r.bytes} bytes, sha256 ${r.sha256.slice(0, 12)})`;
const pushJson = ({ kind, key, url, sha256, bytes, changed }: PushResult) => ({ kind, key, url, sha256, bytes, changed });

/** One progress line per upload. */
const pushed = (ctx: Context) => (kind: TemplateKind, ids: Ids, r: PushResult) =>
  ctx.reporter.progress(`${kind}${ids.env ? ` ${ids.env}` : ''}${ids.app ? ` ${ids.app}` : ''}: ${r.changed ? 'uploaded' : 'unchanged'}`);

function reportPushes(ctx: Context, results: PushResult[], many: boolean): void {
  ctx.reporter.result(many ? { pushed: results.map(pushJson) } : pushJson(results[0]), results.map(describe));
}

function registerPush(config: Command, run: Run): void {
  const push = config.command('push').description('render a template and upload it to the config bucket (content-addressed; the same content uploads once)');

  examples(push.command('platform').description('the platform template'), ['cyclops config push platform --json']).action(
    run(async (ctx) => {
      const { pushPlatformTemplate } = await import('../ops/config-bucket');
      reportPushes(ctx, await pushPlatformTemplate(await ctx.ops(), pushed(ctx)), false);
    }),
  );

  examples(push.command('cluster').argument('[env]', 'environment (default: every environment)').description("an environment's cluster template"), [
    'cyclops config push cluster staging',
    'cyclops config push cluster',
  ]).action(
    run(async (ctx, env: string | undefined) => {
      const c = await ctx.config();
      const [{ envTarget }, { pushClusterTemplates }] = await Promise.all([import('../plan/target'), import('../ops/config-bucket')]);
      const targets = (env ? [env] : Object.keys(c.environments)).map((e) => envTarget(c, e));
      if (!targets.length) throw usageError(`${c.file}: has no environments; add one under "environments"`);
      reportPushes(ctx, await pushClusterTemplates(await ctx.ops(), targets, pushed(ctx)), !env);
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
      const [{ appTarget }, { pushAppTemplate }] = await Promise.all([import('../plan/target'), import('../ops/config-bucket')]);
      const t = appTarget(await ctx.config(), app, env);
      reportPushes(ctx, [await pushAppTemplate(await ctx.ops(t), t, opts.port, pushed(ctx))], false);
    }),
  );

  examples(push.command('ports').description('create ports.json with the configured range, or update its range keeping every allocation'), [
    'cyclops config push ports',
  ]).action(
    run(async (ctx) => {
      const { pushPorts } = await import('../ops/config-bucket');
      const r = await pushPorts(await ctx.ops());
      const what = r.created ? 'created' : r.changed ? `range set to ${r.range[0]}-${r.range[1]}` : 'unchanged';
      ctx.reporter.result(r, `${r.url}  (${what})`);
    }),
  );
}

function registerRead(config: Command, run: Run): void {
  const read = config.command('read').description('print what is in the config bucket (the latest pushed template, or ports.json); never writes');

  const show = async (ctx: Context, kind: TemplateKind, ids: Ids, what: string) => {
    const { readTemplate } = await import('../ops/config-bucket');
    const t = await readTemplate(await ctx.ops(), kind, ids, what);
    ctx.reporter.info('config.template.read', { url: t.url, sha256: t.sha256, bytes: t.bytes }, `${t.url} (sha256 ${t.sha256.slice(0, 12)}, ${t.bytes} bytes)`);
    if (ctx.reporter.json) ctx.reporter.result({ ...pushJson(t), template: JSON.parse(t.body) });
    else ctx.reporter.raw(t.body);
  };

  examples(read.command('platform').description('the latest platform template'), ['cyclops config read platform']).action(
    run(async (ctx) => show(ctx, 'platform', { platform: (await ctx.config()).platform.name }, 'platform')),
  );
  examples(read.command('cluster').argument('<env>', 'environment').description("the latest cluster template of ENV"), ['cyclops config read cluster staging']).action(
    run(async (ctx, env: string) => {
      const t = (await import('../plan/target')).envTarget(await ctx.config(), env);
      await show(ctx, 'cluster', { platform: t.platform, env }, `cluster ${env}`);
    }),
  );
  examples(read.command('app').argument('<app>', 'app name').argument('<env>', 'environment').description("the latest template of APP in ENV"), [
    'cyclops config read app web staging --json',
  ]).action(
    run(async (ctx, app: string, env: string) => {
      const t = (await import('../plan/target')).appTarget(await ctx.config(), app, env);
      await show(ctx, 'app', { platform: t.platform, env, app }, `app ${app} ${env}`);
    }),
  );
  examples(read.command('ports').description('ports.json as stored (validated)'), ['cyclops config read ports']).action(
    run(async (ctx) => {
      const { readPortsFile } = await import('../ops/config-bucket');
      const file = await readPortsFile(await ctx.ops());
      ctx.reporter.result(file, JSON.stringify(file, null, 2));
    }),
  );
}

export const register: Register = (program, run) => {
  const config = program.command('config').description('templates and ports.json in the config bucket');
  registerPush(config, run);
  registerRead(config, run);
};

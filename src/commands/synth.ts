/**
 * `cyclops synth`: render templates offline. Needs no AWS account, no network, and never
 * loads the SDK.
 */
import path from 'node:path';
import { Option } from 'commander';
import type { Config } from '../config/model';
import type { Context } from '../context';
import { usageError } from '../errors';
import { parseImage } from '../plan/inputs';
import { writeAllOrNothing } from './out-dir';
import { appStack, envStack, platformStack } from '../naming';
import { examples, type Register } from './types';

type Format = 'json' | 'yaml';
type Rendered = import('../plan/all').Rendered;

const formatOption = () => new Option('--format <format>', 'output format (default: json)').choices(['json', 'yaml']);

async function plan() {
  return import('../plan');
}

async function planAll() {
  return import('../plan/all');
}

async function print(ctx: Context, r: Rendered, format: Format): Promise<void> {
  const p = await plan();
  if (ctx.reporter.json) {
    ctx.reporter.result({ ok: true, kind: r.kind, stack: r.stack, env: r.env, app: r.app, template: r.template });
    return;
  }
  ctx.reporter.raw(format === 'yaml' ? p.toYaml(r.template) : p.templateBody(r.template));
}

function parsePort(config: Config, text: string | undefined): number {
  const [lo, hi] = config.ports.range;
  if (text === undefined) return lo;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < lo || port > hi) {
    throw usageError(`--port ${text}: not a port in the configured range; use a whole number from ${lo} to ${hi} (ports.range in ${config.file})`);
  }
  return port;
}

export const register: Register = (program, run) => {

  const synth = examples(
    program
      .command('synth')
      .description('print CloudFormation templates offline (no AWS account, no network)')
      .option('--all', 'write every template: the platform, each environment and each configured app in each')
      .option('--out <dir>', 'directory for --all')
      .addOption(formatOption())
      // "synth cluster staging --format yaml": options after a subcommand's name are the subcommand's.
      .enablePositionalOptions(),
    ['cyclops synth platform', 'cyclops synth cluster staging --format yaml', 'cyclops synth app shop staging --image shop:1.2', 'cyclops synth --all --out out'],
  );
  // "synth --format yaml cluster staging" works too: a subcommand without --format takes synth's.
  const formatOf = (opts: { format?: Format }): Format => opts.format ?? (synth.opts().format as Format | undefined) ?? 'json';
  synth.action(
    run(async (ctx, opts: { all?: boolean; out?: string; format?: Format }) => {
      const format = opts.format ?? 'json';
      if (!opts.all) throw usageError('synth: nothing to render; use "synth platform", "synth cluster ENV", "synth app APP ENV", or "synth --all --out DIR"');
      if (!opts.out) throw usageError('synth --all: needs --out DIR, the directory to write the templates to');
      const config = await ctx.config();
      const p = await plan();
      const { renderAll, fileName } = await planAll();
      const rendered = renderAll(config);
      // Render everything before writing anything, so a bad config leaves no partial output.
      const files = rendered.map((r) => ({
        r,
        file: path.join(opts.out!, fileName(r, format)),
        body: format === 'yaml' ? p.toYaml(r.template) : p.templateBody(r.template) + '\n',
      }));
      writeAllOrNothing(opts.out, files);
      ctx.reporter.success('synth.written', { files: files.length, out: opts.out }, `wrote ${files.length} templates to ${opts.out}`);
      ctx.reporter.result(
        { ok: true, dir: path.resolve(opts.out), files: files.map((f) => ({ kind: f.r.kind, stack: f.r.stack, env: f.r.env, app: f.r.app, file: f.file })) },
        files.map((f) => f.file),
      );
    }),
  );

  examples(synth.command('platform').description('print the platform template (shared roles, ECR repositories)').addOption(formatOption()), [
    'cyclops synth platform',
    'cyclops synth platform --format yaml > platform.yaml',
  ]).action(
    run(async (ctx, opts: { format?: Format }) => {
      const config = await ctx.config();
      const template = (await plan()).renderPlatform(config);
      await print(ctx, { kind: 'platform', stack: platformStack(config.platform.name), template }, formatOf(opts));
    }),
  );

  examples(
    synth.command('cluster').argument('<env>', 'environment name from config').description('print the environment (cluster) template').addOption(formatOption()),
    ['cyclops synth cluster staging', 'cyclops synth cluster production --format yaml'],
  ).action(
    run(async (ctx, env: string, opts: { format?: Format }) => {
      const config = await ctx.config();
      const template = (await plan()).renderCluster(config, env);
      await print(ctx, { kind: 'cluster', stack: envStack(config.platform.name, env), env, template }, formatOf(opts));
    }),
  );

  examples(
    synth
      .command('app')
      .argument('<app>', 'app name (apps not in config get the defaults)')
      .argument('<env>', 'environment name from config')
      .description('print an app template')
      .option('--image <image>', 'default of the Image parameter (deploy passes the real image)')
      .option('--port <n>', 'the app port / listener-rule priority (default: the first port of ports.range)')
      .addOption(formatOption()),
    ['cyclops synth app shop staging', 'cyclops synth app shop production --image 1234.dkr.ecr.eu-west-1.amazonaws.com/acme/shop:1.4 --port 20007'],
  ).action(
    run(async (ctx, app: string, env: string, opts: { image?: string; port?: string; format?: Format }) => {
      const config = await ctx.config();
      if (opts.image !== undefined) parseImage(opts.image); // the same images deploy accepts
      const p = await plan();
      const template = p.renderApp(config, env, app, { port: parsePort(config, opts.port) });
      if (opts.image !== undefined) {
        const params = template.Parameters as Record<string, { Default?: string }>;
        params.Image.Default = opts.image;
      }
      await print(ctx, { kind: 'app', stack: appStack(config.platform.name, env, app), env, app, template }, formatOf(opts));
    }),
  );
};

import { ALLOW_REPLACE_HELP, allowReplaceOption, buildArgOption, countOption, timeoutFlag } from './options';
import { examples, type Register } from './types';
import type { Config } from '../config/model';
import type { Context as CommandContext } from '../context';
import type { DeployResult } from '../ops/deploy';
import type { Ops } from '../ops/context';
import type { PreviewTarget } from '../plan/preview';
import { usageError } from '../errors';

interface DeployFlags {
  dryRun?: boolean;
  wait: boolean;
  timeout: number;
  count?: Record<string, number>;
  allowReplace?: string[];
  skipReleasePhase?: boolean;
  preview?: string;
  withCron?: boolean;
  previewDatabase?: 'fresh' | 'none';
  strategy?: string;
  build?: boolean;
  dockerfile?: string;
  buildArg?: Record<string, string>;
  target?: string;
  tag?: string;
  remote?: boolean;
}

/** The positionals: IMAGE APP ENV, or with --build [DIR] APP ENV (DIR defaults to "."). */
function positionals(first: string, second: string, third: string | undefined, opts: DeployFlags): { image?: string; dir?: string; app: string; env: string } {
  if (!opts.build) {
    for (const [flag, set] of [['--dockerfile', opts.dockerfile], ['--build-arg', opts.buildArg], ['--target', opts.target], ['--tag', opts.tag], ['--remote', opts.remote]] as const) {
      if (set !== undefined) throw usageError(`${flag}: only with --build`);
    }
    if (third === undefined) throw usageError('cyclops deploy: missing <env>; usage: cyclops deploy <image> <app> <env> [options], or cyclops deploy --build [dir] <app> <env> to build DIR first');
    return { image: first, app: second, env: third };
  }
  return third === undefined ? { dir: '.', app: first, env: second } : { dir: first, app: second, env: third };
}

/** --preview NAME: the preview's config and target (names checked, nothing touched); undefined without it. */
async function previewOf(config: Config, app: string, env: string, opts: DeployFlags) {
  if (opts.preview === undefined) {
    if (opts.withCron || opts.previewDatabase) throw usageError(`${opts.withCron ? '--with-cron' : '--preview-database'}: only with --preview NAME`);
    return undefined;
  }
  const { previewDeployment } = await import('../plan/preview');
  return previewDeployment(config, app, env, opts.preview, { withCron: opts.withCron, database: opts.previewDatabase });
}

export const register: Register = (program, run) => {
  examples(
    program
      .command('deploy')
      .description('deploy an image as APP in ENV: port, database, DNS name, load-balancer route and stack; waits until it serves')
      .argument('<image>', 'image reference with a tag or digest, e.g. registry/repo:1.4.2 or registry/repo@sha256:…; with --build: the directory to build (optional, default ".")')
      .argument('<app>', 'app name (a DNS label)')
      .argument('[env]', 'environment name from config')
      .option('--dry-run', 'show what would change (a change set), then delete it; writes no port, database, lock or release')
      .option('--no-wait', 'return once CloudFormation is done, without waiting for the ECS rollout (its state is reported)')
      .addOption(timeoutFlag())
      .option('--count <process=N>', 'task count for a process, repeatable (web=3, worker=2)', countOption)
      .option('--allow-replace <LogicalId>', ALLOW_REPLACE_HELP, allowReplaceOption)
      .option('--preview <name>', "deploy a preview of APP as APP-NAME (host APP-NAME.<zone>): APP's config, one task per process, no cron, no autoscaling, its own empty database")
      .option('--with-cron', "with --preview: keep APP's cron processes")
      .option('--preview-database <fresh|none>', 'with --preview: a fresh empty database of its own (default), or none')
      .option('--strategy <rolling>', "this deploy only: roll the web process instead of the app's blue/green, canary or linear strategy (an emergency fix); the next deploy goes back to config")
      .option('--skip-release-phase', 'emergencies only: do not run processes.release before switching (recorded in the release)')
      .option('--build', "build DIR's Dockerfile for the app's architecture with docker buildx, podman or buildah, push it to the app's ECR repository, and deploy the pushed digest")
      .option('--dockerfile <path>', 'with --build: the Dockerfile (default DIR/Dockerfile)')
      .option('--build-arg <KEY=VALUE>', 'with --build: a Dockerfile ARG, repeatable (not for secrets: build args stay in the image)', buildArgOption)
      .option('--target <stage>', 'with --build: the Dockerfile stage to build')
      .option('--remote', "with --build: build on the platform's remote builder (CodeBuild, added by \"cyclops bootstrap --remote-builder\"): DIR is zipped (honouring .dockerignore, at most 500 MB) and uploaded to the config bucket; no Docker needed here")
      .option('--tag <tag>', 'with --build: the image tag (default: the git commit, plus -dirty-<hash> for uncommitted changes); a tag already in ECR is deployed, never rebuilt'),
    [
      'cyclops deploy registry.example.com/shop:1.4.2 shop staging',
      'cyclops deploy ghcr.io/acme/api@sha256:<digest> api production --timeout 20m --json',
      'cyclops deploy nginx:1.27 docs staging --dry-run',
      'cyclops deploy registry.example.com/shop:pr-123 shop staging --preview pr-123',
      'cyclops deploy --build ./shop shop staging',
      'cyclops deploy --build shop staging --build-arg NODE_ENV=production --tag 1.4.2',
      'cyclops deploy --build ./shop shop production --remote',
    ],
  ).action(
    run(async (ctx, first: string, second: string, third: string | undefined, opts: DeployFlags) => {
      const args = positionals(first, second, third, opts);
      const { app, env } = args;
      const config = await ctx.config();
      if (args.dir !== undefined) return deployBuilt(ctx, config, args.dir, opts, app, env);
      const image = args.image!;
      const [{ deployTarget }, { deploy }] = await Promise.all([import('../plan/target'), import('../ops/deploy')]);
      const { image: ref, ...parsed } = deployTarget(config, image, app, env); // bad input: exit 2 before any AWS call
      const preview = await previewOf(config, app, env, opts);
      const target = preview?.target ?? parsed;
      const once = opts.strategy === undefined ? preview?.config : (await import('../plan/strategy-override')).rollingOnce(preview?.config ?? config, target.app, env, opts.strategy);
      const r = await deploy(await previewOps(await ctx.ops(target, once), preview?.target), { target, image, ref }, deployOptions(opts));
      reportDeploy(ctx, r, env, image, opts);
    }),
  );
};

/** A preview's ops carry the previewed app's CLI-set variables and secret references in its config. */
async function previewOps(ops: Ops, preview: PreviewTarget | undefined): Promise<Ops> {
  if (!preview) return ops;
  const { withAppSettings } = await import('../ops/previews');
  return withAppSettings(ops, preview);
}

const deployOptions = (opts: DeployFlags) => ({
  dryRun: opts.dryRun,
  wait: opts.wait,
  timeoutSeconds: opts.timeout,
  counts: opts.count,
  allowReplace: opts.allowReplace,
  skipReleasePhase: opts.skipReleasePhase,
});

function reportDeploy(ctx: CommandContext, r: DeployResult, env: string, image: string, opts: DeployFlags): void {
  const rep = ctx.reporter;
  const done = (outcome: 'dry-run' | 'unchanged' | 'deployed') => ({ app: r.app, env, image, outcome, release: r.release?.number ?? null, changes: r.changes.length, seconds: r.duration });
  if (opts.dryRun) rep.success('deploy.done', done('dry-run'), `dry run: ${r.changes.length} change(s) to ${r.stack}; nothing was changed`);
  else if (!r.changed) rep.success('deploy.done', done('unchanged'), `no changes: ${r.app} in ${env} already runs ${image}`);
  else rep.success('deploy.done', done('deployed'), `deployed ${image} as ${r.app} in ${env} (release ${r.release?.number ?? '?'}, ${r.duration}s)`);
  rep.result(r, r.url);
}

/** deploy --build [DIR] APP ENV: build, push and deploy the pushed digest (src/ops/build.ts). */
async function deployBuilt(ctx: CommandContext, config: Config, dir: string, opts: DeployFlags, app: string, env: string): Promise<void> {
  const [{ appTarget }, { buildAndDeploy }, { liveRunner }] = await Promise.all([import('../plan/target'), import('../ops/build'), import('../build/process')]);
  const parsed = appTarget(config, app, env); // bad input: exit 2 before any AWS call
  const preview = await previewOf(config, app, env, opts);
  const target = preview?.target ?? parsed;
  const req = { target, dir, dockerfile: opts.dockerfile, stage: opts.target, buildArgs: opts.buildArg, tag: opts.tag, remote: opts.remote };
  const r = await buildAndDeploy(await previewOps(await ctx.ops(target, preview?.config), preview?.target), liveRunner, req, deployOptions(opts));
  if (!('app' in r)) {
    const b = r.build;
    ctx.reporter.success('deploy.done', { app: target.app, env, image: b.image, outcome: 'dry-run', release: null, changes: 0, seconds: 0 }, `dry run: would ${b.existing ? `deploy ${b.image} (already in ECR)` : `build and push ${b.image} with ${b.remote ? `the remote builder (${b.remote.project})` : b.builder} for ${b.platforms.join(', ')}`}; nothing was built, pushed or changed`);
    return ctx.reporter.result(r, b.image);
  }
  reportDeploy(ctx, r, env, `${r.build.image}@${r.imageDigest}`, opts);
}

/**
 * `cyclops deploy --build [DIR] APP ENV`: build DIR's Dockerfile for the app's architecture,
 * push it to the app's ECR repository, and deploy the pushed digest.
 *
 *   1. decide (nothing written): the directory and Dockerfile, the builder on PATH, the
 *      platforms, the tag (src/build/source.ts), the repository, and whether the tag is already
 *      in ECR (then that image is deployed: tags never move, so it is this very build); then
 *      the deploy's own reads and plan (checkDeploy), so its refusals come before any push,
 *      and for an update the change-safety guard's verdict from a dry-run change set (a
 *      stateful resource replaced or removed is refused before the build)
 *   2. lock the app (one lease for the build, the push and the deploy)
 *   3. log in (GetAuthorizationToken; the password goes to the builder on stdin), build, push;
 *      the builder's output streams as build.log events
 *   4. deploy repository:tag@digest (src/ops/deploy.ts) under the same lock: the architecture
 *      check applies, and the release records the build
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appConfig } from '../config/model';
import { failure, usageError } from '../errors';
import { say } from '../events';
import { ecrRepository, looksSecret } from '../naming';
import { parseImage } from '../plan/inputs';
import type { AppTarget } from '../plan/target';
import type { BuildRecord } from '../store';
import { buildSteps, checkPlatforms, findBuilder, platformOf, pushedDigest, type BuilderName, type BuildSpec } from '../build/builders';
import type { ProcessRunner } from '../build/process';
import { buildSource, type Source } from '../build/source';
import { now, type Ops } from './context';
import { checkDeploy, deploy, type DeployOptions, type DeployResult } from './deploy';
import { deployArchitectures } from './images';
import { withAppLock, type LockScope } from './lock';
import { planRemote, remoteBuild, type RemoteInput, type RemotePlan } from './remote-build';

export interface BuildRequest {
  target: AppTarget;
  /** the build context (DIR) */
  dir: string;
  /** --dockerfile; default DIR/Dockerfile */
  dockerfile?: string;
  /** --target: the Dockerfile stage */
  stage?: string;
  buildArgs?: Record<string, string>;
  /** --tag; default from the git commit */
  tag?: string;
  /** --remote: build on the platform's remote builder (CodeBuild), not with a local builder */
  remote?: boolean;
  /** --remote: how often the build is read, in ms (tests) */
  pollMs?: number;
}

export interface BuildPlan {
  builder: BuilderName | 'codebuild';
  platforms: string[];
  source: Source;
  /** the ECR repository URI */
  repository: string;
  /** repository:tag */
  image: string;
  /** the digest already in ECR under the tag (deployed without a build) */
  existing: string | null;
  /** --remote, with a build to run: the builder's project and the build context */
  remote?: RemotePlan;
}

export type BuildDeployResult = DeployResult & { build: BuildPlan & { record: BuildRecord | null } };

/** Build (or reuse), push and deploy. With dryRun: the build plan only, nothing built, pushed or locked. */
export async function buildAndDeploy(ops: Ops, runner: ProcessRunner, req: BuildRequest, opts: DeployOptions = {}): Promise<BuildDeployResult | { build: BuildPlan }> {
  const plan = await planBuild(ops, runner, req);
  // what the deploy would refuse (exit 2) is refused now, before anything is built or pushed
  await checkDeploy(ops, { target: req.target, image: plan.image, ref: parseImage(plan.image) }, { deployed: plan.image, tag: plan.source.tag }, opts);
  if (opts.dryRun) return { build: plan };
  return withAppLock(ops, req.target, `deploy --build ${plan.image}`, async (scope) => {
    const started = now(ops);
    const digest = plan.existing ?? (plan.remote ? await remoteBuild(ops, plan.remote, remoteInput(req, plan), scope) : await buildAndPush(ops, runner, req, plan, scope));
    const record: BuildRecord = {
      builder: plan.builder,
      tag: plan.source.tag,
      commit: plan.source.commit,
      dirty: plan.source.dirty,
      seconds: plan.existing ? 0 : Math.round((now(ops) - started) / 100) / 10,
      reused: plan.existing !== null,
    };
    const image = `${plan.image}@${digest}`;
    const result = await deploy(ops, { target: req.target, image, ref: parseImage(image) }, { ...opts, scope, build: record });
    return { ...result, build: { ...plan, record } };
  });
}

/** Step 1: everything that can be decided before the first write; a refusal is exit 2. */
export async function planBuild(ops: Ops, runner: ProcessRunner, req: BuildRequest): Promise<BuildPlan> {
  const t = req.target;
  const dir = path.resolve(req.dir);
  if (!isDir(dir)) throw usageError(`build directory ${req.dir}: not a directory; give the directory that holds the Dockerfile (default ".")`);
  const dockerfile = path.resolve(req.dockerfile ?? path.join(dir, 'Dockerfile'));
  if (!isFile(dockerfile)) throw usageError(`Dockerfile ${req.dockerfile ?? path.join(req.dir, 'Dockerfile')}: not found; add one, or name it with --dockerfile`);
  const buildArgs = req.buildArgs ?? {};
  const secretish = Object.keys(buildArgs).filter(looksSecret);
  if (secretish.length) say.warn(ops.events, 'build.secret-arg', { names: secretish }, `--build-arg ${secretish.join(', ')}: looks like a secret, and build args stay in the image's history; use the app's secrets (cyclops secrets set) at run time instead`);
  const builder = req.remote ? 'codebuild' : await findBuilder(runner);
  if (!builder) throw usageError('deploy --build: no container builder on PATH; install Docker (with buildx), Podman or Buildah, build on the remote builder with --remote, or push an image yourself and run "cyclops deploy IMAGE APP ENV"');
  const platforms = deployArchitectures(appConfig(ops.config, t.app, t.env)).want.map(platformOf);
  if (builder !== 'codebuild') checkPlatforms(builder, platforms);
  if (!ops.images) throw usageError('deploy --build: no ECR access in this context');
  const source = await buildSource(runner, { dir, dockerfile, target: req.stage, buildArgs }, req.tag);
  // a preview (APP-NAME) runs its app's image: the repository is the app's
  const app = (t as { previewOf?: string }).previewOf ?? t.app;
  const name = ecrRepository(t.platform, app);
  const repo = await ops.images.repository(name);
  if (!repo) throw usageError(`ECR repository ${name}: not found; add "${app}" to apps in ${ops.config.file} and run "cyclops bootstrap" to create it`);
  const existing = await ops.images.digest({ registryId: repo.registryId, region: ops.stacks.region, repositoryName: repo.repositoryName }, source.tag);
  // the remote builder and the build context are only needed for a build (a tag in ECR deploys as it is)
  const remote = req.remote && !existing ? await planRemote(ops, app, platforms, dir, dockerfile) : undefined;
  const plan: BuildPlan = { builder, platforms, source, repository: repo.uri, image: `${repo.uri}:${source.tag}`, existing, ...(remote ? { remote } : {}) };
  say.step(
    ops.events,
    'build.planned',
    { builder, tag: source.tag, commit: source.commit, dirty: source.dirty, platforms, repository: repo.uri, reuse: existing !== null },
    existing ? `${plan.image} is already in ECR; deploying it, not rebuilding (tags never move; change the source or give --tag to build anew)` : `building ${path.relative(process.cwd(), dir) || '.'} with ${remote ? `the remote builder (${remote.project})` : builder} for ${platforms.join(', ')} as ${plan.image}`,
  );
  if (existing) say.info(ops.events, 'build.reused', { image: plan.image, digest: existing }, `${plan.image} is ${existing}`);
  return plan;
}

const remoteInput = (req: BuildRequest, plan: BuildPlan): RemoteInput => ({
  stage: req.stage,
  buildArgs: req.buildArgs ?? {},
  image: plan.image,
  platform: plan.platforms[0],
  ...(req.pollMs !== undefined ? { pollMs: req.pollMs } : {}),
});

/** Step 3: log in, build and push; the pushed digest. */
async function buildAndPush(ops: Ops, runner: ProcessRunner, req: BuildRequest, plan: BuildPlan, scope: LockScope): Promise<string> {
  if (plan.builder === 'codebuild') throw new Error('a remote build has no local steps');
  const builder = plan.builder;
  const started = now(ops);
  const login = await ops.images!.login();
  const override = ops.config.aws.registry ? new URL(ops.config.aws.registry) : null;
  // tests only (config aws.registry): push to a local registry under the repository's name
  const host = override ? override.host : login.host;
  const pushed = override ? `${host}${plan.image.slice(plan.image.indexOf('/'))}` : plan.image;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cyclops-build-'));
  try {
    const spec: BuildSpec = {
      dir: path.resolve(req.dir),
      dockerfile: path.resolve(req.dockerfile ?? path.join(req.dir, 'Dockerfile')),
      target: req.stage,
      buildArgs: req.buildArgs ?? {},
      platforms: plan.platforms,
      image: pushed,
      host,
      username: login.username,
      insecure: override?.protocol === 'http:',
      authFile: path.join(tmp, 'auth.json'),
      digestFile: path.join(tmp, 'digest'),
    };
    for (const step of buildSteps(builder, spec)) {
      scope.checkpoint();
      say.step(ops.events, 'build.step', { step: step.what, program: step.program }, step.what === 'login' ? `logging ${step.program} in to ${host}` : `${step.what === 'build' ? 'building' : 'pushing'} ${pushed}`);
      const r = await runner.run(step.program, step.args, {
        ...(step.password ? { stdin: login.password } : {}),
        signal: scope.signal,
        onLine: (line, stream) => say.info(ops.events, 'build.log', { step: step.what, stream, line }, line),
      });
      scope.checkpoint(); // Ctrl-C stopped the builder: interrupted, not failed
      if (r.code !== 0) {
        const last = r.tail.filter((l) => !l.includes(login.password)).slice(-1)[0] ?? 'no output';
        throw failure(`${step.program} ${step.what} of ${pushed} failed (exit ${r.code}): ${last}; the builder's log is above; fix it and run the same command again`);
      }
    }
    const digest = pushedDigest(builder, readText(spec.digestFile));
    if (!digest) throw failure(`${builder} pushed ${pushed} but wrote no digest to ${spec.digestFile}; check the builder's version and run the same command again`);
    say.step(ops.events, 'build.pushed', { image: plan.image, digest, seconds: Math.round((now(ops) - started) / 100) / 10 }, `pushed ${plan.image} (${digest})`);
    return digest;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const readText = (f: string) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};
const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
const isFile = (p: string) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;

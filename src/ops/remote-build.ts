/**
 * `deploy --build --remote`: the image is built by the platform's remote builder (CodeBuild,
 * templates/platform-builder.ts), so nothing but cyclops is needed where it runs.
 *
 *   decide (planRemote, before any write): the builder's project for the app's one
 *     architecture (none: exit 2 naming `cyclops bootstrap --remote-builder`), and the build
 *     context (DIR after .dockerignore, at most 500 MB: src/build/context-archive.ts)
 *   build (remoteBuild, under the app lock):
 *     1. zip the context and upload it to the config bucket as builds/<app>/<sha256>.zip (once:
 *        the key is its content)
 *     2. StartBuild with the rendered buildspec (src/build/buildspec.ts)
 *     3. follow it: its CloudWatch log streams as build.remote.log events; Ctrl-C or SIGTERM
 *        calls StopBuild, then the command ends interrupted (exit 130)
 *     4. a build that did not succeed is exit 1 naming the build and its log; nothing deploys
 *     5. the digest: the tag's digest in ECR (DescribeImages), which is what the deploy pulls,
 *        checked against the digest the buildspec exported (IMAGE_DIGEST): they must agree
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BuildState } from '../aws/codebuild';
import { DIGEST_VARIABLE, renderBuildspec } from '../build/buildspec';
import { buildContext, mb, zipContext, type BuildContext } from '../build/context-archive';
import { failure, interrupted, usageError } from '../errors';
import { say } from '../events';
import { builderLogGroup, buildContextKey } from '../naming';
import { abortableSleep } from '../stacks/poll';
import { BUILD_TIMEOUT_MINUTES } from '../../templates/platform-builder';
import { now, type Ops } from './context';
import type { LockScope } from './lock';

export interface RemotePlan {
  /** the app whose repository the image goes to (a preview's: its app's) */
  app: string;
  project: string;
  arch: 'arm64' | 'x86_64';
  context: BuildContext;
}

export interface RemoteInput {
  stage?: string;
  buildArgs: Record<string, string>;
  /** repository:tag */
  image: string;
  /** linux/arm64 or linux/amd64 */
  platform: string;
  /** how often the build is read (tests: a few ms) */
  pollMs?: number;
}

const POLL_MS = 3000;

/** Everything a remote build needs decided before the first write; a refusal is exit 2. */
export async function planRemote(ops: Ops, app: string, platforms: string[], dir: string, dockerfile: string): Promise<RemotePlan> {
  if (platforms.length > 1) {
    throw usageError(`deploy --build --remote: ${app} runs on ${platforms.join(' and ')}, and the remote builder builds one architecture per build; build each and deploy a multi-platform image with "cyclops deploy IMAGE APP ENV", or build locally with docker buildx (without --remote)`);
  }
  const projects = ops.builder ? await ops.builder.projects() : null;
  if (!projects) {
    throw usageError(`deploy --build --remote: platform ${ops.config.platform.name} has no remote builder; an admin adds it once with "cyclops bootstrap --remote-builder" (it makes CodeBuild projects and a role, which the deploy policy may not), or build locally without --remote`);
  }
  const arch = platforms[0] === 'linux/arm64' ? 'arm64' : 'x86_64';
  return { app, project: projects[arch], arch, context: buildContext(dir, dockerfile) };
}

/** Upload, start, follow; the digest the build pushed. */
export async function remoteBuild(ops: Ops, plan: RemotePlan, input: RemoteInput, scope: LockScope): Promise<string> {
  const builder = ops.builder!;
  const images = ops.images!;
  const started = now(ops);
  const key = await uploadContext(ops, plan.context, plan.app, scope);
  const repoUri = input.image.slice(0, input.image.lastIndexOf(':'));
  const tag = input.image.slice(input.image.lastIndexOf(':') + 1);
  const host = repoUri.slice(0, repoUri.indexOf('/'));
  const region = images.region ?? ops.stacks.region;
  const buildspec = renderBuildspec({ image: input.image, host, region, platform: input.platform, dockerfile: plan.context.dockerfile, target: input.stage, buildArgs: input.buildArgs });
  scope.checkpoint();
  const { id } = await builder.start({ project: plan.project, source: `${ops.config.platform.bucket}/${key}`, buildspec, timeoutMinutes: BUILD_TIMEOUT_MINUTES });
  // CodeBuild names the stream after the build id's UUID in the project's group (LogsConfig);
  // BatchGetBuilds says so itself once the build runs, and that wins.
  const where = { group: builderLogGroup(ops.config.platform.name), stream: id.slice(id.indexOf(':') + 1) };
  say.step(ops.events, 'build.remote.started', { build: id, project: plan.project, arch: plan.arch, logGroup: where.group, logStream: where.stream }, `building ${input.image} on CodeBuild project ${plan.project} (build ${id}; log ${where.group} ${where.stream})`);
  const done = await follow(ops, id, where, scope, input.pollMs ?? POLL_MS);
  if (done.status !== 'SUCCEEDED') {
    throw failure(`remote build ${id} ${done.status === 'FAILED' ? 'failed' : `ended ${done.status}`}${done.failure ? ` (${done.failure})` : ''}; nothing was deployed; its log is in CloudWatch Logs group ${done.logGroup ?? where.group}, stream ${done.logStream ?? where.stream}${done.deepLink ? ` (${done.deepLink})` : ''}; fix the build and run the same command again`);
  }
  const repo = images.ecr(repoUri);
  const inEcr = repo ? await images.digest(repo, tag) : null;
  const exported = done.exported[DIGEST_VARIABLE];
  if (!inEcr) throw failure(`remote build ${id} succeeded, but ${input.image} is not in ECR; nothing was deployed; check the build's log (group ${where.group}, stream ${where.stream}) and run the same command again`);
  if (exported && exported !== inEcr) {
    throw failure(`remote build ${id} pushed ${exported}, but ${input.image} is ${inEcr} in ECR now: something else pushed the same tag; nothing was deployed; build again with another --tag`);
  }
  say.step(ops.events, 'build.pushed', { image: input.image, digest: inEcr, seconds: Math.round((now(ops) - started) / 100) / 10 }, `pushed ${input.image} (${inEcr}) from remote build ${id}`);
  return inEcr;
}

/** Zip the context and put it under builds/ (skipped when that content is there already). */
async function uploadContext(ops: Ops, ctx: BuildContext, app: string, scope: LockScope): Promise<string> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cyclops-context-'));
  try {
    const zip = path.join(tmp, 'context.zip');
    const { bytes, sha256 } = await zipContext(ctx, zip);
    const key = buildContextKey(app, sha256);
    const there = await ops.builder!.has(key);
    scope.checkpoint();
    if (!there) await ops.builder!.upload(key, zip);
    const data = { key, files: ctx.files.length, bytes: ctx.bytes, zipBytes: bytes, uploaded: !there, skippedLinks: ctx.skippedLinks };
    say.step(ops.events, 'build.context', data, `build context: ${ctx.files.length} file(s), ${mb(ctx.bytes)} (${mb(bytes)} zipped) ${there ? 'already in' : 'uploaded to'} s3://${ops.config.platform.bucket}/${key}${ctx.skippedLinks.length ? `; left out (links to directories): ${ctx.skippedLinks.join(', ')}` : ''}`);
    return key;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Read the build until it ends, streaming its log; on abort, stop it and end interrupted. */
async function follow(ops: Ops, id: string, where: { group: string; stream: string }, scope: LockScope, pollMs: number): Promise<BuildState> {
  const builder = ops.builder!;
  const log = { since: 0, seen: new Set<string>() };
  let phase = '';
  for (;;) {
    if (scope.signal.aborted) return stop(ops, id);
    const state = await builder.get(id);
    if (!state) throw failure(`remote build ${id}: CodeBuild does not know it; run the same command again`);
    if (state.logGroup && state.logStream) Object.assign(where, { group: state.logGroup, stream: state.logStream });
    if (state.phase !== phase) {
      phase = state.phase;
      say.info(ops.events, 'build.remote.phase', { build: id, phase }, `build ${id}: ${phase}`);
    }
    await streamLog(ops, id, where, log);
    if (state.status !== 'IN_PROGRESS') return state;
    await abortableSleep(pollMs, scope.signal);
  }
}

/** The log's new events (every page), each once. */
async function streamLog(ops: Ops, id: string, where: { group: string; stream: string }, log: { since: number; seen: Set<string> }): Promise<void> {
  let token: string | undefined;
  do {
    const page = await ops.builder!.logs(where.group, where.stream, log.since, token);
    if (!page) return; // no stream yet: the build is still starting
    for (const e of page.events) {
      if (log.seen.has(e.id)) continue;
      log.seen.add(e.id);
      log.since = Math.max(log.since, e.timestamp);
      say.info(ops.events, 'build.remote.log', { build: id, line: e.message }, e.message);
    }
    token = page.nextToken;
  } while (token);
}

/** Ctrl-C or SIGTERM (or a lost lock): StopBuild, then interrupted. */
async function stop(ops: Ops, id: string): Promise<never> {
  say.warn(ops.events, 'build.remote.stopping', { build: id }, `stopping remote build ${id}`);
  try {
    await ops.builder!.stop(id);
  } catch (e) {
    throw interrupted(`remote build ${id}: interrupted, and stopping it failed (${(e as Error).message.split('\n')[0]}); stop it with "aws codebuild stop-build --id ${id}"; nothing was deployed`);
  }
  throw interrupted(`remote build ${id}: interrupted; the build was stopped and nothing was deployed`);
}

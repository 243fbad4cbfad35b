/**
 * CodeBuild, in cyclops's own types: the remote builder's StartBuild, BatchGetBuilds and
 * StopBuild (`deploy --build --remote`, src/ops/remote-build.ts).
 */
import type { Aws } from './client';
import { call, idempotencyToken } from './call';

export interface StartBuildInput {
  project: string;
  /** "<bucket>/<key>" of the zipped build context */
  source: string;
  /** the rendered buildspec (src/build/buildspec.ts) */
  buildspec: string;
  /** the build's timeout in minutes (CodeBuild takes 5 to 2160) */
  timeoutMinutes?: number;
}

export type BuildStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'FAULT' | 'TIMED_OUT' | 'STOPPED';

export interface BuildState {
  id: string;
  status: BuildStatus;
  /** the current phase (QUEUED, PROVISIONING, BUILD, …, COMPLETED) */
  phase: string;
  /** the project's environment type and image, as CodeBuild reports them */
  environment: { type: string; image: string };
  /** where CodeBuild writes the build's log; absent until it knows */
  logGroup?: string;
  logStream?: string;
  /** the console link to the log */
  deepLink?: string;
  /** the buildspec's exported variables, once the build is done */
  exported: Record<string, string>;
  /** the failed phase's context message, when a phase failed */
  failure?: string;
}

/** Start one build of `project` from the zip in the config bucket, with the buildspec given. */
export async function startBuild(aws: Aws, input: StartBuildInput): Promise<{ id: string }> {
  const out = await call(aws, `start a build of CodeBuild project ${input.project}`, () =>
    aws.codebuild.send(
      new aws.sdk.codebuild.StartBuildCommand({
        projectName: input.project,
        sourceTypeOverride: 'S3',
        sourceLocationOverride: input.source,
        buildspecOverride: input.buildspec,
        idempotencyToken: idempotencyToken(),
        ...(input.timeoutMinutes ? { timeoutInMinutesOverride: input.timeoutMinutes } : {}),
      }),
    ),
  );
  const id = out.build?.id;
  if (!id) throw new Error(`CodeBuild started a build of ${input.project} but returned no build id`);
  return { id };
}

/** The build's state; null when CodeBuild does not know the id. */
export async function getBuild(aws: Aws, id: string): Promise<BuildState | null> {
  const out = await call(aws, `read CodeBuild build ${id}`, () => aws.codebuild.send(new aws.sdk.codebuild.BatchGetBuildsCommand({ ids: [id] })));
  const b = out.builds?.[0];
  if (!b) return null;
  const failed = (b.phases ?? []).find((p) => p.phaseStatus && p.phaseStatus !== 'SUCCEEDED' && p.contexts?.some((c) => c.message));
  return {
    id,
    status: (b.buildStatus ?? 'IN_PROGRESS') as BuildStatus,
    phase: b.currentPhase ?? 'QUEUED',
    environment: { type: b.environment?.type ?? '', image: b.environment?.image ?? '' },
    ...(b.logs?.groupName ? { logGroup: b.logs.groupName } : {}),
    ...(b.logs?.streamName ? { logStream: b.logs.streamName } : {}),
    ...(b.logs?.deepLink ? { deepLink: b.logs.deepLink } : {}),
    exported: Object.fromEntries((b.exportedEnvironmentVariables ?? []).filter((v) => v.name).map((v) => [v.name!, v.value ?? ''])),
    ...(failed ? { failure: `${failed.phaseType}: ${failed.contexts!.map((c) => c.message).filter(Boolean).join('; ')}` } : {}),
  };
}

/** Stop a build (Ctrl-C): CodeBuild ends it, and it is STOPPED. */
export async function stopBuild(aws: Aws, id: string): Promise<void> {
  await call(aws, `stop CodeBuild build ${id}`, () => aws.codebuild.send(new aws.sdk.codebuild.StopBuildCommand({ id })));
}

/**
 * The task runner: the plans in sql.ts run by psql in a one-off Fargate task inside the
 * environment's VPC (private subnets, the DbAdminSecurityGroup, no public IP). Passwords
 * reach the container only as ECS `secrets` (valueFrom a secret ARN and JSON key), never in
 * the command or the overrides. The command is the fixed psql script; names travel as
 * environment overrides and become psql variables, which psql quotes as literals. The
 * script's exit code carries the plan's state (sql.ts psqlScript).
 */
import type { Aws } from '../aws/client';
import * as ecs from '../aws/ecs';
import { failure, interrupted, usageError } from '../errors';
import type { Events } from '../events';
import { abortableSleep } from '../stacks/poll';
import { decodeExit, psqlScript, type SqlPlan, type SqlVars } from './sql';

export const DB_TASK_IMAGE = 'public.ecr.aws/docker/library/postgres:16-alpine';
export const DB_TASK_CONTAINER = 'psql';

export interface TaskTarget {
  family: string;
  cluster: string;
  subnets: string[];
  securityGroup: string;
  executionRoleArn: string;
  tags: { Key: string; Value: string }[];
  /** The env stack's DbAdminLogGroup (older env stacks have none): psql's errors land there. */
  logGroup?: string;
  region?: string;
}

export interface TaskRun {
  plan: SqlPlan;
  /** non-secret variables: role, db, rotate */
  vars: Omit<SqlVars, 'pw'>;
  /** plain environment: PGHOST, PGPORT, PGDATABASE, PGSSLMODE, maybe PGUSER */
  environment: Record<string, string>;
  /** name → valueFrom (secret ARN with JSON key): PGPASSWORD, maybe PGUSER, APP_PASSWORD */
  secrets: Record<string, string>;
}

export interface TaskWait {
  firstMs?: number;
  maxMs?: number;
  timeoutMs?: number;
}

/** The environment variable each plan variable comes from inside the container. */
export const VAR_ENV: Record<keyof SqlVars, string> = { role: 'DB_ROLE', db: 'DB_NAME', pw: 'APP_PASSWORD', rotate: 'DB_ROTATE' };

/** `sh -c WRAPPER cyclops-db SCRIPT`: the script arrives as $1, the variables from the environment. */
export function taskCommand(plan: SqlPlan): string[] {
  const vars = plan.vars.map((v) => `-v ${v}="$${VAR_ENV[v]}"`).join(' ');
  const wrapper = `code=$(printf '%s\\n' "$1" | psql -X -q -A -t -v ON_ERROR_STOP=1 ${vars} -f -) && exit "$code"`;
  return ['sh', '-c', wrapper, 'cyclops-db', psqlScript(plan)];
}

const sorted = (s: Record<string, string>) => Object.entries(s).sort(([a], [b]) => a.localeCompare(b)).map(([name, valueFrom]) => ({ name, valueFrom }));

export function taskDefinitionInput(t: TaskTarget, secrets: Record<string, string>): ecs.TaskDefinitionInput {
  return {
    family: t.family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    executionRoleArn: t.executionRoleArn,
    containerDefinitions: [
      {
        name: DB_TASK_CONTAINER,
        image: DB_TASK_IMAGE,
        essential: true,
        memory: 512,
        secrets: sorted(secrets),
        ...(t.logGroup && t.region
          ? { logConfiguration: { logDriver: 'awslogs' as const, options: { 'awslogs-group': t.logGroup, 'awslogs-region': t.region, 'awslogs-stream-prefix': 'dbadmin' } } }
          : {}),
      },
    ],
    tags: ecsTags(t),
  };
}

/** ECS spells tags in lower case. */
const ecsTags = (t: TaskTarget) => t.tags.map((x) => ({ key: x.Key, value: x.Value }));

/** The family's latest revision when it already matches, else a new revision. */
export async function ensureTaskDefinition(aws: Aws, t: TaskTarget, secrets: Record<string, string>): Promise<string> {
  const want = taskDefinitionInput(t, secrets);
  const have = await ecs.latestTaskDefinition(aws, t.family);
  const c = have?.containers[0];
  const same =
    have?.status === 'ACTIVE' &&
    have.executionRoleArn === want.executionRoleArn &&
    c?.image === DB_TASK_IMAGE &&
    c.logGroup === t.logGroup &&
    JSON.stringify(sorted(Object.fromEntries(c.secrets.map((s) => [s.name, s.valueFrom])))) === JSON.stringify(want.containerDefinitions[0].secrets);
  if (same && have?.arn) return have.arn;
  return ecs.registerTaskDefinition(aws, want);
}

export async function startDbTask(aws: Aws, t: TaskTarget, run: TaskRun): Promise<string> {
  const taskDefinition = await ensureTaskDefinition(aws, t, run.secrets);
  const environment = { ...run.environment };
  for (const [k, v] of Object.entries(run.vars)) if (v !== undefined) environment[VAR_ENV[k as keyof SqlVars]] = v;
  const out = await ecs.runFargateTask(aws, {
    cluster: t.cluster,
    taskDefinition,
    startedBy: 'cyclops-db',
    subnets: t.subnets,
    securityGroups: [t.securityGroup],
    container: DB_TASK_CONTAINER,
    command: taskCommand(run.plan),
    environment,
    tags: ecsTags(t),
  });
  const f = out.failure;
  if (f || !out.arn) {
    throw failure(`database task on cluster ${t.cluster}: ECS did not start it (${f?.reason ?? 'no task returned'}${f?.detail ? ': ' + f.detail : ''}); check the cluster's Fargate capacity and try again`);
  }
  return out.arn;
}

const PSQL_EXIT: Record<number, string> = {
  0: 'the command ended without reporting a result; check that the image runs the given command',
  1: 'psql failed before running SQL',
  2: 'psql could not connect to the database; check that the database security group admits DbAdminSecurityGroup and the admin credentials',
  3: 'a SQL statement failed; check that the admin user may create roles and databases',
  126: 'psql could not be run in the image',
  127: 'psql is missing from the image',
  137: 'the container was killed (out of memory or stopped)',
};

/** Poll until the task stops (backoff, honouring `signal`), then decode its exit code into the plan's state. */
export async function waitForDbTask(
  aws: Aws,
  t: TaskTarget,
  taskArn: string,
  plan: SqlPlan,
  opts: { signal?: AbortSignal; wait?: TaskWait; reporter?: Events } = {},
): Promise<Record<string, number>> {
  const id = taskArn.split('/').pop();
  const deadline = Date.now() + (opts.wait?.timeoutMs ?? 15 * 60_000);
  let delay = opts.wait?.firstMs ?? 2000;
  let last = '';
  for (;;) {
    if (opts.signal?.aborted) {
      await ecs.stopTask(aws, t.cluster, taskArn, 'cyclops: interrupted');
      throw interrupted(`database task ${id}: interrupted; the task was asked to stop; run the command again to finish`);
    }
    const task = await ecs.describeTask(aws, t.cluster, taskArn, `check database task ${id}`);
    if ('missing' in task) throw failure(`database task ${id}: ECS no longer knows it (${task.missing}); run the command again`);
    if (task.lastStatus !== last) opts.reporter?.emit({ type: 'task-state', code: 'task.state', task: `database task ${id}`, status: (last = task.lastStatus ?? '') });
    if (task.lastStatus === 'STOPPED') {
      const c = task.containers.find((x) => x.name === DB_TASK_CONTAINER) ?? task.containers[0];
      const why = [task.stoppedReason, c?.reason].filter(Boolean).join('; ') || 'no reason given';
      if (c?.exitCode === undefined || c.exitCode === null) {
        throw failure(
          `database task ${id}: stopped before psql ran (${why}); check that the execution role may read the secrets and that the private subnets reach ECR and Secrets Manager`,
          undefined,
          'db-task',
        );
      }
      const state = decodeExit(plan, c.exitCode);
      if (state) return state;
      throw failure(`database task ${id}: exited with code ${c.exitCode}: ${PSQL_EXIT[c.exitCode] ?? 'unexpected exit'} (${why})`, undefined, 'db-task');
    }
    if (Date.now() > deadline) {
      throw failure(`database task ${id}: still ${task.lastStatus} after ${Math.round((opts.wait?.timeoutMs ?? 900_000) / 1000)} s; look at the task in the ECS console, then run again`, undefined, 'db-task');
    }
    await abortableSleep(delay, opts.signal);
    delay = Math.min(Math.round(delay * 1.5), opts.wait?.maxMs ?? 15_000);
  }
}

export async function runTask(
  aws: Aws,
  t: TaskTarget,
  run: TaskRun,
  opts: { signal?: AbortSignal; wait?: TaskWait; reporter?: Events } = {},
): Promise<Record<string, number>> {
  if (!t.subnets.length) throw usageError(`database task: the environment has no private subnets in its outputs; update the environment stack`);
  const arn = await startDbTask(aws, t, run);
  opts.reporter?.emit({ type: 'task-state', code: 'task.state', task: `database task ${arn.split('/').pop()}`, status: `started on ${t.cluster}` });
  return waitForDbTask(aws, t, arn, run.plan, opts);
}

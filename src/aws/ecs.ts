/** ECS, in cyclops's own types: services and their deployments, one-off tasks, task definitions. */
import type { Aws } from './client';
import { call } from './call';

export interface ServiceEventRow {
  id: string;
  message: string;
  at?: Date;
}

export interface ServiceRow {
  name: string;
  arn: string;
  desired: number;
  running: number;
  pending: number;
  /** the primary deployment's rollout: IN_PROGRESS | COMPLETED | FAILED (or undefined) */
  rollout?: string;
  rolloutReason?: string;
  taskDefinition?: string;
  failedTasks: number;
  /** the service's event log, newest first, as ECS returns it (up to 100) */
  events: ServiceEventRow[];
}

/** DescribeServices in batches of ten. */
export async function describeServices(aws: Aws, cluster: string, services: string[]): Promise<ServiceRow[]> {
  const rows: ServiceRow[] = [];
  for (let i = 0; i < services.length; i += 10) {
    const out = await call(aws, `describe the services on cluster ${cluster}`, () =>
      aws.ecs.send(new aws.sdk.ecs.DescribeServicesCommand({ cluster, services: services.slice(i, i + 10) })),
    );
    for (const s of out.services ?? []) {
      const primary = (s.deployments ?? []).find((d) => d.status === 'PRIMARY');
      rows.push({
        name: s.serviceName ?? '',
        arn: s.serviceArn ?? '',
        desired: s.desiredCount ?? 0,
        running: s.runningCount ?? 0,
        pending: s.pendingCount ?? 0,
        rollout: primary?.rolloutState,
        rolloutReason: primary?.rolloutStateReason,
        taskDefinition: s.taskDefinition,
        failedTasks: primary?.failedTasks ?? 0,
        events: (s.events ?? []).map((e) => ({ id: e.id ?? `${e.createdAt?.getTime() ?? ''}:${e.message ?? ''}`, message: e.message ?? '', at: e.createdAt })),
      });
    }
  }
  return rows;
}

/** A new deployment of the service with the same task definition; returns the service name. */
export async function forceNewDeployment(aws: Aws, cluster: string, service: string): Promise<string> {
  const out = await call(aws, `restart service ${service} on cluster ${cluster}`, () =>
    aws.ecs.send(new aws.sdk.ecs.UpdateServiceCommand({ cluster, service, forceNewDeployment: true })),
  );
  return out.service?.serviceName ?? service;
}

export interface TaskDefinitionInput {
  family: string;
  requiresCompatibilities: 'FARGATE'[];
  networkMode: 'awsvpc';
  cpu: string;
  memory: string;
  executionRoleArn: string;
  containerDefinitions: {
    name: string;
    image: string;
    essential: boolean;
    memory: number;
    secrets: { name: string; valueFrom: string }[];
    logConfiguration?: { logDriver: 'awslogs'; options: Record<string, string> };
  }[];
  tags: { key: string; value: string }[];
}

export interface TaskDefinitionRow {
  arn?: string;
  status?: string;
  executionRoleArn?: string;
  containers: { name?: string; image?: string; secrets: { name: string; valueFrom: string }[]; logGroup?: string }[];
}

/** The family's latest revision, or null when there is none (or it cannot be read). */
export async function latestTaskDefinition(aws: Aws, family: string): Promise<TaskDefinitionRow | null> {
  const td = await aws.ecs
    .send(new aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: family }))
    .then((o) => o.taskDefinition)
    .catch(() => undefined);
  if (!td) return null;
  return {
    arn: td.taskDefinitionArn,
    status: td.status,
    executionRoleArn: td.executionRoleArn,
    containers: (td.containerDefinitions ?? []).map((c) => ({
      name: c.name,
      image: c.image,
      secrets: (c.secrets ?? []).map((s) => ({ name: s.name ?? '', valueFrom: s.valueFrom ?? '' })),
      logGroup: c.logConfiguration?.options?.['awslogs-group'],
    })),
  };
}

export async function registerTaskDefinition(aws: Aws, input: TaskDefinitionInput): Promise<string> {
  const out = await call(aws, `register task definition ${input.family}`, () => aws.ecs.send(new aws.sdk.ecs.RegisterTaskDefinitionCommand(input)));
  return out.taskDefinition?.taskDefinitionArn ?? input.family;
}

export interface RunTaskInput {
  cluster: string;
  taskDefinition: string;
  startedBy: string;
  subnets: string[];
  securityGroups: string[];
  container: string;
  command: string[];
  environment: Record<string, string>;
  tags: { key: string; value: string }[];
}

/** RunTask on Fargate without a public IP: the task's ARN, or ECS's reason for not starting it. */
export async function runFargateTask(aws: Aws, t: RunTaskInput): Promise<{ arn?: string; failure?: { reason?: string; detail?: string } }> {
  const out = await call(aws, `start the database task on cluster ${t.cluster}`, () =>
    aws.ecs.send(
      new aws.sdk.ecs.RunTaskCommand({
        cluster: t.cluster,
        taskDefinition: t.taskDefinition,
        launchType: 'FARGATE',
        count: 1,
        startedBy: t.startedBy,
        networkConfiguration: { awsvpcConfiguration: { subnets: t.subnets, securityGroups: t.securityGroups, assignPublicIp: 'DISABLED' } },
        overrides: {
          containerOverrides: [{ name: t.container, command: t.command, environment: Object.entries(t.environment).map(([name, value]) => ({ name, value })) }],
        },
        tags: t.tags,
      }),
    ),
  );
  const f = out.failures?.[0];
  return { arn: out.tasks?.[0]?.taskArn, ...(f ? { failure: { reason: f.reason, detail: f.detail } } : {}) };
}

export interface TaskRow {
  lastStatus?: string;
  stoppedReason?: string;
  containers: { name?: string; exitCode?: number; reason?: string }[];
}

/** One task's state, or `missing` with ECS's reason when ECS no longer knows it. */
export async function describeTask(aws: Aws, cluster: string, task: string, action: string): Promise<TaskRow | { missing: string }> {
  const out = await call(aws, action, () => aws.ecs.send(new aws.sdk.ecs.DescribeTasksCommand({ cluster, tasks: [task] })));
  const t = out.tasks?.[0];
  if (!t) return { missing: out.failures?.[0]?.reason ?? 'missing' };
  return {
    lastStatus: t.lastStatus,
    stoppedReason: t.stoppedReason,
    containers: (t.containers ?? []).map((c) => ({ name: c.name, exitCode: c.exitCode ?? undefined, reason: c.reason })),
  };
}

/** Ask a task to stop; best effort (the caller is already on its way out). */
export async function stopTask(aws: Aws, cluster: string, task: string, reason: string): Promise<void> {
  await aws.ecs.send(new aws.sdk.ecs.StopTaskCommand({ cluster, task, reason })).catch(() => undefined);
}

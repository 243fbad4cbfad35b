/** ECS, in cyclops's own types: services and their deployments, one-off tasks, task definitions. */
import type { Aws } from './client';
import { call, callOr, idempotencyToken } from './call';
import { awsErrorName } from './errors';

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
  requiresCompatibilities: ('FARGATE' | 'EC2')[];
  networkMode: 'awsvpc';
  cpu: string;
  memory: string;
  runtimePlatform?: { cpuArchitecture: 'X86_64' | 'ARM64'; operatingSystemFamily: 'LINUX' };
  executionRoleArn: string;
  taskRoleArn?: string;
  containerDefinitions: {
    name: string;
    image: string;
    essential: boolean;
    memory?: number;
    command?: string[];
    environment?: { name: string; value: string }[];
    secrets: { name: string; valueFrom: string }[];
    logConfiguration?: { logDriver: 'awslogs'; options: Record<string, string> };
  }[];
  tags: { key: string; value: string }[];
}

export interface TaskDefinitionRow {
  arn?: string;
  status?: string;
  family?: string;
  executionRoleArn?: string;
  taskRoleArn?: string;
  cpu?: string;
  memory?: string;
  compatibilities: string[];
  containers: { name?: string; image?: string; secrets: { name: string; valueFrom: string }[]; logGroup?: string; logStreamPrefix?: string }[];
}

type SdkTaskDefinition = import('@aws-sdk/client-ecs').TaskDefinition;

function taskDefinitionRow(td: SdkTaskDefinition): TaskDefinitionRow {
  return {
    arn: td.taskDefinitionArn,
    status: td.status,
    family: td.family,
    executionRoleArn: td.executionRoleArn,
    taskRoleArn: td.taskRoleArn,
    cpu: td.cpu,
    memory: td.memory,
    compatibilities: td.requiresCompatibilities ?? [],
    containers: (td.containerDefinitions ?? []).map((c) => ({
      name: c.name,
      image: c.image,
      secrets: (c.secrets ?? []).map((s) => ({ name: s.name ?? '', valueFrom: s.valueFrom ?? '' })),
      logGroup: c.logConfiguration?.options?.['awslogs-group'],
      logStreamPrefix: c.logConfiguration?.options?.['awslogs-stream-prefix'],
    })),
  };
}

/** The family's latest revision, or null when there is none (or it cannot be read). */
export async function latestTaskDefinition(aws: Aws, family: string): Promise<TaskDefinitionRow | null> {
  const td = await aws.ecs
    .send(new aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: family }))
    .then((o) => o.taskDefinition)
    .catch(() => undefined);
  return td ? taskDefinitionRow(td) : null;
}

/** One task definition (ARN, family:revision or family); null when ECS does not know it. */
export async function describeTaskDefinition(aws: Aws, ref: string): Promise<TaskDefinitionRow | null> {
  const out = await callOr(
    aws,
    `describe task definition ${ref}`,
    () => aws.ecs.send(new aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: ref })),
    (e) => (awsErrorName(e) === 'ClientException' || /Unable to describe task definition/i.test(String((e as Error)?.message)) ? null : undefined),
  );
  return out?.taskDefinition ? taskDefinitionRow(out.taskDefinition) : null;
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
  environment?: Record<string, string>;
  tags: { key: string; value: string }[];
  /** task-level overrides (CPU units, MiB) */
  cpu?: number;
  memory?: number;
  /** EC2 capacity runs tasks with launch type EC2 (default FARGATE) */
  launchType?: 'FARGATE' | 'EC2';
  /** what the task is, for error messages ("the database task") */
  what?: string;
}

/** RunTask without a public IP: the task's ARN, or ECS's reason for not starting it. */
export async function runFargateTask(aws: Aws, t: RunTaskInput): Promise<{ arn?: string; failure?: { reason?: string; detail?: string } }> {
  const launchType = t.launchType ?? 'FARGATE';
  const environment = Object.entries(t.environment ?? {}).map(([name, value]) => ({ name, value }));
  const out = await call(aws, `start ${t.what ?? 'the database task'} on cluster ${t.cluster}`, () =>
    aws.ecs.send(
      new aws.sdk.ecs.RunTaskCommand({
        cluster: t.cluster,
        taskDefinition: t.taskDefinition,
        launchType,
        count: 1,
        startedBy: t.startedBy,
        networkConfiguration: {
          awsvpcConfiguration: { subnets: t.subnets, securityGroups: t.securityGroups, ...(launchType === 'FARGATE' ? { assignPublicIp: 'DISABLED' as const } : {}) },
        },
        overrides: {
          containerOverrides: [{ name: t.container, command: t.command, ...(environment.length ? { environment } : {}) }],
          ...(t.cpu ? { cpu: String(t.cpu) } : {}),
          ...(t.memory ? { memory: String(t.memory) } : {}),
        },
        tags: t.tags,
        // one token per start: the SDK's retries of a lost reply start no second task
        clientToken: idempotencyToken(),
      }),
    ),
  );
  const f = out.failures?.[0];
  return { arn: out.tasks?.[0]?.taskArn, ...(f ? { failure: { reason: f.reason, detail: f.detail } } : {}) };
}

export interface TaskRow {
  arn?: string;
  lastStatus?: string;
  desiredStatus?: string;
  stoppedReason?: string;
  /** "service:NAME" for a service's task, "family:NAME" for a one-off */
  group?: string;
  taskDefinition?: string;
  enableExecuteCommand?: boolean;
  startedAt?: Date;
  createdAt?: Date;
  stoppedAt?: Date;
  /** why ECS stopped it: TaskFailedToStart, EssentialContainerExited, UserInitiated, ServiceSchedulerInitiated, … */
  stopCode?: string;
  /** the container health checks' verdict: HEALTHY | UNHEALTHY | UNKNOWN */
  health?: string;
  availabilityZone?: string;
  /** the task size: CPU units ("256") and MiB ("512") */
  cpu?: string;
  memory?: string;
  containers: { name?: string; exitCode?: number; reason?: string; lastStatus?: string; image?: string; imageDigest?: string; health?: string }[];
}

type SdkTask = import('@aws-sdk/client-ecs').Task;
const taskRow = (t: SdkTask): TaskRow => ({
  arn: t.taskArn,
  lastStatus: t.lastStatus,
  desiredStatus: t.desiredStatus,
  stoppedReason: t.stoppedReason,
  group: t.group,
  taskDefinition: t.taskDefinitionArn,
  enableExecuteCommand: t.enableExecuteCommand,
  startedAt: t.startedAt,
  createdAt: t.createdAt,
  stoppedAt: t.stoppedAt,
  stopCode: t.stopCode,
  health: t.healthStatus,
  availabilityZone: t.availabilityZone,
  cpu: t.cpu,
  memory: t.memory,
  containers: (t.containers ?? []).map((c) => ({
    name: c.name,
    exitCode: c.exitCode ?? undefined,
    reason: c.reason,
    lastStatus: c.lastStatus,
    image: c.image,
    imageDigest: c.imageDigest,
    health: c.healthStatus,
  })),
});

/** One task's state, or `missing` with ECS's reason when ECS no longer knows it. */
export async function describeTask(aws: Aws, cluster: string, task: string, action: string): Promise<TaskRow | { missing: string }> {
  const out = await call(aws, action, () => aws.ecs.send(new aws.sdk.ecs.DescribeTasksCommand({ cluster, tasks: [task] })));
  const t = out.tasks?.[0];
  if (!t) return { missing: out.failures?.[0]?.reason ?? 'missing' };
  return taskRow(t);
}

/**
 * A service's tasks (ListTasks, then DescribeTasks in batches of 100): those meant to run, or
 * with `desired` STOPPED the stopped ones ECS still knows (at least an hour after they stop).
 */
export async function serviceTasks(aws: Aws, cluster: string, service: string, desired: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<TaskRow[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(aws, `list the tasks of service ${service} on cluster ${cluster}`, () =>
      aws.ecs.send(new aws.sdk.ecs.ListTasksCommand({ cluster, serviceName: service, desiredStatus: desired, nextToken })),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const rows: TaskRow[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const out = await call(aws, `describe the tasks of service ${service}`, () => aws.ecs.send(new aws.sdk.ecs.DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) })));
    rows.push(...(out.tasks ?? []).map(taskRow));
  }
  // ListTasks by service name only finds the service's tasks; the group says so on the task itself.
  return rows.filter((r) => r.group === undefined || r.group === `service:${service}`);
}

/** Ask a task to stop; best effort (the caller is already on its way out). */
export async function stopTask(aws: Aws, cluster: string, task: string, reason: string): Promise<void> {
  await aws.ecs.send(new aws.sdk.ecs.StopTaskCommand({ cluster, task, reason })).catch(() => undefined);
}

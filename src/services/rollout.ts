/**
 * ECS services of an app stack: find them, read their counts, and wait until a deployment
 * has rolled out (the primary deployment's rolloutState), with a clear error when the
 * deployment circuit breaker rolled it back.
 */
import type { Aws } from '../aws/client';
import { describeAwsError } from '../aws/errors';
import { CyclopsError, ExitCode, failure, interrupted } from '../errors';
import type { Reporter } from '../report/reporter';
import { Poller } from '../stacks/poll';
import type { PollOptions } from '../stacks/types';

export interface ServiceState {
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
  events: string[];
}

/** The ECS services (ARNs) a stack created, from its resources. */
export async function stackServices(aws: Aws, stackName: string): Promise<string[]> {
  const arns: string[] = [];
  let token: string | undefined;
  try {
    do {
      const out = await aws.cfn.send(new aws.sdk.cfn.ListStackResourcesCommand({ StackName: stackName, NextToken: token }));
      for (const r of out.StackResourceSummaries ?? []) {
        if (r.ResourceType === 'AWS::ECS::Service' && r.PhysicalResourceId && r.ResourceStatus !== 'DELETE_COMPLETE') arns.push(r.PhysicalResourceId);
      }
      token = out.NextToken;
    } while (token);
  } catch (e) {
    throw describeAwsError(e, { action: `list the services of stack ${stackName}`, region: aws.region, endpoint: aws.endpoint });
  }
  return arns;
}

export async function describeServices(aws: Aws, cluster: string, services: string[]): Promise<ServiceState[]> {
  if (!services.length) return [];
  const states: ServiceState[] = [];
  try {
    for (let i = 0; i < services.length; i += 10) {
      const out = await aws.ecs.send(new aws.sdk.ecs.DescribeServicesCommand({ cluster, services: services.slice(i, i + 10) }));
      for (const s of out.services ?? []) {
        const primary = (s.deployments ?? []).find((d) => d.status === 'PRIMARY');
        states.push({
          name: s.serviceName ?? '',
          arn: s.serviceArn ?? '',
          desired: s.desiredCount ?? 0,
          running: s.runningCount ?? 0,
          pending: s.pendingCount ?? 0,
          rollout: primary?.rolloutState,
          rolloutReason: primary?.rolloutStateReason,
          taskDefinition: s.taskDefinition,
          failedTasks: primary?.failedTasks ?? 0,
          events: (s.events ?? []).slice(0, 3).map((e) => e.message ?? ''),
        });
      }
    }
  } catch (e) {
    throw describeAwsError(e, { action: `describe the services on cluster ${cluster}`, region: aws.region, endpoint: aws.endpoint });
  }
  return states;
}

/** Start a new deployment of each service (same task definition), e.g. to pick up a rotated secret. */
export async function restartServices(aws: Aws, cluster: string, services: string[]): Promise<string[]> {
  const names: string[] = [];
  for (const service of services) {
    try {
      const out = await aws.ecs.send(new aws.sdk.ecs.UpdateServiceCommand({ cluster, service, forceNewDeployment: true }));
      names.push(out.service?.serviceName ?? service);
    } catch (e) {
      throw describeAwsError(e, { action: `restart service ${service} on cluster ${cluster}`, region: aws.region, endpoint: aws.endpoint });
    }
  }
  return names;
}

export interface RolloutOptions {
  timeoutSeconds?: number;
  signal?: AbortSignal;
  poll?: PollOptions;
}

/**
 * Wait until every service's primary deployment is COMPLETED. FAILED (the circuit breaker
 * rolled back) is an error that names the service and ECS's reason.
 */
export async function waitForRollout(aws: Aws, reporter: Reporter, cluster: string, services: string[], opts: RolloutOptions = {}): Promise<ServiceState[]> {
  const poller = new Poller({ timeoutSeconds: opts.timeoutSeconds, signal: opts.signal, poll: { intervalMs: 3000, ...opts.poll } });
  const last = new Map<string, string>();
  for (;;) {
    if (poller.aborted) throw interrupted('interrupted while waiting for the services to roll out; the deployment goes on in ECS');
    const states = await poller.call(() => describeServices(aws, cluster, services));
    for (const s of states) {
      const line = `${s.name}: ${s.rollout ?? 'no deployment'} (${s.running}/${s.desired} running${s.pending ? `, ${s.pending} pending` : ''}${s.failedTasks ? `, ${s.failedTasks} failed` : ''})`;
      if (last.get(s.name) !== line) reporter.progress(line);
      last.set(s.name, line);
    }
    const failed = states.find((s) => s.rollout === 'FAILED');
    if (failed) {
      throw new CyclopsError(
        `service ${failed.name}: the deployment failed and the circuit breaker rolled it back (${failed.rolloutReason ?? failed.events[0] ?? 'no reason given'}); check the app's logs and health check`,
        { exitCode: ExitCode.FAILED, code: 'rollout-failed', details: failed.events },
      );
    }
    if (states.length === services.length && states.every((s) => s.rollout === 'COMPLETED')) return states;
    if (poller.timedOut) {
      const pending = states.filter((s) => s.rollout !== 'COMPLETED').map((s) => `${s.name} ${s.rollout ?? 'unknown'} ${s.running}/${s.desired}`);
      throw failure(`services did not finish rolling out within ${poller.timeoutSeconds}s (${pending.join(', ')}); check "cyclops status" and the ECS console, or raise --timeout`);
    }
    await poller.wait();
  }
}

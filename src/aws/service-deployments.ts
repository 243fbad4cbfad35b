/**
 * ECS service deployments (the unit ECS rolls forward, bakes and rolls back), in cyclops's own types.
 * - ListServiceDeployments: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html
 * - DescribeServiceDeployments / ServiceDeployment (status, statusReason, lifecycleStage,
 *   alarms.triggeredAlarmNames, rollback.reason, targetServiceRevision weights):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
 * - StopServiceDeployment (stopType ROLLBACK): https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html
 */
import type { ServiceDeployment } from '@aws-sdk/client-ecs';
import type { Aws } from './client';
import { call } from './call';

export interface ServiceDeploymentRow {
  arn: string;
  /** PENDING | IN_PROGRESS | SUCCESSFUL | STOPPED | STOP_REQUESTED | ROLLBACK_REQUESTED | ROLLBACK_IN_PROGRESS | ROLLBACK_SUCCESSFUL | ROLLBACK_FAILED */
  status: string;
  statusReason?: string;
  /** RECONCILE_SERVICE, PRE_SCALE_UP, SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, CLEAN_UP */
  stage?: string;
  createdAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
  /** the new revision's tasks and its share of production and test traffic */
  target?: { running: number; requested: number; productionWeight?: number; testWeight?: number };
  /** ENABLED | TRIGGERED | MONITORING_COMPLETE | DISABLED, and the alarms that fired */
  alarms?: { status?: string; triggered: string[] };
  rollback?: { reason?: string; startedAt?: Date };
}

/** One ServiceDeployment in cyclops's terms (pure: unit-tested over AWS's documented shapes). */
export function deploymentRow(d: ServiceDeployment): ServiceDeploymentRow {
  const t = d.targetServiceRevision;
  return {
    arn: d.serviceDeploymentArn ?? '',
    status: d.status ?? 'PENDING',
    ...(d.statusReason ? { statusReason: d.statusReason } : {}),
    ...(d.lifecycleStage ? { stage: d.lifecycleStage } : {}),
    ...(d.createdAt ? { createdAt: d.createdAt } : {}),
    ...(d.startedAt ? { startedAt: d.startedAt } : {}),
    ...(d.finishedAt ? { finishedAt: d.finishedAt } : {}),
    ...(t
      ? {
          target: {
            running: t.runningTaskCount ?? 0,
            requested: t.requestedTaskCount ?? 0,
            ...(t.requestedProductionTrafficWeight !== undefined ? { productionWeight: t.requestedProductionTrafficWeight } : {}),
            ...(t.requestedTestTrafficWeight !== undefined ? { testWeight: t.requestedTestTrafficWeight } : {}),
          },
        }
      : {}),
    ...(d.alarms ? { alarms: { status: d.alarms.status, triggered: d.alarms.triggeredAlarmNames ?? [] } } : {}),
    ...(d.rollback ? { rollback: { reason: d.rollback.reason, startedAt: d.rollback.startedAt } } : {}),
  };
}

/** The service's newest deployment (created at or after `since` when given), described; null when none. */
export async function latestServiceDeployment(aws: Aws, cluster: string, service: string, since?: Date): Promise<ServiceDeploymentRow | null> {
  const list = await call(aws, `list the deployments of service ${service}`, () =>
    aws.ecs.send(new aws.sdk.ecs.ListServiceDeploymentsCommand({ cluster, service, ...(since ? { createdAt: { after: since } } : {}), maxResults: 5 })),
  );
  const newest = [...(list.serviceDeployments ?? [])].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
  if (!newest?.serviceDeploymentArn) return null;
  const out = await call(aws, `describe deployment ${newest.serviceDeploymentArn}`, () =>
    aws.ecs.send(new aws.sdk.ecs.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [newest.serviceDeploymentArn!] })),
  );
  const d = out.serviceDeployments?.[0];
  return d ? deploymentRow(d) : null;
}

/** Stops a deployment in flight and rolls the service back to the revision before it. */
export async function stopServiceDeployment(aws: Aws, arn: string): Promise<void> {
  await call(aws, `stop deployment ${arn}`, () => aws.ecs.send(new aws.sdk.ecs.StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' })));
}

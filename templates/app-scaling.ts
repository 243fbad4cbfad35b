/**
 * Application Auto Scaling of a process (a scalable target and target-tracking policies) and
 * the web service's deployment alarms (5xx rate and unhealthy targets). Pure.
 */
import type { AlarmsConfig, ProcessConfig } from '../src/config/model';
import { pascalName } from '../src/config/rules-processes';
import { alarmName, type Ids } from '../src/naming';
import { getAtt, join, ref, tagged, type Parameter, type Resource, type Value } from './cfn';

export const SCALE_IN_COOLDOWN = 300;
export const SCALE_OUT_COOLDOWN = 60;

/** The parameters holding an autoscaled process's bounds ("WebMin", "WebMax"). */
export const minParameter = (process: string) => `${pascalName(process)}Min`;
export const maxParameter = (process: string) => `${pascalName(process)}Max`;

export function scalingParameters(p: ProcessConfig): Record<string, Parameter> {
  const a = p.autoscaling!;
  return {
    [minParameter(p.name)]: { Type: 'Number', Default: a.min, MinValue: 0, MaxValue: 100, Description: `${p.name} autoscaling minimum tasks` },
    [maxParameter(p.name)]: { Type: 'Number', Default: a.max, MinValue: 1, MaxValue: 100, Description: `${p.name} autoscaling maximum tasks` },
  };
}

/**
 * The scalable target on the service's DesiredCount, and one target-tracking policy per
 * target. `requestLabel` is the ALB's resource label (load balancer + target group) for web.
 */
export function scalingResources(p: ProcessConfig, cluster: Value, service: string, requestLabel?: Value): Record<string, Resource> {
  const a = p.autoscaling!;
  const id = pascalName(p.name);
  const target = `${id}ScalableTarget`;
  const r: Record<string, Resource> = {
    [target]: {
      Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
      Properties: {
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        ResourceId: join('/', ['service', cluster, getAtt(service, 'Name')]),
        MinCapacity: ref(minParameter(p.name)),
        MaxCapacity: ref(maxParameter(p.name)),
      },
    },
  };
  const policy = (name: string, value: number, metric: Record<string, Value>) => {
    r[`${id}${name}ScalingPolicy`] = {
      Type: 'AWS::ApplicationAutoScaling::ScalingPolicy',
      Properties: {
        PolicyName: `${p.name}-${name.toLowerCase()}`,
        PolicyType: 'TargetTrackingScaling',
        ScalingTargetId: ref(target),
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: value,
          ScaleInCooldown: SCALE_IN_COOLDOWN,
          ScaleOutCooldown: SCALE_OUT_COOLDOWN,
          PredefinedMetricSpecification: metric,
        },
      },
    };
  };
  if (a.cpu !== undefined) policy('Cpu', a.cpu, { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' });
  if (a.memory !== undefined) policy('Memory', a.memory, { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' });
  if (a.requestsPerTarget !== undefined && requestLabel) {
    policy('Requests', a.requestsPerTarget, { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: requestLabel });
  }
  return r;
}

/** The names of the web service's deployment alarms, 5xx rate first (what `status` looks up). */
export const webAlarmNames = (ids: Ids & { env: string; app: string }): [string, string] => [
  alarmName(ids.platform, ids.env, ids.app, '5xx'),
  alarmName(ids.platform, ids.env, ids.app, 'unhealthy'),
];

/** The web service's two deployment alarms; their names go into DeploymentConfiguration.Alarms. `topic`: whom they notify on ALARM and OK. */
export function alarmResources(
  ids: Ids & { env: string; app: string },
  alarms: AlarmsConfig,
  loadBalancer: Value,
  targetGroup: Value,
  topic?: Value,
): { resources: Record<string, Resource>; names: string[] } {
  const dimensions = [
    { Name: 'LoadBalancer', Value: loadBalancer },
    { Name: 'TargetGroup', Value: targetGroup },
  ];
  const stat = (id: string, metric: string) => ({
    Id: id,
    ReturnData: false,
    MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: metric, Dimensions: dimensions }, Period: alarms.periodSeconds, Stat: 'Sum' },
  });
  const common = {
    EvaluationPeriods: alarms.evaluationPeriods,
    DatapointsToAlarm: alarms.evaluationPeriods,
    TreatMissingData: 'notBreaching',
    ...(topic ? { AlarmActions: [topic], OKActions: [topic] } : {}),
  };
  const [http5xx, unhealthy] = webAlarmNames(ids);
  return {
    names: [http5xx, unhealthy],
    resources: {
      WebHttp5xxAlarm: tagged('AWS::CloudWatch::Alarm', ids, {
        AlarmName: http5xx,
        AlarmDescription: `${ids.app} in ${ids.env}: more than ${alarms.http5xxPercent}% of requests answered 5xx by the tasks; rolls a deployment back`,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: alarms.http5xxPercent,
        Metrics: [
          stat('errors', 'HTTPCode_Target_5XX_Count'),
          stat('requests', 'RequestCount'),
          { Id: 'rate', Label: '5xx percent', ReturnData: true, Expression: 'IF(requests > 0, 100 * errors / requests, 0)' },
        ],
        ...common,
      }),
      WebUnhealthyAlarm: tagged('AWS::CloudWatch::Alarm', ids, {
        AlarmName: unhealthy,
        AlarmDescription: `${ids.app} in ${ids.env}: ${alarms.unhealthyHosts} or more unhealthy targets; rolls a deployment back`,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'UnHealthyHostCount',
        Dimensions: dimensions,
        Statistic: 'Maximum',
        Period: alarms.periodSeconds,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: alarms.unhealthyHosts,
        ...common,
      }),
    },
  };
}

/**
 * The app stack (one per environment and app). Parameters are the image and the
 * per-process counts only; everything else is baked in from config. Values of the env
 * stack come in through Fn::ImportValue, so the template renders offline and is identical
 * at deploy time.
 */
import { appHost, appUrl, envExport, ENV_OUTPUT, fqdn, logGroup, serviceName, taskFamily, type EnvOutputKey } from '../src/naming';
import type { AppConfig, ProcessConfig, ProcessKind } from '../src/config/model';
import { appSecrets, REDIS_TOKEN_VARS } from './secrets';
import { REDIS_PORT } from './data';
import {
  getAtt,
  importValue,
  keep,
  inlinePolicy,
  join,
  managedPolicy,
  output,
  partitionArn,
  ref,
  serviceRole,
  split,
  tagged,
  type Output,
  type Parameter,
  type Resource,
  type Template,
  type Value,
} from './cfn';

export interface AppInput {
  platform: string;
  env: string;
  app: AppConfig;
  domain: string;
  https: boolean;
  /** The environment has Redis: every process gets REDIS_URL. */
  redis?: boolean;
  capacity: 'fargate' | 'ec2';
  /** The app's allocated port: the listener-rule priority (unique per environment). */
  port: number;
  /** The app uses a database and the environment has one. */
  database: boolean;
  databaseSecretArn?: string;
}

/** Only the Image parameter's default; deploy always passes the real image. */
export const PLACEHOLDER_IMAGE = 'public.ecr.aws/nginx/nginx:stable';
export const LOG_RETENTION_DAYS = 30;
export const HEALTH_CHECK = { interval: 10, timeout: 5, healthy: 2, unhealthy: 3 };
export const DEREGISTRATION_DELAY_SECONDS = 15;
export const HEALTH_CHECK_GRACE_SECONDS = 60;
export const TARGET_GROUP_PORT = 80;
/** What the ECS Exec agent needs, and all the task role gets from `exec: true`. */
export const EXEC_ACTIONS = ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'];

const pascal = (kind: ProcessKind) => kind[0].toUpperCase() + kind.slice(1);
/** The Parameter holding a process's task count ("WebCount", "WorkerCount"). */
export const countParameter = (kind: 'web' | 'worker') => `${pascal(kind)}Count`;

const byName = (a: { Name: string }, b: { Name: string }) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0);

export function appTemplate(input: AppInput): Template {
  const { platform, env, app } = input;
  const ids = { platform, env, app: app.name };
  const imp = (key: EnvOutputKey) => importValue(envExport(platform, env, ENV_OUTPUT[key]));
  const fargate = input.capacity === 'fargate';
  const secrets = appSecrets({
    env,
    app: app.name,
    secrets: app.secrets,
    database: input.database,
    databaseSecretArn: input.databaseSecretArn,
    redisAuthSecret: input.redis && !REDIS_TOKEN_VARS.some((v) => v in app.env) ? imp('redisAuthSecretArn') : undefined,
  });
  const network = {
    AwsvpcConfiguration: {
      Subnets: split(',', imp('privateSubnets')),
      SecurityGroups: [imp('serviceSecurityGroup')],
      ...(fargate ? { AssignPublicIp: 'DISABLED' } : {}),
    },
  };

  const parameters: Record<string, Parameter> = {
    Image: { Type: 'String', Default: PLACEHOLDER_IMAGE, Description: 'container image for every process' },
  };
  const resources: Record<string, Resource> = {
    // Kept when the app is destroyed: its logs stay in this group until retention expires them.
    LogGroup: keep(tagged('AWS::Logs::LogGroup', ids, { LogGroupName: logGroup(platform, env, app.name), RetentionInDays: LOG_RETENTION_DAYS })),
    ExecutionRole: serviceRole(ids, 'ecs-tasks.amazonaws.com', {
      ManagedPolicyArns: [managedPolicy('service-role/AmazonECSTaskExecutionRolePolicy')],
      ...(secrets.statements.length ? { Policies: [inlinePolicy('read-app-secrets', secrets.statements)] } : {}),
    }),
    // ECS Exec (`exec: true`) is the only reason the task role has permissions: the SSM
    // message channels the exec agent in the container opens.
    TaskRole: serviceRole(ids, 'ecs-tasks.amazonaws.com', app.exec ? { Policies: [inlinePolicy('ecs-exec', [{ Effect: 'Allow', Action: EXEC_ACTIONS, Resource: '*' }])] } : undefined),
  };
  const outputs: Record<string, Output> = { LogGroupName: output(ref('LogGroup')) };

  const taskDefinition = (p: ProcessConfig): Resource => {
    const environment: { Name: string; Value: Value }[] = Object.entries(app.env).map(([Name, Value]) => ({ Name, Value }));
    if (p.kind === 'web' && !('PORT' in app.env)) environment.push({ Name: 'PORT', Value: String(p.port) });
    if (input.redis && !('REDIS_URL' in app.env)) {
      // TLS only; the AUTH token comes as the REDIS_AUTH_TOKEN / REDIS_PASSWORD secrets.
      environment.push({ Name: 'REDIS_URL', Value: join('', ['rediss://', imp('redisEndpoint'), `:${REDIS_PORT}`]) });
    }
    environment.sort(byName);
    return tagged('AWS::ECS::TaskDefinition', ids, {
      Family: taskFamily(platform, env, app.name, p.kind),
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: [fargate ? 'FARGATE' : 'EC2'],
      Cpu: String(p.cpu),
      Memory: String(p.memory),
      ExecutionRoleArn: getAtt('ExecutionRole', 'Arn'),
      TaskRoleArn: getAtt('TaskRole', 'Arn'),
      ContainerDefinitions: [
        {
          Name: p.kind,
          Image: ref('Image'),
          Essential: true,
          ...(p.command ? { Command: p.command } : {}),
          ...(p.kind === 'web' ? { PortMappings: [{ ContainerPort: p.port!, Protocol: 'tcp' }] } : {}),
          Environment: environment,
          Secrets: secrets.container,
          LogConfiguration: {
            LogDriver: 'awslogs',
            Options: { 'awslogs-group': ref('LogGroup'), 'awslogs-region': ref('AWS::Region'), 'awslogs-stream-prefix': p.kind },
          },
        },
      ],
    });
  };

  for (const p of app.processes) {
    const id = pascal(p.kind);
    resources[`${id}TaskDefinition`] = taskDefinition(p);
    if (p.kind === 'cron') {
      Object.assign(resources, cronSchedule(input, p, imp, network));
      continue;
    }
    const count = countParameter(p.kind);
    parameters[count] = { Type: 'Number', Default: p.count, MinValue: 0, MaxValue: 100, Description: `${p.kind} task count` };
    const web = p.kind === 'web';
    resources[`${id}Service`] = {
      ...tagged('AWS::ECS::Service', ids, {
        Cluster: imp('clusterName'),
        ServiceName: serviceName(app.name, p.kind),
        TaskDefinition: ref(`${id}TaskDefinition`),
        DesiredCount: ref(count),
        DeploymentConfiguration: {
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
        },
        NetworkConfiguration: network,
        PropagateTags: 'SERVICE',
        EnableECSManagedTags: true,
        ...(app.exec ? { EnableExecuteCommand: true } : {}),
        ...(web
          ? {
              HealthCheckGracePeriodSeconds: HEALTH_CHECK_GRACE_SECONDS,
              LoadBalancers: [{ ContainerName: 'web', ContainerPort: p.port!, TargetGroupArn: ref('WebTargetGroup') }],
            }
          : {}),
      }),
      ...(web ? { DependsOn: 'WebListenerRule' } : {}),
    };
    if (web) {
      Object.assign(resources, webRouting(input, imp));
      outputs.Url = output(appUrl(app.name, input.domain, input.https));
    }
  }

  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `cyclops app ${app.name} in environment ${env} of platform ${platform}`,
    Parameters: parameters,
    Resources: resources,
    Outputs: outputs,
  };
}

type Import = (key: EnvOutputKey) => Value;

/** Target group, host-header listener rule (priority = port) and the alias record APP.<domain>. */
function webRouting(input: AppInput, imp: Import): Record<string, Resource> {
  const ids = { platform: input.platform, env: input.env, app: input.app.name };
  const host = appHost(input.app.name, input.domain);
  return {
    WebTargetGroup: tagged('AWS::ElasticLoadBalancingV2::TargetGroup', ids, {
      TargetType: 'ip',
      Protocol: 'HTTP',
      // Create-only, and ECS registers each task at its container port anyway: a constant, so a
      // new web port does not replace the target group.
      Port: TARGET_GROUP_PORT,
      VpcId: imp('vpcId'),
      HealthCheckEnabled: true,
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: input.app.healthCheckPath,
      HealthCheckIntervalSeconds: HEALTH_CHECK.interval,
      HealthCheckTimeoutSeconds: HEALTH_CHECK.timeout,
      HealthyThresholdCount: HEALTH_CHECK.healthy,
      UnhealthyThresholdCount: HEALTH_CHECK.unhealthy,
      Matcher: { HttpCode: '200-399' },
      TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(DEREGISTRATION_DELAY_SECONDS) }],
    }),
    WebListenerRule: {
      Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
      Properties: {
        // Not AppListenerArn: its value changes when TLS is switched on, and an imported
        // export cannot change. Each of these keeps its value for as long as it exists.
        ListenerArn: imp(input.https ? 'httpsListenerArn' : 'httpListenerArn'),
        Priority: input.port,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [host] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: ref('WebTargetGroup') }],
      },
    },
    WebDnsRecord: {
      Type: 'AWS::Route53::RecordSet',
      Properties: {
        HostedZoneId: imp('hostedZoneId'),
        Name: fqdn(host),
        Type: 'A',
        AliasTarget: { DNSName: imp('loadBalancerDnsName'), HostedZoneId: imp('loadBalancerHostedZoneId'), EvaluateTargetHealth: false },
      },
    },
  };
}

/** The cron process: an EventBridge rule that runs the task on the cluster, and its role. */
function cronSchedule(input: AppInput, cron: ProcessConfig, imp: Import, network: Record<string, unknown>): Record<string, Resource> {
  const ids = { platform: input.platform, env: input.env, app: input.app.name };
  const family = taskFamily(input.platform, input.env, input.app.name, 'cron');
  return {
    CronRole: serviceRole(ids, 'events.amazonaws.com', {
      Policies: [
        inlinePolicy('run-cron-task', [
          {
            Effect: 'Allow',
            Action: 'ecs:RunTask',
            Resource: partitionArn(`ecs:\${AWS::Region}:\${AWS::AccountId}:task-definition/${family}:*`),
            Condition: { ArnEquals: { 'ecs:cluster': imp('clusterArn') } },
          },
          { Effect: 'Allow', Action: 'iam:PassRole', Resource: [getAtt('ExecutionRole', 'Arn'), getAtt('TaskRole', 'Arn')] },
        ]),
      ],
    }),
    CronRule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: `cron for ${input.app.name} in ${input.env}`,
        ScheduleExpression: cron.schedule!,
        State: 'ENABLED',
        Targets: [
          {
            Id: 'cron',
            Arn: imp('clusterArn'),
            RoleArn: getAtt('CronRole', 'Arn'),
            EcsParameters: {
              TaskDefinitionArn: ref('CronTaskDefinition'),
              TaskCount: 1,
              NetworkConfiguration: { AwsVpcConfiguration: (network as { AwsvpcConfiguration: Value }).AwsvpcConfiguration },
            },
          },
        ],
      },
    },
  };
}

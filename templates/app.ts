/**
 * The app stack (one per environment and app). Parameters are the image and the
 * per-process counts only; everything else is baked in from config. Values of the env
 * stack come in through Fn::ImportValue, so the template renders offline and is identical
 * at deploy time.
 */
import { appUrl, envExport, ENV_OUTPUT, LOG_RETENTION_DAYS, logGroup, serviceName, taskFamily, type EnvOutputKey } from '../src/naming';
import type { AppConfig, ProcessConfig, SidecarConfig } from '../src/config/model';
import { pascalName } from '../src/config/rules-processes';
import { APP_SECURITY_GROUP, isSingleton, taskVolumes, volumeConditions, volumeParameters, volumeResources, volumeStatements } from './app-volumes';
import { alarmResources, scalingParameters, scalingResources } from './app-scaling';
import { discoveryResource, serviceRegistries, webRouting } from './app-routing';
import { addProgressiveWeb, advancedConfiguration, isProgressive, strategyConfiguration } from './app-deployment';
import { appSecrets, REDIS_TOKEN_VARS } from './secrets';
import { appEmail, type AppEmail } from './app-email';
import { runtimePlatform } from './app-arch';
import { heldCount, heldState, holdConditions, holdParameter, holds, whenServing } from './app-hold';
import { domainResources, externalCertificate } from './app-domains';
import type { ResolvedDomain } from '../src/config/domains';
import { REDIS_PORT } from './data';
import {
  getAtt,
  importValue,
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
  /** the environment has notifications: the deployment alarms notify its topic (the env stack's export) */
  notifications?: boolean;
  /** the environment's availability zones (one private subnet each): EFS mount targets */
  zones?: number;
  /** the priority of the 403 rule behind `allow` (see plan: unique per listener) */
  denyPriority?: number;
  /** the priority of the test-traffic rule of a blue/green, canary or linear app (see plan) */
  testPriority?: number;
  /** URLs of the internal services the app lists in `uses`: variable name → URL */
  uses?: Record<string, string>;
  /** the app sends as the environment's SES identity (config: apps.<app>.email) */
  email?: { smtp: boolean };
  /** custom domains with their zones, and the listener rules all host names take (see plan) */
  domains?: { resolved: ResolvedDomain[]; rules: { hosts: string[][]; forward: number[]; deny: number[] } };
}

/** Only the Image parameter's default; deploy always passes the real image. */
export const PLACEHOLDER_IMAGE = 'public.ecr.aws/nginx/nginx:stable';
export { LOG_RETENTION_DAYS };
export const HEALTH_CHECK_GRACE_SECONDS = 60;
export { HEALTH_CHECK, DEREGISTRATION_DELAY_SECONDS, TARGET_GROUP_PORT } from './app-routing';
/** What the ECS Exec agent needs, and all the task role gets from `exec: true`. */
export const EXEC_ACTIONS = ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'];

/** The Parameter holding a process's task count ("WebCount", "WorkerCount", "SearchApiCount"). */
export const countParameter = (process: string) => `${pascalName(process)}Count`;

const byName = (a: { Name: string }, b: { Name: string }) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0);

/** The task role's inline policies: volume mounts, ECS Exec and sending email, nothing else. */
function taskRolePolicies(app: AppConfig, email: AppEmail | null): { Policies?: ReturnType<typeof inlinePolicy>[] } {
  const policies = [
    ...(volumeStatements(app).length ? [inlinePolicy('mount-app-volumes', volumeStatements(app))] : []),
    ...(app.exec ? [inlinePolicy('ecs-exec', [{ Effect: 'Allow', Action: EXEC_ACTIONS, Resource: '*' }])] : []),
    ...(email ? [inlinePolicy('send-email', email.sendStatements)] : []),
  ];
  return policies.length ? { Policies: policies } : {};
}

export function appTemplate(input: AppInput): Template {
  const { platform, env, app } = input;
  const ids = { platform, env, app: app.name };
  const imp = (key: EnvOutputKey) => importValue(envExport(platform, env, ENV_OUTPUT[key]));
  const fargate = input.capacity === 'fargate';
  const secrets = appSecrets({
    platform,
    env,
    app: app.name,
    secrets: app.secrets,
    database: input.database,
    databaseSecretArn: input.databaseSecretArn,
    redisAuthSecret: input.redis && !REDIS_TOKEN_VARS.some((v) => v in app.env) ? imp('redisAuthSecretArn') : undefined,
  });
  const email = input.email
    ? appEmail({ platform, env, app: app.name, smtp: input.email.smtp, domain: imp('emailDomain'), configurationSet: imp('emailConfigurationSet') })
    : null;
  if (email) {
    secrets.container.push(...email.secrets);
    secrets.container.sort(byName);
    secrets.statements.push(...email.readStatements);
  }
  // Volumes and internal services need the app's own task security group next to the env's.
  const internals = app.processes.filter((p) => p.kind === 'internal');
  const ownGroup = internals.length > 0 || app.processes.some((p) => p.volumes.length);
  const network = {
    AwsvpcConfiguration: {
      Subnets: split(',', imp('privateSubnets')),
      SecurityGroups: ownGroup ? [imp('serviceSecurityGroup'), getAtt(APP_SECURITY_GROUP, 'GroupId')] : [imp('serviceSecurityGroup')],
      ...(fargate ? { AssignPublicIp: 'DISABLED' } : {}),
    },
  };

  const parameters: Record<string, Parameter> = {
    Image: { Type: 'String', Default: PLACEHOLDER_IMAGE, Description: 'container image for every process' },
  };
  const resources: Record<string, Resource> = {
    ExecutionRole: serviceRole(ids, 'ecs-tasks.amazonaws.com', {
      ManagedPolicyArns: [managedPolicy('service-role/AmazonECSTaskExecutionRolePolicy')],
      ...(secrets.statements.length ? { Policies: [inlinePolicy('read-app-secrets', secrets.statements)] } : {}),
    }),
    // The task role's only permissions: mounting the app's volumes, and the SSM message
    // channels the ECS Exec agent opens (`exec: true`).
    TaskRole: serviceRole(ids, 'ecs-tasks.amazonaws.com', taskRolePolicies(app, email)),
  };
  // The log group is cyclops's, not the stack's (deploy creates it first, src/aws/loggroups.ts):
  // it outlives the stack, and a stack that created it could not be created again after a destroy.
  const group = logGroup(platform, env, app.name);
  const outputs: Record<string, Output> = { LogGroupName: output(group) };
  if (ownGroup) resources[APP_SECURITY_GROUP] = appSecurityGroup(ids, internals, imp);
  const volumes = volumeResources({ ids, app, zones: input.zones ?? 2, privateSubnets: split(',', imp('privateSubnets')), vpcId: imp('vpcId') });
  Object.assign(resources, volumes.resources);
  Object.assign(parameters, volumeParameters(app));
  const conditions = volumeConditions(app);
  const hold = holds(app);
  if (hold) {
    Object.assign(parameters, holdParameter());
    Object.assign(conditions, holdConditions(app.processes.some((p) => p.autoscaling)));
  }

  const taskDefinition = (p: ProcessConfig): Resource => {
    const environment: { Name: string; Value: Value }[] = Object.entries(app.env).map(([Name, Value]) => ({ Name, Value }));
    if (p.port !== undefined && !('PORT' in app.env)) environment.push({ Name: 'PORT', Value: String(p.port) });
    if (input.redis && !('REDIS_URL' in app.env)) {
      // TLS only; the AUTH token comes as the REDIS_AUTH_TOKEN / REDIS_PASSWORD secrets.
      environment.push({ Name: 'REDIS_URL', Value: join('', ['rediss://', imp('redisEndpoint'), `:${REDIS_PORT}`]) });
    }
    for (const [Name, Value] of Object.entries(input.uses ?? {})) if (!(Name in app.env)) environment.push({ Name, Value });
    if (email) environment.push(...email.environment);
    environment.sort(byName);
    const logs = (prefix: string) => ({
      LogDriver: 'awslogs',
      Options: { 'awslogs-group': group, 'awslogs-region': ref('AWS::Region'), 'awslogs-stream-prefix': prefix },
    });
    const { Volumes, MountPoints } = taskVolumes(p.volumes);
    return tagged('AWS::ECS::TaskDefinition', ids, {
      Family: taskFamily(platform, env, app.name, p.name),
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: [fargate ? 'FARGATE' : 'EC2'],
      Cpu: String(p.cpu),
      Memory: String(p.memory),
      ...runtimePlatform(p.arch),
      ExecutionRoleArn: getAtt('ExecutionRole', 'Arn'),
      TaskRoleArn: getAtt('TaskRole', 'Arn'),
      ...(Volumes ? { Volumes } : {}),
      ContainerDefinitions: [
        {
          Name: p.name,
          Image: ref('Image'),
          Essential: true,
          ...(p.command ? { Command: p.command } : {}),
          ...(p.port !== undefined ? { PortMappings: [{ ContainerPort: p.port, Protocol: 'tcp' }] } : {}),
          Environment: environment,
          Secrets: secrets.container,
          ...(MountPoints ? { MountPoints } : {}),
          LogConfiguration: logs(p.name),
        },
        ...p.sidecars.map((c) => sidecar(c, logs(`${p.name}-${c.name}`))),
      ],
    });
  };

  const web = app.processes.find((p) => p.kind === 'web');
  const alarms = web && app.alarms ? alarmResources({ ...ids, env }, app.alarms, imp('loadBalancerFullName'), getAtt('WebTargetGroup', 'TargetGroupFullName'), input.notifications ? imp('notificationTopicArn') : undefined) : null;
  if (alarms) Object.assign(resources, alarms.resources);
  for (const p of app.processes) {
    if (p.kind === 'release') continue; // the release phase runs as a one-off task, never a service
    const id = pascalName(p.name);
    resources[`${id}TaskDefinition`] = taskDefinition(p);
    if (p.kind === 'cron') {
      Object.assign(resources, cronSchedule(input, p, imp, network, hold));
      continue;
    }
    const isWeb = p.kind === 'web';
    const scaled = !!p.autoscaling;
    if (scaled) {
      // No DesiredCount: CloudFormation then keeps the count autoscaling set on every update.
      Object.assign(parameters, scalingParameters(p));
      const label = isWeb ? join('/', [imp('loadBalancerFullName'), getAtt('WebTargetGroup', 'TargetGroupFullName')]) : undefined;
      const scaling = scalingResources(p, imp('clusterName'), `${id}Service`, label);
      Object.assign(resources, hold ? whenServing(scaling) : scaling);
    } else {
      const count = countParameter(p.name);
      parameters[count] = { Type: 'Number', Default: p.count, MinValue: 0, MaxValue: 100, Description: `${p.name} task count` };
    }
    if (p.kind === 'internal') Object.assign(resources, discoveryResource(ids, p, imp));
    // A writable volume: never two copies at once (stop the old task, then start the new one).
    const singleton = isSingleton(p);
    // A blue/green web service names the rule in AdvancedConfiguration (a Ref: the dependency already).
    const dependsOn = [...(isWeb && !isProgressive(app.deployment) ? ['WebListenerRule'] : []), ...(p.volumes.length ? volumes.mountTargets : [])];
    resources[`${id}Service`] = {
      ...tagged('AWS::ECS::Service', ids, {
        Cluster: imp('clusterName'),
        ServiceName: serviceName(app.name, p.name),
        TaskDefinition: ref(`${id}TaskDefinition`),
        ...(hold ? { DesiredCount: heldCount(scaled ? undefined : ref(countParameter(p.name))) } : scaled ? {} : { DesiredCount: ref(countParameter(p.name)) }),
        DeploymentConfiguration: {
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
          MinimumHealthyPercent: singleton ? 0 : 100,
          MaximumPercent: singleton ? 100 : 200,
          ...(isWeb && alarms ? { Alarms: { AlarmNames: alarms.names, Enable: true, Rollback: true } } : {}),
          ...(isWeb ? strategyConfiguration(app.deployment) : {}),
        },
        NetworkConfiguration: network,
        PropagateTags: 'SERVICE',
        EnableECSManagedTags: true,
        ...(p.kind === 'internal' ? { ServiceRegistries: serviceRegistries(p) } : {}),
        ...(app.exec ? { EnableExecuteCommand: true } : {}),
        ...(isWeb
          ? {
              HealthCheckGracePeriodSeconds: HEALTH_CHECK_GRACE_SECONDS,
              LoadBalancers: [{ ContainerName: 'web', ContainerPort: p.port!, TargetGroupArn: ref('WebTargetGroup'), ...advancedConfiguration(app.deployment) }],
            }
          : {}),
      }),
      ...(dependsOn.length === 1 ? { DependsOn: dependsOn[0] } : dependsOn.length ? { DependsOn: dependsOn } : {}),
    };
    if (isWeb) {
      const routing = {
        ids,
        domain: input.domain,
        https: input.https,
        healthCheckPath: app.healthCheckPath,
        priority: input.port,
        allow: app.allow,
        denyPriority: input.denyPriority,
        ...(input.domains ? { rules: input.domains.rules } : {}),
      };
      Object.assign(resources, webRouting(routing, imp));
      if (isProgressive(app.deployment)) {
        addProgressiveWeb({ parameters, resources, outputs }, { ids, deployment: app.deployment, healthCheckPath: app.healthCheckPath, testPriority: input.testPriority ?? 0, imp });
      }
      if (input.domains) {
        Object.assign(resources, domainResources(ids, input.domains.resolved, input.https, imp));
        const external = externalCertificate(input.domains.resolved, input.https, imp);
        Object.assign(parameters, external.parameters);
        Object.assign(conditions, external.conditions);
        Object.assign(resources, external.resources);
      }
      outputs.Url = output(appUrl(app.name, input.domain, input.https));
    }
  }

  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `cyclops app ${app.name} in environment ${env} of platform ${platform}`,
    Parameters: parameters,
    ...(Object.keys(conditions).length ? { Conditions: conditions } : {}),
    Resources: resources,
    Outputs: outputs,
  };
}

type Import = (key: EnvOutputKey) => Value;

/** A sidecar: another container of the task, with its own image (or the app's) and log prefix. */
function sidecar(c: SidecarConfig, logs: Value): Record<string, Value> {
  return {
    Name: c.name,
    Image: c.image ?? ref('Image'),
    Essential: c.essential,
    ...(c.command ? { Command: c.command } : {}),
    ...(c.port !== undefined ? { PortMappings: [{ ContainerPort: c.port, Protocol: 'tcp' }] } : {}),
    Environment: Object.entries(c.env).map(([Name, Value]) => ({ Name, Value })).sort(byName),
    LogConfiguration: logs,
  };
}

/** The app's own task security group: internal ports open to the environment's tasks; the volumes' NFS group trusts it. */
function appSecurityGroup(ids: { platform: string; env: string; app: string }, internals: ProcessConfig[], imp: Import): Resource {
  return tagged('AWS::EC2::SecurityGroup', ids, {
    GroupDescription: `tasks of ${ids.app}`,
    VpcId: imp('vpcId'),
    SecurityGroupIngress: internals.map((p) => ({
      IpProtocol: 'tcp',
      FromPort: p.port!,
      ToPort: p.port!,
      SourceSecurityGroupId: imp('serviceSecurityGroup'),
      Description: `${p.name} from the environment's tasks`,
    })),
  });
}

/** The cron process: an EventBridge rule that runs the task on the cluster, and its role. */
function cronSchedule(input: AppInput, cron: ProcessConfig, imp: Import, network: Record<string, unknown>, hold: boolean): Record<string, Resource> {
  const ids = { platform: input.platform, env: input.env, app: input.app.name };
  const family = taskFamily(input.platform, input.env, input.app.name, cron.name);
  const id = pascalName(cron.name);
  return {
    [`${id}Role`]: serviceRole(ids, 'events.amazonaws.com', {
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
    [`${id}Rule`]: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: `${cron.name === 'cron' ? 'cron' : `cron ${cron.name}`} for ${input.app.name} in ${input.env}`,
        ScheduleExpression: cron.schedule!,
        State: hold ? heldState() : 'ENABLED',
        Targets: [
          {
            Id: cron.name,
            Arn: imp('clusterArn'),
            RoleArn: getAtt(`${id}Role`, 'Arn'),
            EcsParameters: {
              TaskDefinitionArn: ref(`${id}TaskDefinition`),
              TaskCount: 1,
              NetworkConfiguration: { AwsVpcConfiguration: (network as { AwsvpcConfiguration: Value }).AwsvpcConfiguration },
            },
          },
        ],
      },
    },
  };
}

/**
 * The environment's notifications: an SNS topic (or the one config names), its email and
 * HTTPS subscriptions, and an EventBridge rule that sends it the ECS deployment state changes
 * of the environment's services that need a human: a failed deployment and a rollback. Pure.
 *
 * Event shape (source, detail-type, resources holding the service ARN, detail.eventName,
 * deploymentId, reason): "Amazon ECS service deployment state change events",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_deployment_events.html
 * A rollback is a SERVICE_DEPLOYMENT_IN_PROGRESS event whose reason says "rolling back to …".
 */
import { clusterName, deploymentEventsRuleName, notificationTopicName, type Ids } from '../src/naming';
import type { NotificationsConfig } from '../src/config/model';
import { getAtt, partitionArn, ref, sub, tagged, type Resource, type Value } from './cfn';

/** The event names the rule forwards (the rollback ones are IN_PROGRESS events with a rollback reason). */
export const DEPLOYMENT_FAILED = 'SERVICE_DEPLOYMENT_FAILED';
export const DEPLOYMENT_IN_PROGRESS = 'SERVICE_DEPLOYMENT_IN_PROGRESS';
export const ROLLBACK_REASON = '*rolling back*';

/** The rule's event pattern: this environment's services only (their ARNs name the cluster). */
export function deploymentEventPattern(ids: Ids & { env: string }): Value {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Deployment State Change'],
    resources: [{ prefix: sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:service/${clusterName(ids.platform, ids.env)}/`) }],
    detail: {
      $or: [{ eventName: [DEPLOYMENT_FAILED] }, { eventName: [DEPLOYMENT_IN_PROGRESS], reason: [{ wildcard: ROLLBACK_REASON }] }],
    },
  };
}

/** What subscribers read: environment, service (its ARN ends in <app>-<process>), event, deployment and ECS's reason. */
export function deploymentMessage(env: string): Value {
  return {
    InputPathsMap: { service: '$.resources[0]', event: '$.detail.eventName', deployment: '$.detail.deploymentId', reason: '$.detail.reason', time: '$.time' },
    InputTemplate: `"cyclops environment ${env}: <event> for service <service>, deployment <deployment>, at <time>. Reason: <reason>"`,
  };
}

export interface EnvNotifications {
  resources: Record<string, Resource>;
  /** the topic's ARN: the stack exports it, app stacks' alarms notify it */
  topicArn: Value;
}

export function notificationResources(ids: Ids & { env: string }, n: NotificationsConfig): EnvNotifications {
  const r: Record<string, Resource> = {};
  const topicArn: Value = n.snsTopicArn ?? ref('NotificationTopic');
  if (!n.snsTopicArn) {
    r.NotificationTopic = tagged('AWS::SNS::Topic', ids, { TopicName: notificationTopicName(ids.platform, ids.env), DisplayName: `cyclops ${ids.env}` });
    // Who may publish: this rule (EventBridge) and CloudWatch alarms of this account. A topic
    // config names is the owner's to allow (see docs/notifications.md).
    r.NotificationTopicPolicy = {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [topicArn],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DeploymentEvents',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: topicArn,
              Condition: { ArnEquals: { 'aws:SourceArn': getAtt('DeploymentEventsRule', 'Arn') } },
            },
            {
              Sid: 'DeploymentAlarms',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: topicArn,
              Condition: { ArnLike: { 'aws:SourceArn': partitionArn('cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*') } },
            },
          ],
        },
      },
    };
  }
  n.email.forEach((address, i) => {
    r[`NotificationEmail${i}`] = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: topicArn, Protocol: 'email', Endpoint: address } };
  });
  if (n.webhook) r.NotificationWebhook = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: topicArn, Protocol: 'https', Endpoint: n.webhook } };
  r.DeploymentEventsRule = {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: deploymentEventsRuleName(ids.platform, ids.env),
      Description: `failed deployments and rollbacks of the services of environment ${ids.env}`,
      State: 'ENABLED',
      EventPattern: deploymentEventPattern(ids),
      Targets: [{ Id: 'notifications', Arn: topicArn, InputTransformer: deploymentMessage(ids.env) }],
    },
  };
  return { resources: r, topicArn };
}

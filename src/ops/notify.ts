/**
 * `cyclops notify test ENV`: one message to the environment's notification topic, so whoever
 * set up `environments.<env>.notifications` sees that it reaches them. The topic's ARN comes
 * from the environment stack's output (the topic it made, or the one config names), so the
 * message goes where alarms and deployment events go. Writes nothing but the message.
 */
import { usageError } from '../errors';
import { ENV_OUTPUT, envStack } from '../naming';
import { now, type Ops } from './context';
import type { Target } from '../plan/target';

export interface NotifyTestResult {
  env: string;
  topicArn: string;
  messageId: string;
  subject: string;
  /** the subscribers config names; the webhook by its host only (its path may carry a token) */
  email: string[];
  webhookHost: string | null;
  /** email and HTTPS subscribers receive nothing until they confirm (SNS sends them a confirmation) */
  confirmation: string;
}

export const CONFIRMATION_NOTE =
  'email and HTTPS subscribers receive nothing until they confirm: SNS sent each a confirmation message when the stack subscribed it; the recipient follows its link (an HTTPS endpoint must answer the SubscriptionConfirmation request)';

export async function notifyTest(ops: Ops, t: Target): Promise<NotifyTestResult> {
  const n = ops.config.environments[t.env].notifications;
  if (!n) {
    throw usageError(
      `environment ${t.env}: no notifications configured; add "notifications": {"email": ["ops@example.com"]} under environments.${t.env} in config.json and run "cyclops env update ${t.env}"`,
    );
  }
  const stackName = envStack(t.platform, t.env);
  const s = await ops.stacks.describe(stackName);
  if (!s) throw usageError(`environment ${t.env}: stack ${stackName} does not exist; create it with "cyclops env create ${t.env}"`);
  const topicArn = s.outputs[ENV_OUTPUT.notificationTopicArn];
  if (!topicArn) {
    throw usageError(`environment ${t.env}: stack ${stackName} has no notification topic yet; apply the notifications in config.json with "cyclops env update ${t.env}"`);
  }
  const sentAt = new Date(now(ops)).toISOString();
  const subject = `cyclops ${t.platform}/${t.env}: test notification`;
  const message = [
    `This is a test notification from cyclops for environment ${t.env} of platform ${t.platform}, sent at ${sentAt} by "cyclops notify test ${t.env}".`,
    'Failed deployments, rollbacks and the deployment alarms of the apps in this environment are sent here.',
  ].join('\n');
  const messageId = await ops.notifications.publish(topicArn, subject, message);
  return {
    env: t.env,
    topicArn,
    messageId,
    subject,
    email: n.email,
    webhookHost: n.webhook ? new URL(n.webhook).host : null,
    confirmation: CONFIRMATION_NOTE,
  };
}

/** SNS, in cyclops's own types: publishing to an environment's notification topic. */
import type { Aws } from './client';
import { call } from './call';

/** Publishes one message (its subject shows in email subscribers' inboxes); returns SNS's message id. */
export async function publish(aws: Aws, topicArn: string, subject: string, message: string): Promise<string> {
  const r = await call(aws, `publish to the SNS topic ${topicArn}`, () =>
    aws.sns.send(new aws.sdk.sns.PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message })),
  );
  return r.MessageId ?? '';
}

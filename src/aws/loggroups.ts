/**
 * App log groups, made by cyclops rather than by the app stack: a group outlives its stack
 * (logs stay after `destroy`), so a stack that created it could never be created again under
 * the same fixed name. Creating is idempotent; the retention is (re)applied every time.
 */
import type { Aws } from './client';
import { call, callOr } from './call';
import { awsErrorName } from './errors';

export async function ensureLogGroup(aws: Aws, name: string, retentionDays: number, tags: Record<string, string>): Promise<'created' | 'exists'> {
  const made = await callOr(
    aws,
    `create log group ${name}`,
    () => aws.logs.send(new aws.sdk.logs.CreateLogGroupCommand({ logGroupName: name, tags })),
    (e) => (awsErrorName(e) === 'ResourceAlreadyExistsException' ? ('exists' as const) : undefined),
  );
  await call(aws, `set the retention of log group ${name}`, () =>
    aws.logs.send(new aws.sdk.logs.PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: retentionDays })),
  );
  return made === 'exists' ? 'exists' : 'created';
}

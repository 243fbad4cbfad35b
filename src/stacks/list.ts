/** Finding stacks: the app stacks of an environment. */
import type { Aws } from '../aws/client';
import { describeAwsError } from '../aws/errors';
import { TAG_APP, TAG_ENV, TAG_PLATFORM, appStack } from '../naming';
import { toSummary, type StackSummary } from './outputs';

export interface AppStack extends StackSummary {
  app: string;
}

/**
 * The live app stacks of one environment. A stack counts when its name has the env's app
 * prefix AND its cyclops tags name this platform and env and an app: the prefix alone is
 * not enough ("acme-staging-" also starts "acme-staging-2", another env's stack).
 */
export async function listAppStacks(aws: Aws, platform: string, env: string): Promise<AppStack[]> {
  const prefix = appStack(platform, env, '');
  const found: AppStack[] = [];
  let token: string | undefined;
  try {
    do {
      const out = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ NextToken: token }));
      for (const s of out.Stacks ?? []) {
        if (!s.StackName?.startsWith(prefix) || s.StackStatus === 'DELETE_COMPLETE') continue;
        const summary = toSummary(s);
        const app = summary.tags[TAG_APP];
        if (summary.tags[TAG_PLATFORM] !== platform || summary.tags[TAG_ENV] !== env || !app || app === '-') continue;
        found.push({ ...summary, app });
      }
      token = out.NextToken;
    } while (token);
  } catch (e) {
    throw describeAwsError(e, { action: `list the app stacks of environment ${env}`, region: aws.region, endpoint: aws.endpoint });
  }
  return found.sort((a, b) => a.app.localeCompare(b.app));
}

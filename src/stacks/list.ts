/** Finding stacks: the app stacks of an environment. */
import type { Aws } from '../aws/client';
import { listStacks } from '../aws/cloudformation';
import { TAG_APP, TAG_ENV, TAG_PLATFORM, appStack } from '../naming';
import type { StackSummary } from './outputs';

export interface AppStack extends StackSummary {
  app: string;
}

/**
 * The live app stacks of one environment. A stack counts when its name has the env's app
 * prefix AND its cyclops tags name this platform and env and an app: the prefix alone is
 * not enough ("acme-staging-" also starts "acme-staging-2", another env's stack).
 */
export async function listAppStacks(aws: Aws, platform: string, env: string): Promise<AppStack[]> {
  const stacks = await listStacks(aws, appStack(platform, env, ''), `list the app stacks of environment ${env}`);
  const found: AppStack[] = [];
  for (const summary of stacks) {
    const app = summary.tags[TAG_APP];
    if (summary.tags[TAG_PLATFORM] !== platform || summary.tags[TAG_ENV] !== env || !app || app === '-') continue;
    found.push({ ...summary, app });
  }
  return found.sort((a, b) => a.app.localeCompare(b.app));
}

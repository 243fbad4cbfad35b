/**
 * Render → push to the config bucket (content-addressed) → create/update the stack. The one
 * path every config-driven stack takes: platform, environments and apps.
 */
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { tags, type Ids } from '../naming';
import type { Reporter } from '../report/reporter';
import { applyStack, type ApplyResult, type Parameter } from '../stacks';
import { pushTemplate, type PushResult } from '../store';

export interface ApplyTemplateInput {
  kind: 'platform' | 'cluster' | 'app';
  ids: Ids;
  stackName: string;
  body: string;
  parameters?: Parameter[];
  dryRun?: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

/** IAM roles in our templates have generated names; NAMED_IAM covers the platform's named ones. */
const CAPABILITIES: ('CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM')[] = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'];

export async function applyTemplate(
  deps: { aws: Aws; config: Config; reporter: Reporter },
  input: ApplyTemplateInput,
): Promise<{ pushed: PushResult; result: ApplyResult }> {
  const { aws, config, reporter } = deps;
  // A dry run uploads the template too: the change set reads it from the bucket. The key is
  // content-addressed, so this adds at most one immutable object; the "latest" pointer that
  // `config read` follows is left alone.
  const pushed = await pushTemplate(aws, config, input.kind, input.ids, input.body, { pointer: !input.dryRun });
  reporter.debug(`template ${pushed.key} (${pushed.changed ? 'uploaded' : 'already there'})`);
  const result = await applyStack(aws, reporter, {
    stackName: input.stackName,
    templateUrl: pushed.url,
    templateBody: input.body,
    parameters: input.parameters,
    tags: tags(input.ids),
    capabilities: CAPABILITIES,
    dryRun: input.dryRun,
    timeoutSeconds: input.timeoutSeconds,
    signal: input.signal,
  });
  return { pushed, result };
}

/**
 * Render → push to the config bucket (content-addressed) → create/update the stack. The one
 * path every config-driven stack takes: platform, environments and apps.
 */
import type { Deadline } from '../deadline';
import { say } from '../events';
import { tags, type Ids, type TemplateKind } from '../naming';
import type { ApplyResult, Parameter } from '../stacks';
import type { PushResult } from '../store';
import { announceAdoptions, retainedToAdopt, type Adoption } from './adopt';
import type { Ops } from './context';
import { passThroughWeights } from './traffic';

export interface ApplyTemplateInput {
  kind: TemplateKind;
  ids: Ids;
  stackName: string;
  body: string;
  parameters?: Parameter[];
  dryRun?: boolean;
  timeoutSeconds?: number;
  /** the command's one deadline (wins over timeoutSeconds) */
  deadline?: Deadline;
  /** logical ids the change-safety guard lets be replaced or removed (--allow-replace) */
  allowReplace?: string[];
  signal?: AbortSignal;
  /** called between the upload and the stack change (a lease check) */
  checkpoint?: () => void;
  /** runs after the change-safety guard passed, before the stack changes (the release phase) */
  beforeExecute?: () => Promise<void>;
}

/** IAM roles in our templates have generated names; NAMED_IAM covers the platform's named ones. */
const CAPABILITIES: ('CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM')[] = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'];

export async function applyTemplate(ops: Ops, input: ApplyTemplateInput): Promise<{ pushed: PushResult; result: ApplyResult; adopted: Adoption[] }> {
  // Reads only, before the first write: retained resources the template names again are imported.
  const adopted = await retainedToAdopt(ops, input.stackName, input.body);
  announceAdoptions(ops, input.stackName, adopted, !!input.dryRun);
  // A dry run uploads the template too: the change set reads it from the bucket. The key is
  // content-addressed, so this adds at most one immutable object; the "latest" pointer that
  // `config read` follows is left alone.
  const pushed = await ops.store.pushTemplate(input.kind, input.ids, input.body, { pointer: !input.dryRun });
  say.debug(ops.events, 'template.pushed', { key: pushed.key, uploaded: pushed.changed }, `template ${pushed.key} (${pushed.changed ? 'uploaded' : 'already there'})`);
  input.checkpoint?.();
  // Env and app stacks run as the platform's service role; the platform (and account) stack runs with
  // the operator's credentials, so an update can never take away the role's own permissions.
  const roleArn = input.kind === 'platform' || input.kind === 'account' ? undefined : await ops.stacks.serviceRole();
  // A blue/green, canary or linear app: the live traffic weights, never the template's (src/ops/traffic.ts).
  const parameters = input.kind === 'app' ? await passThroughWeights(ops, input.stackName, input.body, input.parameters) : input.parameters;
  const result = await ops.stacks.apply({
    stackName: input.stackName,
    templateUrl: pushed.url,
    templateBody: input.body,
    parameters,
    tags: tags(input.ids),
    capabilities: CAPABILITIES,
    roleArn,
    dryRun: input.dryRun,
    timeoutSeconds: input.timeoutSeconds,
    ...(input.deadline ? { deadline: input.deadline } : {}),
    allowReplace: input.allowReplace,
    signal: input.signal ?? ops.signal,
    ...(input.beforeExecute ? { beforeExecute: input.beforeExecute } : {}),
    ...(adopted.length ? { importExisting: true } : {}),
  });
  return { pushed, result, adopted };
}

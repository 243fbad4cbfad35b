/** The stack engine's public types. Deploy, env and bootstrap code against these. */
import type { ChangeRow, StackSummary } from '../aws/cloudformation';
import type { Deadline } from '../deadline';

export type { ChangeDetail } from '../aws/cloudformation';

export interface Parameter {
  ParameterKey: string;
  ParameterValue: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

export type Capability = 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM';

/** How the engine waits. Tests inject `sleep` and `now` so that no real time passes. */
export interface PollOptions {
  /** first and normal interval between polls (default 2000 ms) */
  intervalMs?: number;
  /** the interval never grows beyond this while throttled (default 30000 ms) */
  maxIntervalMs?: number;
  /** resolves after `ms`, or early when `signal` aborts */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export interface ApplyInput {
  stackName: string;
  templateUrl: string;
  parameters?: Parameter[];
  tags: Tag[];
  capabilities?: Capability[];
  /** describe what would change (a change set), then delete it; writes nothing */
  dryRun?: boolean;
  /** one deadline for the whole call, waiting for another operation included (default 3600) */
  timeoutSeconds?: number;
  /** the command's one deadline (wins over timeoutSeconds) */
  deadline?: Deadline;
  /** Ctrl-C: an update is cancelled, a create is left to roll back; then exit 130 */
  signal?: AbortSignal;
  poll?: PollOptions;
  /**
   * Runs once the change is known and the change-safety guard let it through, right before
   * CloudFormation is asked to change anything (ExecuteChangeSet, or CreateStack): the release
   * phase. If it throws, the change set is deleted and nothing was changed.
   */
  beforeExecute?: () => Promise<void>;
  /**
   * Logical ids whose removal or replacement is intended (--allow-replace): the change-safety
   * guard lets these through. Never implied by --yes.
   */
  allowReplace?: string[];
  /**
   * The template body behind templateUrl, when the caller has it: the export check compares
   * its Outputs with the stack's exports. Without it the body is read from the change set
   * (GetTemplate), and only when the stack has exports.
   */
  templateBody?: string;
  /** the role CloudFormation assumes (the platform's service role); omitted: the caller's credentials */
  roleArn?: string;
  /**
   * The template names retained resources that already exist (src/ops/adopt.ts): the change set
   * asks CloudFormation to import them (ImportExistingResources), and a new stack is created
   * through a CREATE change set, since CreateStack cannot import.
   */
  importExisting?: boolean;
}

/** One row of a change set, with CloudFormation's reasons (Details) when it gives them. */
export type ChangeSummary = ChangeRow;

/** A change the guard refuses: a stateful or shared resource removed or replaced. */
export interface BlockedChange {
  logicalId: string;
  resourceType: string;
  action: 'remove' | 'replace';
  /** Modify only: True | Conditional */
  replacement?: string;
  /** the changed properties, from the change's Details (those forcing replacement first) */
  properties: string[];
}

/** An export the update would change or drop while other stacks import it. */
export interface BlockedExport {
  exportName: string;
  outputKey: string;
  change: 'removed' | 'changed';
  importers: string[];
}

export interface ApplyResult {
  stackName: string;
  stackId?: string;
  action: 'create' | 'update' | 'none' | 'dry-run';
  status: string;
  changed: boolean;
  changes: ChangeSummary[];
  outputs: Record<string, string>;
  /**
   * The stack as it settled (create, update), or as read before an empty change set (none):
   * callers take LastUpdatedTime, parameters and outputs from here instead of reading again.
   * Absent on a dry run.
   */
  stack?: StackSummary;
  /** a ROLLBACK_COMPLETE stack was deleted first (or would be, on a dry run) */
  recreated?: boolean;
  /** dry run: changes the guard would refuse (a real run stops with exit 2) */
  blocked?: BlockedChange[];
  /** dry run: exports the update would change or drop while other stacks import them */
  blockedExports?: BlockedExport[];
}

export interface DeleteOptions {
  /** the role CloudFormation assumes to delete the stack's resources */
  roleArn?: string;
  timeoutSeconds?: number;
  deadline?: Deadline;
  signal?: AbortSignal;
  poll?: PollOptions;
}

export const DEFAULT_TIMEOUT_SECONDS = 3600;

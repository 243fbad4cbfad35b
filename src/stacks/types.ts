/** The stack engine's public types. Deploy, env and bootstrap code against these. */

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
  /** Ctrl-C: an update is cancelled, a create is left to roll back; then exit 130 */
  signal?: AbortSignal;
  poll?: PollOptions;
}

/** One row of a change set. */
export interface ChangeSummary {
  action: string; // Add | Modify | Remove | Import | Dynamic
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  /** Modify only: True | False | Conditional */
  replacement?: string;
}

export interface ApplyResult {
  stackName: string;
  stackId?: string;
  action: 'create' | 'update' | 'none' | 'dry-run';
  status: string;
  changed: boolean;
  changes: ChangeSummary[];
  outputs: Record<string, string>;
  /** a ROLLBACK_COMPLETE stack was deleted first (or would be, on a dry run) */
  recreated?: boolean;
}

export interface DeleteOptions {
  timeoutSeconds?: number;
  signal?: AbortSignal;
  poll?: PollOptions;
}

export const DEFAULT_TIMEOUT_SECONDS = 3600;

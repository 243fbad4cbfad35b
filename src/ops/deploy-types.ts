/** What `deploy` takes and answers (src/ops/deploy.ts); vars, secrets, promote, build and rollback pass the same options. */
import type { ImageRef } from '../plan/inputs';
import type { AppTarget } from '../plan/target';
import type { ApplyResult, ChangeSummary } from '../stacks';
import type { BuildRecord, ReleaseKind, ReleaseRecord } from '../store';
import type { Counts } from './desired-state';
import type { LockScope } from './lock';
import type { Touched } from './release-describe';

export interface DeployOptions {
  dryRun?: boolean;
  wait?: boolean;
  timeoutSeconds?: number;
  counts?: Counts;
  /** logical ids the change-safety guard lets be replaced or removed (--allow-replace) */
  allowReplace?: string[];
  /** what the release log calls this change (vars and secrets re-apply the current image) */
  kind?: Extract<ReleaseKind, 'deploy' | 'vars' | 'secrets'>;
  /** start a new deployment even when the template is unchanged (a new secret version) */
  restart?: boolean;
  /** emergencies only: deploy without running processes.release (recorded) */
  skipReleasePhase?: boolean;
  /** the app lock the caller already holds (vars and secrets take it before their first write) */
  scope?: LockScope;
  /** `promote`: the release whose image this deploy carries (recorded) */
  promotedFrom?: { env: string; release: number };
  /** vars and secrets: the names the command changed (a secret set again keeps its ARN: no diff shows it) */
  touched?: Touched;
  /** `deploy --build`: how the image was built (recorded) */
  build?: BuildRecord;
}

export interface DeployRequest {
  target: AppTarget;
  image: string;
  ref: ImageRef;
}

export interface DeployResult {
  app: string;
  env: string;
  image: string;
  port: number;
  url: string;
  stack: string;
  status: string;
  changed: boolean;
  action: ApplyResult['action'];
  /** the fast path: nothing was asked of CloudFormation */
  skipped: boolean;
  changes: ChangeSummary[];
  duration: number;
  release: ReleaseRecord | null;
  /** the digest deployed (an ECR tag resolved, or a digest given); null: deployed by tag */
  imageDigest: string | null;
  database: { dbname: string; username: string; secretArn: string; state: string } | null;
  services: { name: string; desired: number; running: number; rollout?: string }[];
}

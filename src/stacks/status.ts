/** What a CloudFormation stack status means for the engine. */

export type StatusClass =
  | 'stable' // can be updated through a change set
  | 'in-progress' // another operation runs: wait for it
  | 'review' // REVIEW_IN_PROGRESS: a create change set that was never executed
  | 'rollback-complete' // a failed create: only deletion is possible
  | 'update-rollback-failed' // needs continue-update-rollback by a human
  | 'broken'; // ROLLBACK_FAILED, DELETE_FAILED...: needs a human

export function classify(status: string): StatusClass {
  if (status === 'REVIEW_IN_PROGRESS') return 'review';
  if (status.endsWith('_IN_PROGRESS')) return 'in-progress';
  if (status === 'ROLLBACK_COMPLETE') return 'rollback-complete';
  if (status === 'UPDATE_ROLLBACK_FAILED') return 'update-rollback-failed';
  if (status.endsWith('_FAILED')) return 'broken';
  return 'stable';
}

export const isInProgress = (status: string) => status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';

/** Statuses that end a successful operation of each kind. */
export const SUCCESS = {
  // a CREATE change set that imports retained resources may end as an import does
  create: ['CREATE_COMPLETE', 'IMPORT_COMPLETE'],
  update: ['UPDATE_COMPLETE'],
  delete: ['DELETE_COMPLETE'],
} as const;

/** Reasons CloudFormation gives for a change set that changes nothing. */
export function isNoChangeReason(reason: string | undefined): boolean {
  return /didn't contain changes|No updates are to be performed/i.test(reason ?? '');
}

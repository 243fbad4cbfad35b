/**
 * The config bucket and what lives in it: templates, ports.json, locks, releases. The store
 * trusts its caller's target: names are checked once, when a command resolves it (src/plan/target.ts).
 */
export { ensureBucket, tlsOnlyPolicy, type EnsureBucketResult } from './bucket';
export { pushTemplate, readLatestTemplate, sha256, type PushResult, type StoredTemplate, type TemplateKind } from './templates';
export { allocatePort, type AllocateResult } from './port-allocation';
export {
  releasePort,
  readPorts,
  pushPortsRange,
  parsePorts,
  lowestFree,
  type PortsFile,
  type PushPortsResult,
} from './ports';
export { acquireLock, readLock, removeLock, currentHolder, DEFAULT_LOCK_TTL_SECONDS, type Lock, type LockInfo, type AcquireOptions } from './locks';
export {
  writeRelease,
  readRelease,
  deleteRelease,
  markSettings,
  restoreHint,
  outcomeOf,
  kindOf,
  RELEASE_KINDS,
  RELEASE_OUTCOMES,
  type ReleaseRecord,
  type ReleaseDraft,
  type ReleasePhaseRecord,
  type BuildRecord,
  type ReleaseState,
  type ReleaseKind,
  type ReleaseOutcome,
} from './releases';
export { listReleases, readReleaseNumber, type ReleaseList, type ReleasePage } from './release-list';
export { readSettings, updateSettings, emptySettings, settingsSnapshot, digestOf, type AppSettings } from './vars';
export { bucketRegion, objectVersions, type ObjectVersion } from './inspect';
export { DEFAULT_CAS_ATTEMPTS, type CasOptions } from './cas';

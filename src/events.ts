/**
 * What engines and ops say while they work. Nothing outside src/report prints: the stack
 * engine, the rollout waiter, the database runners and ops emit these typed events, and the
 * Reporter (the one renderer) turns them into lines on a terminal, plain lines, or one JSON
 * line each (`--progress json`: {time, level, code, message, data}).
 *
 * Every event has a stable `code` and a typed payload (`data`): a CI system reads those, never
 * the words. A new event is one entry in MessageData (or StructuredData) and one line in
 * EVENT_DOCS; tsc refuses an emit without a known code or with the wrong payload, and
 * docs/events.md is generated from EVENT_DOCS (`npm run build && node scripts/gen-events-doc.mjs`).
 */
import type { ChangeRow } from './aws/cloudformation';

type Stack = { stack: string };
type AppEnv = { app: string; env: string };
type Counts = Record<string, number>;
type Ranges = Record<string, { min: number; max: number }>;

/** Payloads of the message events (step, info, success, warning, debug), by code. */
export interface MessageData {
  'aws.call': { service: string; operation: string; ok: boolean; ms: number };
  'aws.environment': { env: string; account: string; region: string };
  'cli.signal': { signal: string };
  'config.warning': Record<string, never>;
  'config.template.read': { url: string; sha256: string; bytes: number };
  'config.port.unallocated': AppEnv & { port: number };
  'init.written': { file: string };
  'synth.written': { files: number; out: string };
  'iam-policy.account-unknown': { reason: string };
  'iam-policy.offline': Record<string, never>;
  'iam-policy.master-secret-missing': { envs: string[] };
  'iam-policy.master-secret-placeholder': { envs: string[] };
  'iam-policy.parts': { level: string; parts: number };
  'ports.allocated': AppEnv & { port: number; attempts: number };
  'bootstrap.bucket': { bucket: string; region: string };
  'bootstrap.bucket.setting': Record<string, never>;
  'bootstrap.bucket.ready': { bucket: string; created: boolean };
  'bootstrap.platform-stack': Stack;
  'bootstrap.env-account': Stack & { env: string; account: string; region: string };
  'env.template': Stack & { env: string };
  'lock.acquiring': AppEnv;
  'lock.taken-over': { from: string; because: 'expired' | 'holder-gone' };
  'lock.release-failed': { key: string; reason: string };
  'unlock.lock': { key: string; holder: string | null; operation: string | null; since: string | null; expires: string | null };
  'template.pushed': { key: string; uploaded: boolean };
  'image.region-mismatch': { image: string; registryRegion: string; region: string };
  'image.resolved': { image: string; digest: string };
  'image.arch-unchecked': { image: string; architectures: string[]; reason: string };
  'image.arch-unchecked-default': { image: string; architectures: string[]; reason: string };
  'image.arch-ok': { image: string; architectures: string[] };
  'image.tagged': { repository: string; digest: string; tag: string; already: boolean };
  'image.tag-failed': { repository: string; digest: string; tag: string; reason: string };
  'deploy.image.mutable-tag': { image: string; tag: string };
  'build.planned': { builder: string; tag: string; commit: string | null; dirty: boolean; platforms: string[]; repository: string; reuse: boolean };
  'build.reused': { image: string; digest: string };
  'build.step': { step: 'login' | 'build' | 'push'; program: string };
  'build.log': { step: 'login' | 'build' | 'push'; stream: 'stdout' | 'stderr'; line: string };
  'build.pushed': { image: string; digest: string; seconds: number };
  'build.secret-arg': { names: string[] };
  'deploy.database.none': AppEnv;
  'deploy.counts.drift': { counts: Counts };
  'deploy.release.replace-corrupt': { key: string; problem: string };
  'deploy.stack.unchanged': Stack;
  'deploy.port.planned': { port: number; allocated: boolean };
  'deploy.database.planned': { app: string };
  'deploy.port.allocated': { port: number; allocated: boolean };
  'deploy.log-group.ready': { group: string; created: boolean; retentionDays: number };
  'deploy.services.restarting': { services: string[] };
  'deploy.rollout.not-waiting': { services: { name: string; rollout: string | null; running: number; desired: number }[] };
  'deploy.release.reconciling': Stack & { image: string };
  'deploy.tasks.held': Stack & { services: string[] };
  'deploy.done': AppEnv & { image: string; outcome: 'dry-run' | 'unchanged' | 'deployed'; release: number | null; changes: number; seconds: number };
  'service.rollout.waiting': { services: number; mode: 'wait' | 'check' };
  'traffic.weights.moved': { primary: number; alternate: number; lastPrimary: string; lastAlternate: string };
  'traffic.weights.passed': { primary: number; alternate: number };
  'deployment.phase': { strategy: string; stage: string; running: number | null; requested: number | null };
  'deployment.traffic': { strategy: string; percent: number };
  'deployment.bake': { strategy: string; minutesLeft: number };
  'deployment.alarms': { status: string | null; triggered: string[] };
  'deployment.aborted': { arn: string; by: string; holder: string; at: string };
  'deployment.following': { strategy: string; service: string };
  'deployment.watch-failed': { reason: string };
  'deployment.done': { strategy: string; outcome: string; seconds: number | null };
  'abort.stopped': { app: string; env: string; arn: string; by: string };
  'release.recorded': AppEnv & { number: number | null; outcome: string };
  'release.record-failed': AppEnv & { outcome: string; reason: string };
  'release-phase.skipped': { reason: 'flag'; command: string[] };
  'release-phase.started': { command: string[]; image: string };
  'release-phase.succeeded': { image: string };
  'task.started': { task: string; process: string; command: string[] };
  'task.exited': { task: string; exitCode: number | null; reason: string | null };
  'logs.truncated': { group: string; shown: number };
  'logs.empty': { group: string };
  'task.stop-requested': { task: string };
  'exec.session': { task: string; container: string };
  'settings.stored': AppEnv & { reason: 'no-deploy' | 'no-release' };
  'settings.reapplying': { release: number | null; image: string; kind: 'vars' | 'secrets' };
  'settings.unchanged': AppEnv;
  'settings.pending': AppEnv & { revision: number; running: number };
  'deploy.volume.kept-attached': { volume: string; fileSystemId: string };
  'deploy.volume.kept-stray': { fileSystems: string[] };
  'deploy.domains.certificate-pending': AppEnv & { names: string[]; status: string | null };
  'domains.certificate.requested': AppEnv & { arn: string; names: string[] };
  'domains.certificate.waiting-records': { arn: string; missing: string[] };
  'domains.certificate.attaching': AppEnv & { arn: string; release: number | null };
  'domains.certificate.deleted': { arn: string; outcome: 'deleted' | 'in-use' | 'missing' };
  'domains.certificate.stale': AppEnv & { arns: string[] };
  'domains.done': AppEnv & { certificate: string | null; status: string | null; attached: string };
  'status.domains-unavailable': AppEnv & { reason: string };
  'vars.set': AppEnv & { names: string[]; release: number | null };
  'vars.unset': AppEnv & { names: string[]; release: number | null };
  'secret.storing': { name: string };
  'secret.stored': AppEnv & { name: string; action: string; release: number | null };
  'secret.absent': AppEnv & { name: string };
  'secret.kept': { name: string };
  'secret.removed': AppEnv & { name: string; deletionDate: string | null };
  'secret.restored': AppEnv & { name: string; release: number | null };
  'secret.moved': { name: string; old: string | null; retired: boolean };
  'secret.deletion-scheduled': { name: string; deletionDate: string | null; recoveryDays: number };
  'secret.not-ours': { name: string };
  'secret.unchanged': AppEnv & { name: string };
  'scale.unchanged': AppEnv & { counts: Counts; ranges: Ranges };
  'scale.started': AppEnv & { from: Counts; to: Counts; fromRanges: Ranges; toRanges: Ranges };
  'scale.done': AppEnv & { release: number | null; seconds: number };
  'restart.started': { services: string[]; release: number | null };
  'restart.done': { services: string[]; release: number | null; seconds: number };
  'promote.started': AppEnv & { from: string; release: number; image: string };
  'promote.done': AppEnv & { from: string; fromRelease: number; image: string; outcome: 'dry-run' | 'unchanged' | 'promoted'; release: number | null; seconds: number };
  'ci.github.trust': { repo: string; subjects: string[] };
  'ci.master-secret-missing': { envs: string[] };
  'rollback.unchanged': AppEnv & { release: number | null };
  'rollback.migrations-note': Record<string, never>;
  'rollback.started': AppEnv & { from: number | null; to: number | null; image: string };
  'rollback.done': AppEnv & { outcome: 'unchanged' | 'dry-run' | 'rolled-back'; from: number | null; to: number | null; release: number | null };
  'preview.pruning': { app: string; previewOf: string; image: string | null };
  'status.alarms-unavailable': AppEnv & { reason: string };
  'status.release-corrupt': { key: string; problem: string };
  'status.settings-pending': { revision: number; runningRevision: number; names: string[] };
  'destroy.nothing': AppEnv;
  'destroy.port.released': { port: number };
  'destroy.volume.deleted': { id: string };
  'destroy.volumes.kept': { ids: string[] };
  'destroy.logs.kept': { group: string; retentionDays: number };
  'destroy.done': AppEnv & { deleted: boolean };
  'db.plan': { db: string; host: string; port: number; runner: string };
  'db.result': { db: string; database: string; role: string; secret: string };
  'db.ensured': { dbname: string; username: string; database: string; role: string; secret: string };
  'db.password.services-restarted': { services: number };
  'email.smtp.user-created': { user: string; path: string };
  'email.smtp.boundary-set': { user: string };
  'email.smtp.key-created': { user: string; key: string };
  'email.smtp.key-deleted': { user: string; key: string; why: string };
  'email.smtp.password-stored': { secret: string; key: string };
  'email.smtp.rotation-unfinished': { user: string; keys: string[] };
  'email.smtp.rotation-resumed': { user: string; key: string };
  'email.smtp.services-restarted': { services: string[] };
  'email.smtp.user-deleted': { user: string };
  'email.smtp.secret-deleted': { secret: string };
  'email.rotated': AppEnv & { key: string; retired: string[] };
  'stack.creating': Stack;
  'stack.updating': Stack & { dryRun: boolean };
  'stack.checking-new': Stack;
  'stack.change-set.created': Stack & { changeSet: string; type: 'CREATE' | 'UPDATE' };
  'stack.change-set.delete-failed': Stack & { changeSet: string; reason: string };
  'stack.change': ChangeRow;
  'stack.unchanged': Stack;
  'stack.change.blocked': Stack & { logicalId: string; resourceType: string; action: 'remove' | 'replace' };
  'stack.export.blocked': Stack & { exportName: string; importers: string[] };
  'stack.export-check.skipped': Stack;
  'stack.settled': Stack & { status: string };
  'stack.waiting-other': Stack & { status: string; timeoutSeconds: number };
  'stack.review-in-progress.deleting': Stack;
  'stack.rollback-complete.recreate': Stack & { dryRun: boolean };
  'stack.update.cancelled': Stack;
  'stack.update.too-late': Stack & { status: string };
  'stack.create.left': Stack;
  'stack.deleting': Stack;
  'stack.delete.continues': Stack;
}

/** Payloads of the structured events (their fields are the payload), by code. */
export interface StructuredData {
  /** one CloudFormation stack event */
  'stack.resource.event': { stack: string; logicalId: string; resourceType: string; status: string; reason?: string; timestamp?: string };
  /** an ECS service's rollout state changed */
  'service.rollout.progress': { service: string; rollout: string; running: number; desired: number; pending: number; failed: number };
  /** a new ECS service event ("unable to place a task", failing health checks) */
  'service.event': { service: string; message: string; at?: string };
  /** a long wait is still going: how long so far, and the limit */
  'wait.heartbeat': { what: string; elapsedSeconds: number; timeoutSeconds: number };
  /** a one-off task (database admin task, `run`, release phase) changed state */
  'task.state': { task: string; status: string };
  /** a line of output from a one-off task */
  'task.log': { task: string; message: string; timestamp?: string };
  /** one event of an app's log (`logs`): the output itself, so it goes to stdout */
  'logs.event': { id: string; timestamp: string; process: string; task: string; message: string };
}

export type MessageCode = keyof MessageData;
export type EventData = MessageData & StructuredData;
export type EventCode = keyof EventData;

/** How a message event is shown: a step (›), a plain line, a success (✔), a warning, or only with --verbose. */
export type MessageKind = 'step' | 'info' | 'success' | 'warning' | 'debug';

export type MessageEvent = { [C in MessageCode]: { type: MessageKind; code: C; message: string; data: MessageData[C] } }[MessageCode];

export type CyclopsEvent =
  | MessageEvent
  | ({ type: 'stack-event'; code: 'stack.resource.event' } & StructuredData['stack.resource.event'])
  | ({ type: 'service-rollout'; code: 'service.rollout.progress' } & StructuredData['service.rollout.progress'])
  | ({ type: 'service-event'; code: 'service.event' } & StructuredData['service.event'])
  | ({ type: 'heartbeat'; code: 'wait.heartbeat' } & StructuredData['wait.heartbeat'])
  | ({ type: 'task-state'; code: 'task.state' } & StructuredData['task.state'])
  | ({ type: 'task-log'; code: 'task.log' } & StructuredData['task.log'])
  | ({ type: 'log-event'; code: 'logs.event' } & StructuredData['logs.event']);

export type CyclopsEventType = CyclopsEvent['type'];

/** One line per code for docs/events.md: tsc requires a line for every code, and no other. */
export const EVENT_DOCS: { [C in EventCode]: { kind: MessageKind | 'progress' | 'output'; about: string } } = {
  'aws.call': { kind: 'debug', about: 'one AWS API call ended (--verbose)' },
  'aws.environment': { kind: 'debug', about: "the environment lives in its own account: the credentials were checked to act in it (STS), and its region" },
  'cli.signal': { kind: 'warning', about: 'Ctrl-C or a termination signal: stopping and cleaning up' },
  'config.warning': { kind: 'warning', about: 'config.json is valid but has something worth a look' },
  'config.template.read': { kind: 'info', about: '`config read`: where the template is, its digest and size' },
  'config.port.unallocated': { kind: 'warning', about: '`config push app`: the app has no port yet; rendered with the start of the range' },
  'init.written': { kind: 'success', about: '`init` wrote a starter config' },
  'synth.written': { kind: 'success', about: '`synth --out` wrote the templates' },
  'iam-policy.account-unknown': { kind: 'warning', about: 'the account id could not be read; placeholders printed' },
  'iam-policy.offline': { kind: 'warning', about: '--offline: placeholders printed' },
  'iam-policy.master-secret-missing': { kind: 'warning', about: 'an environment has no database master secret yet: a placeholder is printed' },
  'iam-policy.master-secret-placeholder': { kind: 'warning', about: 'without AWS access the database master secrets are placeholders' },
  'iam-policy.parts': { kind: 'warning', about: "the level's policy is too large for one managed policy: stdout is an array of parts, all to be attached" },
  'ports.allocated': { kind: 'debug', about: 'ports.json gave the app its port (after how many attempts)' },
  'bootstrap.bucket': { kind: 'step', about: 'the config bucket is being made or checked' },
  'bootstrap.bucket.setting': { kind: 'info', about: 'one setting of the config bucket applied' },
  'bootstrap.bucket.ready': { kind: 'success', about: 'the config bucket was created, or was there with its settings re-applied' },
  'bootstrap.platform-stack': { kind: 'step', about: 'the platform stack is applied' },
  'bootstrap.env-account': { kind: 'step', about: "`bootstrap --env`: the stack in the environment's own account (service role, boundary, deploy role) is applied" },
  'env.template': { kind: 'step', about: "an environment's template is rendered for its stack" },
  'lock.acquiring': { kind: 'step', about: "taking the app's lock" },
  'lock.taken-over': { kind: 'warning', about: 'the lock of a dead or lapsed holder was taken over' },
  'lock.release-failed': { kind: 'warning', about: 'the lock could not be let go; `cyclops unlock` removes it' },
  'unlock.lock': { kind: 'info', about: '`unlock`: who holds the lock, since when' },
  'template.pushed': { kind: 'debug', about: 'a template is in the config bucket (uploaded, or there already)' },
  'image.region-mismatch': { kind: 'warning', about: "the image's ECR registry is in another region: deployed as given" },
  'image.resolved': { kind: 'debug', about: 'an ECR tag was resolved to its digest' },
  'image.arch-unchecked': { kind: 'warning', about: "the image's architectures could not be checked against config's arch (not in ECR, or its manifest unreadable)" },
  'image.arch-unchecked-default': { kind: 'debug', about: "the image's architectures could not be checked (config sets no arch)" },
  'image.arch-ok': { kind: 'debug', about: 'the image has a variant for every architecture the app runs on' },
  'image.tagged': { kind: 'step', about: 'the deployed digest got its release tag' },
  'image.tag-failed': { kind: 'warning', about: 'the release tag could not be set; the deploy stands' },
  'build.planned': { kind: 'step', about: 'deploy --build: the builder, the tag (from the commit, or --tag), the platforms and the repository; reuse: the tag is already in ECR' },
  'build.reused': { kind: 'info', about: 'the tag is already in ECR: its image is deployed, not rebuilt (tags never move)' },
  'build.step': { kind: 'step', about: 'a builder step starts: registry login (password on stdin), build, push' },
  'build.log': { kind: 'info', about: "one line of the builder's output, as it comes" },
  'build.pushed': { kind: 'step', about: 'the image is built and pushed; its digest is what deploys' },
  'build.secret-arg': { kind: 'warning', about: 'a --build-arg name looks like a secret: build args stay in the image history' },
  'deploy.image.mutable-tag': { kind: 'warning', about: 'the image tag is one that usually moves (latest, main...)' },
  'deploy.database.none': { kind: 'warning', about: 'the environment has no database; the app is deployed without one (debug for unlisted apps)' },
  'deploy.counts.drift': { kind: 'info', about: 'task counts kept from scale or --count differ from config' },
  'deploy.release.replace-corrupt': { kind: 'warning', about: 'the release pointer is unreadable; this deploy replaces it' },
  'deploy.stack.unchanged': { kind: 'info', about: 'the fast path: the stack already runs this rendering' },
  'deploy.port.planned': { kind: 'step', about: 'dry run: the port the app has, or would get' },
  'deploy.database.planned': { kind: 'step', about: 'dry run: a database and login would be created' },
  'deploy.port.allocated': { kind: 'step', about: "the app's port: allocated now, or its own" },
  'deploy.log-group.ready': { kind: 'debug', about: "the app's log group exists (made now, or there already)" },
  'deploy.services.restarting': { kind: 'step', about: 'a new deployment of the services starts (a new secret version)' },
  'deploy.rollout.not-waiting': { kind: 'warning', about: '--no-wait: services still rolling out' },
  'deploy.release.reconciling': { kind: 'step', about: 'the stack runs what was asked but no record said so: recording it' },
  'deploy.tasks.held': { kind: 'step', about: "a new app's stack is created with no task running, so its release phase runs first" },
  'deploy.done': { kind: 'success', about: '`deploy` done: a dry run, no changes, or deployed as a release' },
  'service.rollout.waiting': { kind: 'step', about: 'waiting for (or checking) the services to roll out' },
  'traffic.weights.moved': { kind: 'info', about: 'ECS moved the production weights since the last stack update; the live ones are passed through' },
  'traffic.weights.passed': { kind: 'debug', about: 'the live production weights are passed through to the stack update' },
  'deployment.phase': { kind: 'step', about: 'a blue/green, canary or linear deployment entered a lifecycle stage (new tasks, test traffic, shift, bake, clean-up)' },
  'deployment.traffic': { kind: 'step', about: 'the share of production traffic on the new revision changed' },
  'deployment.bake': { kind: 'info', about: 'the bake counts down (minutes left before the old revision stops)' },
  'deployment.alarms': { kind: 'info', about: "the deployment alarms' state changed (warning when one fired)" },
  'deployment.aborted': { kind: 'warning', about: '`cyclops abort` stopped the deployment this deploy follows (who, when); ECS rolls back' },
  'deployment.following': { kind: 'step', about: 'deploy follows the web service\'s blue/green, canary or linear deployment phase by phase' },
  'deployment.watch-failed': { kind: 'warning', about: 'the deployment could not be read (ListServiceDeployments/DescribeServiceDeployments); the stack and the rollout still decide the outcome' },
  'deployment.done': { kind: 'info', about: 'the followed deployment ended: succeeded, rolled-back or aborted' },
  'abort.stopped': { kind: 'step', about: '`cyclops abort` stopped the deployment in flight (StopServiceDeployment, ROLLBACK)' },
  'release.recorded': { kind: 'info', about: 'a failed, interrupted or rolled-back release was recorded' },
  'release.record-failed': { kind: 'warning', about: 'the failed release could not be recorded; the original error stands' },
  'release-phase.skipped': { kind: 'warning', about: 'the release phase did not run (--skip-release-phase)' },
  'release-phase.started': { kind: 'step', about: 'the release command runs as a one-off task' },
  'release-phase.succeeded': { kind: 'success', about: 'the release command exited 0; the services switch' },
  'task.started': { kind: 'step', about: '`run`: the one-off task started' },
  'task.exited': { kind: 'success', about: '`run`: the task stopped with its exit code (a warning when not 0)' },
  'logs.truncated': { kind: 'warning', about: '`logs`: more events exist than were shown' },
  'logs.empty': { kind: 'info', about: '`logs`: no events in the time range' },
  'task.stop-requested': { kind: 'warning', about: 'a one-off task was asked to stop (Ctrl-C)' },
  'exec.session': { kind: 'step', about: '`exec`: a session opens in a task' },
  'settings.stored': { kind: 'info', about: 'vars or secrets stored; applied by the next deploy' },
  'settings.reapplying': { kind: 'step', about: 'the current release is applied again with the new settings' },
  'settings.unchanged': { kind: 'info', about: 'the variables already say so' },
  'settings.pending': { kind: 'info', about: 'settings stored by an earlier, stopped run are applied now' },
  'deploy.volume.kept-attached': { kind: 'info', about: 'a file system kept by destroy is attached again' },
  'deploy.volume.kept-stray': { kind: 'warning', about: 'kept file systems of volumes the app no longer has stay unattached' },
  'deploy.domains.certificate-pending': { kind: 'warning', about: 'domains whose zone is elsewhere have no issued certificate yet (`cyclops domains`)' },
  'domains.certificate.requested': { kind: 'step', about: '`domains`: an ACM certificate is requested for the domains whose zone is elsewhere' },
  'domains.certificate.waiting-records': { kind: 'info', about: '`domains`: ACM has not published every validation record yet; run it again' },
  'domains.certificate.attaching': { kind: 'step', about: '`domains`: the issued certificate goes on the HTTPS listener through the app stack' },
  'domains.certificate.deleted': { kind: 'info', about: '`domains --prune`: a certificate no longer used is deleted (or kept: in use)' },
  'domains.certificate.stale': { kind: 'info', about: 'certificates for an earlier list of domains remain; `domains --prune` deletes them' },
  'domains.done': { kind: 'success', about: '`domains` done' },
  'status.domains-unavailable': { kind: 'warning', about: 'certificate and DNS states of the domains could not be read' },
  'vars.set': { kind: 'success', about: '`vars set` done' },
  'vars.unset': { kind: 'success', about: '`vars unset` done' },
  'secret.storing': { kind: 'step', about: 'a secret value goes to Secrets Manager (never the value itself)' },
  'secret.stored': { kind: 'success', about: '`secrets set` done' },
  'secret.absent': { kind: 'info', about: '`secrets unset`: no such secret' },
  'secret.kept': { kind: 'info', about: 'the removed secret stays in Secrets Manager while tasks use it' },
  'secret.removed': { kind: 'success', about: '`secrets unset` done' },
  'secret.restored': { kind: 'success', about: '`secrets restore` done' },
  'secret.moved': { kind: 'info', about: 'a secret moved to the platform-namespaced name; says what became of the old one' },
  'secret.deletion-scheduled': { kind: 'info', about: 'a removed secret is restorable until its deletion date' },
  'secret.not-ours': { kind: 'info', about: 'a secret not tagged with this platform is left in place' },
  'secret.unchanged': { kind: 'info', about: '`secrets restore`: the app already uses that secret' },
  'scale.unchanged': { kind: 'info', about: 'the app already runs these counts and bounds' },
  'scale.started': { kind: 'step', about: 'scaling from the current counts and bounds to the new' },
  'scale.done': { kind: 'success', about: '`scale` done' },
  'restart.started': { kind: 'step', about: 'a new deployment of the services starts' },
  'restart.done': { kind: 'success', about: '`restart` done' },
  'rollback.unchanged': { kind: 'info', about: 'the target release is already current' },
  'rollback.migrations-note': { kind: 'warning', about: 'a rollback does not undo database migrations' },
  'rollback.started': { kind: 'step', about: 'rolling back from one release to another' },
  'promote.started': { kind: 'step', about: '`promote`: which release of FROM_ENV, and its image by digest, goes to TO_ENV' },
  'promote.done': { kind: 'success', about: '`promote` done: a dry run, no changes, or promoted as a release of TO_ENV' },
  'ci.github.trust': { kind: 'info', about: '`bootstrap --github`: the token subjects a repository\'s deploy role trusts' },
  'ci.master-secret-missing': { kind: 'warning', about: '`bootstrap --github`: an RDS environment has no master secret yet; the CI roles get it on the next bootstrap' },
  'rollback.done': { kind: 'success', about: '`rollback` done (or nothing to do, or a dry run)' },
  'preview.pruning': { kind: 'step', about: '`previews prune`: a preview is destroyed' },
  'status.alarms-unavailable': { kind: 'warning', about: 'alarm states could not be read' },
  'status.release-corrupt': { kind: 'warning', about: 'the release pointer is unreadable' },
  'status.settings-pending': { kind: 'info', about: 'settings stored but not what the current release runs' },
  'destroy.nothing': { kind: 'info', about: 'no stack, port or release: nothing to destroy' },
  'destroy.port.released': { kind: 'step', about: "the app's port was freed" },
  'destroy.volume.deleted': { kind: 'step', about: 'a kept EFS file system was deleted (--delete-volumes)' },
  'destroy.volumes.kept': { kind: 'warning', about: "the app's volumes' file systems are kept" },
  'destroy.logs.kept': { kind: 'info', about: "the app's log group stays" },
  'destroy.done': { kind: 'success', about: '`destroy` done' },
  'db.plan': { kind: 'step', about: 'what the database step does, where, with which runner' },
  'db.result': { kind: 'debug', about: 'database, role and secret: created, updated or unchanged' },
  'db.ensured': { kind: 'success', about: '`db ensure` done' },
  'db.password.services-restarted': { kind: 'step', about: 'services restarted so new tasks read a new password' },
  'email.smtp.user-created': { kind: 'step', about: "an app's SMTP IAM user was created (platform path and boundary)" },
  'email.smtp.boundary-set': { kind: 'step', about: "the SMTP user's permissions boundary was set to the platform's" },
  'email.smtp.key-created': { kind: 'step', about: 'a new access key of the SMTP user (its id only: the secret key is never shown)' },
  'email.smtp.key-deleted': { kind: 'step', about: 'an access key of the SMTP user was deleted, and why' },
  'email.smtp.password-stored': { kind: 'step', about: "the derived SMTP password was stored in the app's smtp secret" },
  'email.smtp.rotation-unfinished': { kind: 'warning', about: 'the SMTP user still has a key a rotation replaced: `email rotate` finishes it' },
  'email.smtp.rotation-resumed': { kind: 'step', about: '`email rotate` finishes a rotation that had stored its new password' },
  'email.smtp.services-restarted': { kind: 'step', about: "`email rotate`: the app's services restarted and rolled out with the new password" },
  'email.smtp.user-deleted': { kind: 'step', about: "`destroy`: the app's SMTP user, its keys and policy were deleted" },
  'email.smtp.secret-deleted': { kind: 'step', about: "`destroy`: the app's smtp secret was deleted (its key is gone)" },
  'email.rotated': { kind: 'success', about: '`email rotate` done: the new key in use, the old one deleted' },
  'stack.creating': { kind: 'step', about: 'CreateStack' },
  'stack.updating': { kind: 'step', about: 'an update (or a dry run) starts with a change set' },
  'stack.checking-new': { kind: 'step', about: 'dry run of a stack that does not exist: a CREATE change set' },
  'stack.change-set.created': { kind: 'debug', about: 'a change set was created' },
  'stack.change-set.delete-failed': { kind: 'warning', about: 'a change set could not be deleted' },
  'stack.change': { kind: 'info', about: 'one row of a change set' },
  'stack.unchanged': { kind: 'info', about: 'the change set is empty: no changes' },
  'stack.change.blocked': { kind: 'warning', about: 'the change-safety guard refuses a stateful resource removed or replaced' },
  'stack.export.blocked': { kind: 'warning', about: 'an export other stacks import would change or go' },
  'stack.export-check.skipped': { kind: 'warning', about: 'the new template is not JSON: exports not compared' },
  'stack.settled': { kind: 'success', about: 'the stack reached *_COMPLETE' },
  'stack.waiting-other': { kind: 'step', about: 'another operation holds the stack; waiting for it to settle' },
  'stack.review-in-progress.deleting': { kind: 'warning', about: 'a REVIEW_IN_PROGRESS stack is deleted before the create' },
  'stack.rollback-complete.recreate': { kind: 'warning', about: 'a ROLLBACK_COMPLETE stack is deleted and created again' },
  'stack.update.cancelled': { kind: 'warning', about: 'Ctrl-C: the update was cancelled and rolls back' },
  'stack.update.too-late': { kind: 'warning', about: 'Ctrl-C: too late to cancel; CloudFormation finishes' },
  'stack.create.left': { kind: 'warning', about: 'Ctrl-C during a create: left to CloudFormation' },
  'stack.deleting': { kind: 'step', about: 'DeleteStack' },
  'stack.delete.continues': { kind: 'warning', about: 'Ctrl-C during a delete: it goes on' },
  'stack.resource.event': { kind: 'progress', about: 'one CloudFormation stack event' },
  'service.rollout.progress': { kind: 'progress', about: "an ECS service's rollout state or counts changed" },
  'service.event': { kind: 'progress', about: 'a new ECS service event' },
  'wait.heartbeat': { kind: 'progress', about: 'a long wait goes on: elapsed and limit' },
  'task.state': { kind: 'progress', about: 'a one-off task changed state (starts always shown; the rest with --verbose)' },
  'task.log': { kind: 'progress', about: 'a line of a one-off task’s output' },
  'logs.event': { kind: 'output', about: '`logs`: one event of the app’s log (stdout)' },
};

/** Where events go. The Reporter implements it; tests collect events in an array. */
export interface Events {
  emit(event: CyclopsEvent): void;
}

/**
 * Where secret values are registered so that no renderer ever prints them (the Reporter).
 * Deliberately not an event: a secret must never travel through `emit` (or --progress json).
 */
export interface Redactor {
  secret(value: string | undefined): void;
}

/** A message event of this kind and code. */
export function message<C extends MessageCode>(type: MessageKind, code: C, data: MessageData[C], text: string): CyclopsEvent {
  return { type, code, message: text, data } as CyclopsEvent;
}

/** Shorthands for the message events: `say.step(events, code, payload, words)`. */
export const say = {
  step: <C extends MessageCode>(events: Events, code: C, data: MessageData[C], text: string) => events.emit(message('step', code, data, text)),
  info: <C extends MessageCode>(events: Events, code: C, data: MessageData[C], text: string) => events.emit(message('info', code, data, text)),
  success: <C extends MessageCode>(events: Events, code: C, data: MessageData[C], text: string) => events.emit(message('success', code, data, text)),
  warn: <C extends MessageCode>(events: Events, code: C, data: MessageData[C], text: string) => events.emit(message('warning', code, data, text)),
  debug: <C extends MessageCode>(events: Events, code: C, data: MessageData[C], text: string) => events.emit(message('debug', code, data, text)),
};

/** The payload of any event: `data` for a message event, its own fields for a structured one. */
export function dataOf(event: CyclopsEvent): Record<string, unknown> {
  if ('data' in event) return event.data as Record<string, unknown>;
  const { type: _type, code: _code, ...fields } = event;
  return fields;
}

/** An Events sink that keeps every event, for tests and for code that reports later. */
export class EventLog implements Events {
  readonly events: CyclopsEvent[] = [];
  emit(event: CyclopsEvent): void {
    this.events.push(event);
  }
  of<T extends CyclopsEventType>(type: T): (T extends MessageKind ? MessageEvent : Extract<CyclopsEvent, { type: T }>)[] {
    return this.events.filter((e) => e.type === type) as (T extends MessageKind ? MessageEvent : Extract<CyclopsEvent, { type: T }>)[];
  }
  /** The events with this code, with their payloads. */
  coded<C extends EventCode>(code: C): (Extract<CyclopsEvent, { code: C }> & { data: EventData[C] })[] {
    return this.events.filter((e) => e.code === code).map((e) => ({ ...e, data: dataOf(e) })) as (Extract<CyclopsEvent, { code: C }> & { data: EventData[C] })[];
  }
  codes(): EventCode[] {
    return this.events.map((e) => e.code);
  }
}

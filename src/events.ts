/**
 * What engines and ops say while they work. Nothing outside src/report prints: the stack
 * engine, the rollout waiter, the database runners and ops emit these typed events, and the
 * Reporter (the one renderer) turns them into lines on a terminal, plain lines, or one JSON
 * line each (`--progress json`: {time, level, code, message, data}).
 *
 * Every event has a stable `code` and a typed payload (`data`): a CI system reads those, never
 * the words. A new event is one entry in MessageData (or StructuredData) and one line in
 * EVENT_DOCS (src/event-docs.ts); tsc refuses an emit without a known code or with the wrong payload, and
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
  'aws.environment': { env: string; account: string | null; region: string };
  'cli.signal': { signal: string };
  'config.warning': Record<string, never>;
  'config.template.read': { url: string; sha256: string; bytes: number };
  'config.port.unallocated': AppEnv & { port: number };
  'init.written': { file: string };
  'synth.written': { files: number; out: string };
  'iam-policy.account-unknown': { reason: string };
  'iam-policy.offline': Record<string, never>;
  'iam-policy.master-secret-missing': { envs: string[] };
  'iam-policy.master-secret-unreadable': { env: string; reason: string };
  'iam-policy.master-secret-placeholder': { envs: string[] };
  'iam-policy.parts': { level: string; parts: number };
  'ports.allocated': AppEnv & { port: number; attempts: number };
  'bootstrap.bucket': { bucket: string; region: string };
  'bootstrap.bucket.setting': Record<string, never>;
  'bootstrap.bucket.ready': { bucket: string; created: boolean };
  'bootstrap.platform-stack': Stack;
  'bootstrap.remote-builder': { added: boolean };
  'bootstrap.env-account': Stack & { env: string; account: string; region: string };
  'bootstrap.service-role.moving': { env: string; stacks: string[]; roleArn: string };
  'bootstrap.service-role.moved': Stack & { roleArn: string };
  'bootstrap.service-role.stuck': Stack & { reason: string };
  'bootstrap.service-role.removing': Stack & { roleArn: string };
  'bootstrap.service-role.other-account': { env: string; account: string; stacks: string[]; reason?: string };
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
  'build.context': { key: string; files: number; bytes: number; zipBytes: number; uploaded: boolean; skippedLinks: string[] };
  'build.remote.started': { build: string; project: string; arch: string; logGroup: string; logStream: string };
  'build.remote.phase': { build: string; phase: string };
  'build.remote.log': { build: string; line: string };
  'build.remote.stopping': { build: string };
  'images.manifest-unread': { digest: string; reason: string };
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
  'ci.master-secret-unreadable': { env: string; reason: string };
  'ci.environment-role': { env: string; account: string | null; region: string; deployRoleArn: string | null };
  'rollback.certificate-kept': AppEnv & { wanted: string; kept: string | null };
  'rollback.unchanged': AppEnv & { release: number | null };
  'rollback.migrations-note': Record<string, never>;
  'rollback.started': AppEnv & { from: number | null; to: number | null; image: string };
  'rollback.done': AppEnv & { outcome: 'unchanged' | 'dry-run' | 'rolled-back'; from: number | null; to: number | null; release: number | null };
  'preview.pruning': { app: string; previewOf: string; image: string | null };
  'status.alarms-unavailable': AppEnv & { reason: string };
  'status.release-corrupt': { key: string; problem: string };
  'status.settings-pending': { revision: number; runningRevision: number; names: string[] };
  'destroy.port.released': { port: number };
  'destroy.volume.deleted': { id: string };
  'destroy.volumes.kept': { ids: string[] };
  'destroy.logs.kept': { group: string; retentionDays: number };
  'destroy.done': AppEnv & { deleted: boolean; outcome: 'destroyed' | 'cleared' | 'nothing' };
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
  'stack.create.retried': Stack;
  'stack.updating': Stack & { dryRun: boolean };
  'stack.checking-new': Stack;
  'stack.change-set.created': Stack & { changeSet: string; type: 'CREATE' | 'UPDATE' };
  'stack.change-set.delete-failed': Stack & { changeSet: string; reason: string };
  'stack.review.delete-failed': Stack & { reason: string };
  'stack.adopting': Stack & { logicalId: string; resourceType: string; name: string; dryRun: boolean };
  'env.zone.adopting': { env: string; domain: string; zoneId: string; nameServers: string[]; dryRun: boolean };
  'stack.change': ChangeRow;
  'stack.unchanged': Stack;
  'stack.change.blocked': Stack & { logicalId: string; resourceType: string; action: 'remove' | 'replace' };
  'stack.export.blocked': Stack & { exportName: string; importers: string[] };
  'stack.export-check.skipped': Stack;
  'stack.settled': Stack & { status: string };
  'stack.role.moving': Stack & { roleArn: string };
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

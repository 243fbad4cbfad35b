/**
 * The deploy plan: what a deploy will do, decided once from config, the validated target and
 * what was read (the release record, the stack, the image's digest, the stored settings).
 * Pure: no I/O. Every check a deploy makes before it writes happens here, once; the steps
 * after it trust the plan.
 */
import { appConfig, serviceProcesses, type Config } from '../config/model';
import { usageError } from '../errors';
import type { MessageData } from '../events';
import { appStack, logGroup } from '../naming';
import { appParameters, type AppOverlay } from '../plan';
import type { ImageRef } from '../plan/inputs';
import { mutableTagWarning } from '../plan/inputs';
import { describeOversize, oversizeTaskDefinitions } from '../plan/task-definition-size';
import type { AppTarget } from '../plan/target';
import type { Parameter, StackSummary } from '../stacks';
import { restoreHint, settingsSnapshot, type AppSettings, type ReleaseKind, type ReleaseRecord, type ReleaseState } from '../store';
import { appServices, checkCounts, countDrift, isSettled, recordMatches, render, settingsFresh, stackRuns, type Counts, type Rendered } from './desired-state';
import type { ResolvedImage } from './images';

/**
 * How the services move to the new release. Today every deploy is an ECS rolling update
 * with the deployment circuit breaker (templates/app.ts); other strategies (blue/green,
 * canary) add a kind here and a branch in the write and wait steps.
 */
export type DeployStrategy = { kind: 'rolling' };

/** What a deploy has read before it plans (each read once, in the read step). */
export interface DeployInputs {
  /** the image as typed, and its parsed reference */
  image: string;
  ref: ImageRef;
  /** the image as deployed (repository@digest for a resolved ECR tag) */
  resolved: ResolvedImage;
  /** --count */
  counts?: Counts;
  kind: Extract<ReleaseKind, 'deploy' | 'vars' | 'secrets'>;
  release: ReleaseState;
  stack: StackSummary | null;
  /**
   * The stored vars and secret references. Absent when the release pointer says the current
   * record was rendered with the newest settings: the record's copy is used then.
   */
  settings?: AppSettings;
  /** volume name → the kept file system the stack attaches (ops/kept-volumes.ts) */
  keptVolumes?: Record<string, string>;
  /** the issued certificate of the domains whose zone is elsewhere ('' while none; absent: the app has no such domains) */
  externalCertificate?: string;
}

/** Something the plan wants said (the deploy goes on). */
type NoteCode = 'deploy.image.mutable-tag' | 'deploy.database.none' | 'deploy.counts.drift' | 'deploy.release.replace-corrupt';
export type PlanNote = { [C in NoteCode]: { level: 'warning' | 'info' | 'debug'; code: C; data: MessageData[C]; message: string } }[NoteCode];

export interface DeployPlan {
  target: AppTarget;
  kind: DeployInputs['kind'];
  strategy: DeployStrategy;
  names: { stack: string; cluster: string; services: string[]; logGroup: string };
  /** the service processes and the count (or bounds) each runs with */
  processes: { name: string; count?: number; range?: { min: number; max: number } }[];
  /** the image as typed (text) and as deployed */
  image: ResolvedImage & { text: string };
  /** --count over the counts the current release carries (set by scale or an earlier --count) */
  counts?: Counts;
  /** the autoscaling bounds the current release carries (set by scale) */
  ranges?: Record<string, { min: number; max: number }>;
  /** the stack parameters, checked once */
  parameters: Parameter[];
  wantsDb: boolean;
  /** the record this deploy builds on */
  previous: ReleaseRecord | null;
  /** the release pointer was corrupt and the settled stack lets this deploy replace it */
  replaceCorrupt: boolean;
  /** the vars and secret references to render with, and the revision they are */
  settings: { overlay: AppOverlay; revision: number };
  /**
   * The fast path: the stack runs exactly this rendering (its TemplateDigest output and
   * parameters) and the release record says so; null when anything differs.
   */
  unchanged: Rendered | null;
  notes: PlanNote[];
}

/** The app gets a database in this environment. */
export const wantsDatabase = (config: Config, t: AppTarget) => appConfig(config, t.app, t.env).database && config.environments[t.env].database.type !== 'none';

/** Throws a usage error (exit 2) for anything a deploy cannot do; nothing has been written. */
export function planDeploy(config: Config, t: AppTarget, inputs: DeployInputs): DeployPlan {
  const { release, stack } = inputs;
  const app = appConfig(config, t.app, t.env);
  const notes: PlanNote[] = [];
  const mutable = mutableTagWarning(inputs.image, inputs.ref);
  if (mutable) notes.push({ level: 'warning', code: 'deploy.image.mutable-tag', data: { image: inputs.image, tag: inputs.ref.tag ?? '' }, message: mutable });
  if (app.database && config.environments[t.env].database.type === 'none') {
    // An unlisted app asks for a database only by default; say so quietly.
    notes.push({ level: app.configured ? 'warning' : 'debug', code: 'deploy.database.none', data: { app: t.app, env: t.env }, message: `environment ${t.env} has database.type "none"; ${t.app} is deployed without a database` });
  }
  checkCounts(config, t, inputs.counts);
  const kept = release.state === 'ok' ? (release.record.counts as Counts | undefined) : undefined;
  const counts = kept || inputs.counts ? { ...kept, ...inputs.counts } : undefined;
  // autoscaling bounds set by `scale web=2..10` survive deploys, as counts do
  const ranges = release.state === 'ok' ? release.record.ranges : undefined;
  const deployed = inputs.resolved.deployed;
  // Counts name real processes, and none of them autoscales: checked here, once.
  const parameters = appParameters(config, t.env, t.app, deployed, counts, ranges, inputs.keptVolumes, inputs.externalCertificate);
  const drift = countDrift(config, t, counts);
  if (drift.length) {
    notes.push({ level: 'info', code: 'deploy.counts.drift', data: { counts: counts ?? {} }, message: `task counts differ from config: ${drift.join(', ')}; set by "cyclops scale" (or --count), which deploys keep; "cyclops scale ${t.app} ${t.env} --reset" goes back to config` });
  }
  const { previous, replaceCorrupt, note } = previousRecord(appStack(t.platform, t.env, t.app), release, stack);
  if (note) notes.push(note);
  const { cluster, services } = appServices(config, t);
  const wantsDb = wantsDatabase(config, t);
  const plan: DeployPlan = {
    target: t,
    kind: inputs.kind,
    strategy: { kind: 'rolling' },
    names: { stack: appStack(t.platform, t.env, t.app), cluster, services, logGroup: logGroup(t.platform, t.env, t.app) },
    processes: serviceProcesses(app).map((p) => ({ name: p.name, ...(p.autoscaling ? { range: ranges?.[p.name] ?? { min: p.autoscaling.min, max: p.autoscaling.max } } : { count: counts?.[p.name] ?? p.count }) })),
    image: { ...inputs.resolved, text: inputs.image },
    counts,
    ranges,
    parameters,
    wantsDb,
    previous,
    replaceCorrupt,
    settings: inputs.settings ? { overlay: settingsSnapshot(inputs.settings), revision: inputs.settings.revision } : recordedSettings(release),
    unchanged: null,
    notes,
  };
  // A task definition ECS would refuse (over 64 KiB, most often from large variables) stops here, before the lock.
  const record = release.state === 'ok' ? release.record : undefined;
  const over = oversizeTaskDefinitions(config, t, plan.settings.overlay, record?.port ?? config.ports.range[0], record?.databaseSecretArn);
  if (over.length) throw usageError(`deploy ${t.app} ${t.env}: ${describeOversize(over)}; make the app's variables smaller ("cyclops vars list ${t.app} ${t.env}" shows them)`);
  plan.unchanged = unchangedRendering(config, plan, release, stack);
  return plan;
}

/** The rendering the stack and the record both say runs, when this deploy would change nothing; else null. */
function unchangedRendering(config: Config, plan: DeployPlan, release: ReleaseState, stack: StackSummary | null): Rendered | null {
  if (release.state !== 'ok' || !stack || plan.kind !== 'deploy' || !settingsFresh(release, release.record)) return null;
  const record = release.record;
  if (record.port === undefined || (plan.wantsDb && !record.databaseSecretArn)) return null;
  const rendered = renderPlan(config, plan, record.port, plan.wantsDb ? record.databaseSecretArn : undefined);
  return stackRuns(stack, rendered) && recordMatches(record, rendered) ? rendered : null;
}

/** The template and parameters for this plan, once the port and the database secret are known. */
export function renderPlan(config: Config, plan: DeployPlan, port: number, databaseSecretArn: string | undefined): Rendered {
  return render(config, plan.target, plan.parameters, port, databaseSecretArn, plan.settings.overlay);
}

/** The current record's settings are the newest (the read step then skips reading them). */
export const settingsKnown = (release: ReleaseState): boolean => release.state === 'ok' && settingsFresh(release, release.record);

function recordedSettings(release: ReleaseState): DeployPlan['settings'] {
  if (release.state !== 'ok' || !settingsKnown(release)) throw new Error('planDeploy: the settings were not read and the release record does not carry the newest');
  return { overlay: release.record.settings ?? { vars: {}, secrets: {} }, revision: release.record.settingsRevision ?? 0 };
}

/** The record to build on. A corrupt one is replaced when the stack proves what is deployed; else refused up front. */
function previousRecord(stackName: string, release: ReleaseState, stack: StackSummary | null): { previous: ReleaseRecord | null; replaceCorrupt: boolean; note?: PlanNote } {
  if (release.state === 'none') return { previous: null, replaceCorrupt: false };
  if (release.state === 'ok') return { previous: release.record, replaceCorrupt: false };
  const where = `s3://${release.bucket}/${release.key}`;
  if (stack && isSettled(stack.status)) {
    const message = `${where}: is not a valid release record (${release.problem}); this deploy replaces it (${restoreHint(release)})`;
    return { previous: release.lastGood?.record ?? null, replaceCorrupt: true, note: { level: 'warning', code: 'deploy.release.replace-corrupt', data: { key: release.key, problem: release.problem }, message } };
  }
  throw usageError(`${where}: is not a valid release record (${release.problem}) and stack ${stackName} is not settled to prove what runs; ${restoreHint(release)}`);
}

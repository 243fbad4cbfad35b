/**
 * What a deploy asks for, rendered (template body, digest, parameters), and how it compares
 * with what the stack runs and what the release record says. Pure.
 */
import { appConfig, serviceProcesses, type Config } from '../config/model';
import { appUrl, clusterName, serviceName, TAG_APP, TAG_ENV, TEMPLATE_DIGEST_OUTPUT } from '../naming';
import { effectiveApp, renderApp, templateBody, templateDigest, type AppOverlay } from '../plan';
import { classify } from '../stacks/status';
import type { Parameter, StackSummary } from '../stacks';
import { digestOf, outcomeOf, type ReleaseRecord, type ReleaseState } from '../store';
import { isCyclopsError, usageError } from '../errors';
import type { AppTarget } from '../plan/target';
import { isWeightParameter } from './traffic';

/** Task counts by process name (any service process of the app). */
export type Counts = Record<string, number>;

export interface Rendered {
  body: string;
  digest: string;
  parameterList: Parameter[];
  parameters: Record<string, string>;
  port: number;
  databaseSecretArn?: string;
  /** the stored vars and secret ARNs it was rendered with */
  overlay: AppOverlay;
  /** sha256 of the effective env and secret references */
  settingsDigest: string;
}

const NO_OVERLAY: AppOverlay = { vars: {}, secrets: {} };

/** The app's template for this port, database secret and settings, with parameters already checked (planDeploy). */
export function render(config: Config, t: AppTarget, parameterList: Parameter[], port: number, databaseSecretArn?: string, overlay: AppOverlay = NO_OVERLAY): Rendered {
  const template = renderApp(config, t.env, t.app, { port, databaseSecretArn, overlay });
  const app = effectiveApp(config, t.app, t.env, overlay);
  return {
    body: templateBody(template),
    digest: templateDigest(template),
    parameterList,
    parameters: Object.fromEntries(parameterList.map((p) => [p.ParameterKey, p.ParameterValue])),
    port,
    databaseSecretArn,
    overlay,
    settingsDigest: digestOf([Object.entries(app.env).sort(), Object.entries(app.secrets).sort()]),
  };
}

/** The service processes (web, workers, internal services) whose counts a stack parameter holds. */
export const scalable = (config: Config, app: string, env: string) => serviceProcesses(appConfig(config, app, env)).map((p) => p.name);

/** Counts for processes the app has, each 0..100; anything else is a usage error before any AWS call. */
export function checkCounts(config: Config, t: AppTarget, counts: Record<string, number> | undefined): Counts | undefined {
  if (!counts) return undefined;
  const a = appConfig(config, t.app, t.env);
  const known = scalable(config, t.app, t.env);
  for (const [name, n] of Object.entries(counts)) {
    const p = a.processes.find((x) => x.name === name);
    if (p?.kind === 'cron' || p?.kind === 'release') {
      const what = p.kind === 'cron' ? 'is a cron process: it runs on its schedule' : 'is the release phase: it runs once per deploy';
      throw usageError(`${name}=${n}: ${t.app}'s ${name} ${what} and has no task count; scale ${known.join(' or ') || 'a service process'}`);
    }
    if (!known.includes(name)) {
      throw usageError(`${name}=${n}: ${t.app} has no ${name} process (it has ${known.join(', ') || 'none that scale'}); use one of those, or add the process in ${config.file}`);
    }
    if (!Number.isInteger(n) || n < 0 || n > 100) throw usageError(`${name}=${n}: not a valid task count; use a whole number from 0 to 100`);
  }
  return counts;
}

/** Counts that differ from config, as "web 3 (config 1)"; empty when they agree. */
export function countDrift(config: Config, t: AppTarget, counts: Counts | undefined): string[] {
  if (!counts) return [];
  return serviceProcesses(appConfig(config, t.app, t.env))
    .filter((p) => counts[p.name] !== undefined && counts[p.name] !== p.count)
    .map((p) => `${p.name} ${counts[p.name]} (config ${p.count})`);
}

/** The release is the newest settings' (no vars/secrets change since it was rendered). */
export const settingsFresh = (state: ReleaseState, record: ReleaseRecord) => (state.state === 'ok' ? (state.settingsRevision ?? 0) <= (record.settingsRevision ?? 0) : false);

/** The outcome an error means for the release log: rolled back by ECS, interrupted, or failed. */
export function failedOutcome(e: unknown, signal: AbortSignal): Pick<ReleaseRecord, 'outcome' | 'reason'> {
  const reason = ((e as Error)?.message ?? String(e)).split('\n')[0];
  if (isCyclopsError(e) && e.code === 'rollout-failed') return { outcome: 'rolled-back', reason };
  if (isCyclopsError(e) && e.code === 'aborted') return { outcome: 'aborted', reason };
  if ((e as { exitCode?: number })?.exitCode === 130 || signal.aborted) return { outcome: 'interrupted', reason };
  return { outcome: 'failed', reason };
}

export const succeeded = (r: ReleaseRecord | null | undefined) => !!r && outcomeOf(r) === 'succeeded';

const sameRecord = (a: Record<string, string> | undefined, b: Record<string, string>) =>
  !!a && Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** A finished stack state (CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE...). */
export const isSettled = (status: string) => classify(status) === 'stable' && status.endsWith('_COMPLETE');

/**
 * The stack says it was made from exactly this template and these parameters, and is at
 * rest: the one witness of what runs. The TemplateDigest output is read from the stack
 * itself, changes with every template CloudFormation applies, and comes back with the old
 * template when an update rolls back; the release phase asks the same question. (The
 * record's stackUpdatedAt is kept as history, not as a second witness: LastUpdatedTime also
 * moves on updates that change nothing cyclops renders.)
 */
export function stackRuns(stack: StackSummary, r: Rendered): boolean {
  // The traffic weights of a blue/green app are the load balancer's, not the release's (src/ops/traffic.ts).
  const parameters = Object.fromEntries(Object.entries(stack.parameters).filter(([k]) => !isWeightParameter(k)));
  return isSettled(stack.status) && stack.outputs[TEMPLATE_DIGEST_OUTPUT] === r.digest && sameRecord(parameters, r.parameters);
}

const stamp = (s: StackSummary | null) => s?.lastUpdated?.toISOString();

/**
 * The release record describes this rendering: a deploy whose stack already runs it still
 * writes the record when this is false (a rerun after a deploy killed before its record).
 */
export function recordMatches(record: ReleaseRecord | null, r: Rendered): boolean {
  return (
    !!record &&
    record.templateDigest === r.digest &&
    record.port === r.port &&
    record.databaseSecretArn === r.databaseSecretArn &&
    sameRecord(record.parameters, r.parameters)
  );
}

/** Nothing about the stack moved between two reads. */
export function sameState(a: StackSummary, b: StackSummary | null): boolean {
  return (
    !!b &&
    a.id === b.id &&
    a.status === b.status &&
    stamp(a) === stamp(b) &&
    a.outputs[TEMPLATE_DIGEST_OUTPUT] === b.outputs[TEMPLATE_DIGEST_OUTPUT] &&
    sameRecord(a.parameters, b.parameters)
  );
}

/** The stack must be this app's: a stack whose cyclops tags name another app is never touched. */
export function checkOwner(stack: StackSummary | null, t: AppTarget): void {
  if (stack && (stack.tags[TAG_APP] !== t.app || stack.tags[TAG_ENV] !== t.env)) {
    throw usageError(
      `stack ${stack.name}: is not ${t.app} in ${t.env} (its cyclops tags say app "${stack.tags[TAG_APP] ?? '-'}", env "${stack.tags[TAG_ENV] ?? '-'}"); nothing was changed; check the names`,
    );
  }
}

/** The app's ECS services and cluster, by their deterministic names. */
export function appServices(config: Config, t: AppTarget): { cluster: string; services: string[] } {
  const services = serviceProcesses(appConfig(config, t.app, t.env)).map((p) => serviceName(t.app, p.name));
  return { cluster: clusterName(config.platform.name, t.env), services };
}

export function appUrlFor(config: Config, t: AppTarget): string {
  const e = config.environments[t.env];
  return appUrl(t.app, e.dns.domain, e.tls.mode !== 'none');
}

export const stackStamp = stamp;

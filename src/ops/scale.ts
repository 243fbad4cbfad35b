/**
 * `cyclops scale APP ENV web=3 worker=0 [--reset]`: only the count parameters change, on the
 * current release's own template (no re-render); then the rollout wait and a new release
 * (kind scale). The counts stay with the app: later deploys keep them (see deploy), and
 * --reset goes back to config's counts.
 */
import { appConfig, serviceProcesses } from '../config/model';
import { usageError } from '../errors';
import { say } from '../events';
import { appStack } from '../naming';
import { countParameter, maxParameter, minParameter } from '../plan';
import type { ReleaseRecord } from '../store';
import { now, type Ops } from './context';
import { withAppLock } from './lock';
import { elapsed, reapply, requireCurrent, requireTemplate } from './reapply';
import { checkCounts, scalable } from './desired-state';
import type { AppTarget } from '../plan/target';

/** "web=3" and "web=2..10" (an autoscaled process's bounds) arguments; a malformed one is a usage error. */
export function parseCounts(args: string[]): { counts: Record<string, number>; ranges: Ranges } {
  const counts: Record<string, number> = {};
  const ranges: Ranges = {};
  for (const a of args) {
    const m = /^([a-z][a-z0-9-]*)=(-?\d+)(?:\.\.(-?\d+))?$/.exec(a);
    if (!m) throw usageError(`scale ${a}: not a process count; use PROCESS=N, such as web=3 or worker=0 (0-100), or PROCESS=MIN..MAX for an autoscaled process`);
    if (Object.hasOwn(counts, m[1]) || Object.hasOwn(ranges, m[1])) throw usageError(`scale ${a}: sets ${m[1]} a second time; give it once`);
    if (m[3] === undefined) counts[m[1]] = Number(m[2]);
    else ranges[m[1]] = { min: Number(m[2]), max: Number(m[3]) };
  }
  return { counts, ranges };
}

/** Ranges name autoscaled processes only, and counts name only the others: usage errors before anything is read. */
function checkScale(ops: Ops, t: AppTarget, counts: Record<string, number>, ranges: Ranges): void {
  const procs = serviceProcesses(appConfig(ops.config, t.app, t.env));
  for (const [name, n] of Object.entries(counts)) {
    const a = procs.find((p) => p.name === name)?.autoscaling;
    if (a) throw usageError(`scale ${name}=${n}: ${name} autoscales between ${a.min} and ${a.max}; change its bounds instead, such as ${name}=${a.min}..${Math.max(a.max, n)}`);
  }
  for (const [name, r] of Object.entries(ranges)) {
    const p = procs.find((x) => x.name === name);
    if (!p) throw usageError(`scale ${name}=${r.min}..${r.max}: ${t.app} has no ${name} process (it has ${procs.map((x) => x.name).join(', ') || 'none that scale'}); use one of those`);
    if (!p.autoscaling) throw usageError(`scale ${name}=${r.min}..${r.max}: ${name} does not autoscale; set its count instead (${name}=N), or give it "count": {"min", "max"} in ${ops.config.file}`);
    if (![r.min, r.max].every((n) => Number.isInteger(n) && n >= 0 && n <= 100) || r.max < 1 || r.min > r.max) {
      throw usageError(`scale ${name}=${r.min}..${r.max}: not a valid autoscaling range; use whole numbers MIN..MAX with 0 <= MIN <= MAX <= 100 and MAX >= 1`);
    }
  }
}

/** An autoscaled process's bounds, set by `scale web=2..10`. */
export type Ranges = Record<string, { min: number; max: number }>;

/** The autoscaling bounds config gives each autoscaled process. */
const configRanges = (ops: Ops, t: AppTarget): Ranges =>
  Object.fromEntries(serviceProcesses(appConfig(ops.config, t.app, t.env)).flatMap((p) => (p.autoscaling ? [[p.name, { min: p.autoscaling.min, max: p.autoscaling.max }]] : [])));

export interface ScaleResult {
  app: string;
  env: string;
  stack: string;
  counts: Record<string, number>;
  /** the bounds of autoscaled processes */
  ranges: Ranges;
  previous: Record<string, number>;
  previousRanges: Ranges;
  changed: boolean;
  release: ReleaseRecord | null;
  duration: number;
}

const countsOf = (params: Record<string, string>, kinds: string[]) =>
  Object.fromEntries(kinds.filter((k) => params[countParameter(k)] !== undefined).map((k) => [k, Number(params[countParameter(k)])]));

/** The autoscaling bounds the parameters hold, per autoscaled process. */
const rangesOf = (params: Record<string, string>, kinds: string[]): Ranges =>
  Object.fromEntries(kinds.filter((k) => params[minParameter(k)] !== undefined).map((k) => [k, { min: Number(params[minParameter(k)]), max: Number(params[maxParameter(k)]) }]));

const describe = (counts: Record<string, number>, ranges: Ranges) =>
  [...Object.entries(counts).map(([k, n]) => `${k}=${n}`), ...Object.entries(ranges).map(([k, r]) => `${k}=${r.min}..${r.max}`)].join(' ');

export async function scale(ops: Ops, t: AppTarget, req: { counts: Record<string, number>; ranges?: Ranges; reset?: boolean; timeoutSeconds?: number }): Promise<ScaleResult> {
  const started = now(ops);
  const ranges = req.ranges ?? {};
  const given = Object.keys(req.counts).length + Object.keys(ranges).length;
  if (req.reset && given) throw usageError(`scale --reset: goes back to the counts in ${ops.config.file}; give either --reset or PROCESS=N, not both`);
  if (!req.reset && !given) throw usageError(`scale ${t.app} ${t.env}: no counts given; use PROCESS=N (such as web=3), PROCESS=MIN..MAX for an autoscaled process, or --reset to go back to config`);
  checkScale(ops, t, req.counts, ranges);
  checkCounts(ops.config, t, req.counts);
  const current = requireCurrent(await ops.store.readRelease(t.env, t.app), t, 'scale');
  const template = await requireTemplate(ops, current, 'scale');
  const kinds = scalable(ops.config, t.app, t.env);
  const configCounts = Object.fromEntries(serviceProcesses(appConfig(ops.config, t.app, t.env)).map((p) => [p.name, p.count]));
  const previous = countsOf(template.parameters, kinds);
  const overrides = req.reset ? undefined : { ...current.counts, ...req.counts };
  const rangeOverrides = req.reset ? undefined : Object.keys({ ...current.ranges, ...ranges }).length ? { ...current.ranges, ...ranges } : undefined;
  const wanted = { ...configCounts, ...overrides };
  const bounds = { ...configRanges(ops, t), ...rangeOverrides };
  const parameters = { ...template.parameters };
  for (const k of kinds) {
    if (parameters[countParameter(k)] !== undefined) parameters[countParameter(k)] = String(wanted[k]);
    if (parameters[minParameter(k)] !== undefined && bounds[k]) {
      parameters[minParameter(k)] = String(bounds[k].min);
      parameters[maxParameter(k)] = String(bounds[k].max);
    }
  }
  const stack = appStack(t.platform, t.env, t.app);
  const counts = countsOf(parameters, kinds);
  const bounded = rangesOf(parameters, kinds);
  const previousRanges = rangesOf(template.parameters, kinds);
  const same =
    JSON.stringify(parameters) === JSON.stringify(template.parameters) &&
    JSON.stringify(overrides ?? null) === JSON.stringify(current.counts ?? null) &&
    JSON.stringify(rangeOverrides ?? null) === JSON.stringify(current.ranges ?? null);
  if (same) {
    say.info(ops.events, 'scale.unchanged', { app: t.app, env: t.env, counts, ranges: bounded }, `${t.app} in ${t.env} already runs ${describe(counts, bounded)}; nothing to do`);
    return { app: t.app, env: t.env, stack, counts, ranges: bounded, previous, previousRanges, changed: false, release: current, duration: elapsed(ops, started) };
  }
  say.step(ops.events, 'scale.started', { app: t.app, env: t.env, from: previous, to: counts, fromRanges: previousRanges, toRanges: bounded }, `scaling ${t.app} in ${t.env}: ${describe(previous, previousRanges)} → ${describe(counts, bounded)}`);
  const r = await withAppLock(ops, t, `scale ${describe(counts, bounded)}`, (scope) =>
    reapply(ops, t, scope, { base: current, parameters, kind: 'scale', counts: overrides, ranges: rangeOverrides, timeoutSeconds: req.timeoutSeconds, started }),
  );
  return { app: t.app, env: t.env, stack, counts, ranges: bounded, previous, previousRanges, changed: true, release: r.release, duration: elapsed(ops, started) };
}

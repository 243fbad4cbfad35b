/**
 * `cyclops metrics APP ENV [--since 3h] [--process P]`: CPU and memory per process (AWS/ECS),
 * and for the web process requests, the 5xx rate, target response time p50/p95 and healthy
 * targets (AWS/ApplicationELB, by the env's load balancer and the app's target group), all from
 * one batched GetMetricData. Each series is aligned on the same periods: a period without data
 * is null (a gap), never a zero. Releases in the window come from the release log.
 */
import { appConfig, serviceProcesses } from '../config/model';
import { usageError } from '../errors';
import { appStack, clusterName, serviceName } from '../naming';
import type { MetricQuery } from '../aws/cloudwatch';
import { now, type Ops } from './context';
import type { AppTarget } from '../plan/target';

/** About this many periods per window: a chart of ~40 columns fits 80 with its labels and stats. */
export const POINTS = 40;
const WEB_TARGET_GROUP = 'WebTargetGroup';

export interface Series {
  /** "web cpu", "requests", "5xx rate" … */
  name: string;
  process: string | null;
  unit: '%' | 'count' | 's';
  /** one value per period (null: no data) */
  values: (number | null)[];
}

export interface MetricsResult {
  app: string;
  env: string;
  /** ISO: the first period's start, and the window's end */
  start: string;
  end: string;
  periodSeconds: number;
  /** each period's start (ISO), the index of `values` */
  timestamps: string[];
  series: Series[];
  releases: { number: number; at: string; description?: string }[];
  /** why the web metrics are missing, when they are */
  notes: string[];
}

/** A period that is a whole minute and gives about POINTS periods over the window. */
export const periodFor = (windowSeconds: number) => Math.max(60, Math.ceil(windowSeconds / POINTS / 60) * 60);

/** Datapoints onto the periods from `start`: the bucket each falls in; empty buckets stay null. */
export function align(points: { at: number; value: number }[], start: number, periodMs: number, n: number): (number | null)[] {
  const out: (number | null)[] = Array.from({ length: n }, () => null);
  for (const p of points) {
    const i = Math.floor((p.at - start) / periodMs);
    if (i >= 0 && i < n) out[i] = p.value;
  }
  return out;
}

/** 100 × 5xx / requests per period; no requests is no rate (a gap), and no 5xx datapoint with requests is 0. */
export function errorRate(requests: (number | null)[], errors: (number | null)[]): (number | null)[] {
  return requests.map((r, i) => (r === null || r === 0 ? null : (100 * (errors[i] ?? 0)) / r));
}

const arnName = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

export async function metrics(ops: Ops, t: AppTarget, opts: { since: number; process?: string }): Promise<MetricsResult> {
  const app = appConfig(ops.config, t.app, t.env);
  const procs = serviceProcesses(app);
  if (opts.process !== undefined && !procs.some((p) => p.name === opts.process)) {
    throw usageError(`metrics --process ${opts.process}: ${t.app} has no ${opts.process} service in ${t.env} (it has ${procs.map((p) => p.name).join(', ') || 'none'})`);
  }
  const end = now(ops);
  if (opts.since >= end) throw usageError(`metrics --since: ${new Date(opts.since).toISOString()} is not in the past; give a duration such as 3h or an earlier time`);
  const periodSeconds = periodFor((end - opts.since) / 1000);
  const periodMs = periodSeconds * 1000;
  const start = Math.floor(opts.since / periodMs) * periodMs;
  const n = Math.ceil((end - start) / periodMs);
  const chosen = procs.filter((p) => opts.process === undefined || p.name === opts.process);
  const cluster = clusterName(t.platform, t.env);
  const queries: MetricQuery[] = [];
  const series: { id: string; name: string; process: string | null; unit: Series['unit'] }[] = [];
  const ecs = (id: string, p: string, metric: string, name: string) => {
    queries.push({ id, namespace: 'AWS/ECS', metric, dimensions: { ClusterName: cluster, ServiceName: serviceName(t.app, p) }, stat: 'Average', periodSeconds });
    series.push({ id, name, process: p, unit: '%' });
  };
  chosen.forEach((p, i) => {
    ecs(`cpu${i}`, p.name, 'CPUUtilization', `${p.name} cpu`);
    ecs(`mem${i}`, p.name, 'MemoryUtilization', `${p.name} memory`);
  });
  const notes: string[] = [];
  const web = chosen.find((p) => p.kind === 'web');
  if (web) {
    const [outputs, resources] = await Promise.all([ops.stacks.envOutputs(t.env), ops.stacks.resources(appStack(t.platform, t.env, t.app)).catch(() => [])]);
    const lb = outputs?.loadBalancerFullName;
    const tg = resources.find((r) => r.logicalId === WEB_TARGET_GROUP)?.physicalId;
    if (lb && tg) {
      const dimensions = { LoadBalancer: lb, TargetGroup: arnName(tg) };
      const alb = (id: string, metric: string, stat: string) => queries.push({ id, namespace: 'AWS/ApplicationELB', metric, dimensions, stat, periodSeconds });
      alb('req', 'RequestCount', 'Sum');
      alb('e5xx', 'HTTPCode_Target_5XX_Count', 'Sum');
      alb('p50', 'TargetResponseTime', 'p50');
      alb('p95', 'TargetResponseTime', 'p95');
      alb('healthy', 'HealthyHostCount', 'Average');
    } else {
      notes.push(`no load balancer metrics: ${!lb ? `the ${t.env} stack has no load balancer output` : `${t.app}'s stack has no web target group (not deployed?)`}`);
    }
  }
  const [data, list] = await Promise.all([ops.metrics.data(queries, new Date(start), new Date(end)), ops.store.listReleases(t.env, t.app, { limit: 20 })]);
  const values = (id: string) => align(data.get(id) ?? [], start, periodMs, n);
  const out: Series[] = series.map((s) => ({ name: s.name, process: s.process, unit: s.unit, values: values(s.id) }));
  if (queries.some((q) => q.id === 'req')) {
    const requests = values('req');
    out.push(
      { name: 'requests', process: 'web', unit: 'count', values: requests },
      { name: '5xx rate', process: 'web', unit: '%', values: errorRate(requests, values('e5xx')) },
      { name: 'p50 response', process: 'web', unit: 's', values: values('p50') },
      { name: 'p95 response', process: 'web', unit: 's', values: values('p95') },
      { name: 'healthy targets', process: 'web', unit: 'count', values: values('healthy') },
    );
  }
  const releases = list.records
    .flatMap((r) => (r.record ? [r.record] : []))
    .filter((r) => Date.parse(r.deployedAt) >= start && Date.parse(r.deployedAt) <= end)
    .map((r) => ({ number: r.number ?? 0, at: r.deployedAt, ...(r.description ? { description: r.description } : {}) }))
    .reverse();
  return {
    app: t.app,
    env: t.env,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    periodSeconds,
    timestamps: Array.from({ length: n }, (_, i) => new Date(start + i * periodMs).toISOString()),
    series: out,
    releases,
    notes,
  };
}

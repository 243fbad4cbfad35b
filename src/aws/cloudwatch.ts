/** CloudWatch, in cyclops's own types: the states of alarms, looked up by their fixed names. */
import type { Aws } from './client';
import { call } from './call';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmState {
  name: string;
  state: AlarmStateValue;
  /** CloudWatch's reason for the last state change */
  reason: string;
  /** when the state last changed (ISO 8601); null when CloudWatch gives none */
  updatedAt: string | null;
}

/** DescribeAlarms takes at most 100 names per request. */
const NAMES_PER_CALL = 100;

/** The alarms among `names` that exist, in the order given; names with no alarm are left out. */
export async function describeAlarms(aws: Aws, names: string[]): Promise<AlarmState[]> {
  const found = new Map<string, AlarmState>();
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    const AlarmNames = names.slice(i, i + NAMES_PER_CALL);
    let NextToken: string | undefined;
    do {
      const page = await call(aws, `read the alarms ${AlarmNames.join(', ')}`, () =>
        aws.cloudwatch.send(new aws.sdk.cloudwatch.DescribeAlarmsCommand({ AlarmNames, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken })),
      );
      for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        if (!a.AlarmName) continue;
        found.set(a.AlarmName, {
          name: a.AlarmName,
          state: (a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmStateValue,
          reason: a.StateReason ?? '',
          updatedAt: a.StateUpdatedTimestamp ? new Date(a.StateUpdatedTimestamp).toISOString() : null,
        });
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return names.flatMap((n) => (found.has(n) ? [found.get(n)!] : []));
}

/** One metric of a GetMetricData batch: a namespace, name, dimensions and statistic ("Average", "Sum", "p95"). */
export interface MetricQuery {
  /** lower-case letter first, then letters, digits and underscores (CloudWatch's rule for an Id) */
  id: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: string;
  periodSeconds: number;
}

/** GetMetricData takes at most 500 queries per request. */
const QUERIES_PER_CALL = 500;

/**
 * Every query's datapoints between `start` and `end`, by id, oldest first (one request per 500
 * queries, and its pages). A period without data has no datapoint: nothing is filled in.
 */
export async function getMetricData(aws: Aws, queries: MetricQuery[], start: Date, end: Date): Promise<Map<string, { at: number; value: number }[]>> {
  const out = new Map<string, { at: number; value: number }[]>(queries.map((q) => [q.id, []]));
  for (let i = 0; i < queries.length; i += QUERIES_PER_CALL) {
    const MetricDataQueries = queries.slice(i, i + QUERIES_PER_CALL).map((q) => ({
      Id: q.id,
      MetricStat: {
        Metric: { Namespace: q.namespace, MetricName: q.metric, Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })) },
        Period: q.periodSeconds,
        Stat: q.stat,
      },
      ReturnData: true,
    }));
    let NextToken: string | undefined;
    do {
      const page = await call(aws, `read ${MetricDataQueries.length} CloudWatch metrics`, () =>
        aws.cloudwatch.send(new aws.sdk.cloudwatch.GetMetricDataCommand({ MetricDataQueries, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending', NextToken })),
      );
      for (const r of page.MetricDataResults ?? []) {
        const points = out.get(r.Id ?? '');
        if (!points) continue;
        (r.Timestamps ?? []).forEach((t, k) => {
          const value = r.Values?.[k];
          if (value !== undefined && Number.isFinite(value)) points.push({ at: new Date(t).getTime(), value });
        });
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }
  for (const points of out.values()) points.sort((a, b) => a.at - b.at);
  return out;
}

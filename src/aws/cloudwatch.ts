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

/** CloudWatch Logs, in cyclops's own types: one page of an app's log events. */
import type { Aws } from './client';
import { callOr } from './call';
import { awsErrorName } from './errors';

export interface LogEventRow {
  id: string;
  timestamp: number;
  message: string;
  stream: string;
}

export interface LogQuery {
  group: string;
  /** only streams whose name starts with this (a process: "web/") */
  streamPrefix?: string;
  /** exactly these streams (a one-off task's own stream) */
  streams?: string[];
  /** epoch milliseconds, inclusive */
  start?: number;
  end?: number;
  /** a CloudWatch Logs filter pattern */
  pattern?: string;
  limit?: number;
  nextToken?: string;
}

export interface LogPage {
  events: LogEventRow[];
  nextToken?: string;
}

/** One FilterLogEvents page; `null` when the log group does not exist. */
export async function filterLogEvents(aws: Aws, q: LogQuery): Promise<LogPage | null> {
  const out = await callOr(
    aws,
    `read log group ${q.group}`,
    () =>
      aws.logs.send(
        new aws.sdk.logs.FilterLogEventsCommand({
          logGroupName: q.group,
          ...(q.streams?.length ? { logStreamNames: q.streams } : q.streamPrefix ? { logStreamNamePrefix: q.streamPrefix } : {}),
          ...(q.start !== undefined ? { startTime: q.start } : {}),
          ...(q.end !== undefined ? { endTime: q.end } : {}),
          ...(q.pattern ? { filterPattern: q.pattern } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
          ...(q.nextToken ? { nextToken: q.nextToken } : {}),
        }),
      ),
    (e) => (awsErrorName(e) === 'ResourceNotFoundException' ? null : undefined),
  );
  if (out === null) return null;
  return {
    events: (out.events ?? []).map((e) => ({
      id: e.eventId ?? `${e.logStreamName}:${e.timestamp}:${e.message}`,
      timestamp: e.timestamp ?? 0,
      message: (e.message ?? '').replace(/\n$/, ''),
      stream: e.logStreamName ?? '',
    })),
    ...(out.nextToken ? { nextToken: out.nextToken } : {}),
  };
}

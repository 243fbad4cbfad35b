/**
 * Pure helpers for reading an app's logs: time bounds (--since/--until), the process and task
 * a stream belongs to, interleaving by time, and dropping events already shown (--follow).
 */

/** One log event as cyclops shows it. */
export interface LogLine {
  /** CloudWatch's eventId: unique in the group */
  id: string;
  /** ISO 8601 */
  timestamp: string;
  /** the awslogs stream prefix: the process name (web, worker, cron, release) */
  process: string;
  /** the ECS task id ("-" when the stream name has none) */
  task: string;
  message: string;
}

export { parseTime } from './inputs';

/** awslogs names a stream `<prefix>/<container>/<task id>`; the prefix is the process. */
export function parseStream(stream: string): { process: string; container: string; task: string } {
  const [process = stream, container = '', ...rest] = stream.split('/');
  return { process, container, task: rest.join('/') || '-' };
}

/** The stream of a task's container: what `run` and the release phase read. */
export const taskStream = (prefix: string, container: string, taskArn: string) => `${prefix}/${container}/${taskArn.split('/').pop()}`;

export function toLine(e: { id: string; timestamp: number; message: string; stream: string }): LogLine {
  const s = parseStream(e.stream);
  return { id: e.id, timestamp: new Date(e.timestamp).toISOString(), process: s.process, task: s.task, message: e.message };
}

/** By time; ties keep the order of the stream name, then the event id, so output is stable. */
export function interleave<T extends { timestamp: number; stream: string; id: string }>(events: T[]): T[] {
  return [...events].sort((a, b) => a.timestamp - b.timestamp || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Remembers the events already shown. A poll starts at the newest timestamp seen (inclusive,
 * since several events can share a millisecond), so only ids at or after that point need
 * remembering: older ones are forgotten and the set stays small on a long --follow.
 */
export class Seen {
  private ids = new Map<string, number>();
  /** the next poll's start: the newest timestamp seen */
  cursor: number;

  constructor(start: number) {
    this.cursor = start;
  }

  /** The events not seen before, in time order; advances the cursor. */
  fresh<T extends { timestamp: number; stream: string; id: string }>(events: T[]): T[] {
    const out: T[] = [];
    for (const e of interleave(events)) {
      if (this.ids.has(e.id) || e.timestamp < this.cursor) continue; // shown, or behind the window
      this.ids.set(e.id, e.timestamp);
      out.push(e);
      if (e.timestamp > this.cursor) this.cursor = e.timestamp;
    }
    for (const [id, ts] of this.ids) if (ts < this.cursor) this.ids.delete(id);
    return out;
  }

  get size(): number {
    return this.ids.size;
  }
}

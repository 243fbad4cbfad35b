/**
 * Stack events as they happen. DescribeStackEvents lists newest first; each poll pages only
 * until it reaches the newest event already seen (or one older than the operation), so the
 * history of a long-lived stack is never paged again.
 */
import type { Aws } from '../aws/client';
import { stackEventsPage, type StackEventRow } from '../aws/cloudformation';
import type { Events } from '../events';
import type { Poller } from './poll';

export type StackEventLine = StackEventRow;

/** Clock skew allowed between this machine and CloudFormation when bounding by time. */
const SKEW_MS = 5 * 60 * 1000;

const CANCELLED = /Resource (creation|update|deletion) cancelled/i;

export class EventStream {
  private lastId?: string;
  private readonly failed: StackEventLine[] = [];
  /** pages read in total, for tests */
  pages = 0;

  constructor(
    private readonly aws: Aws,
    private readonly events: Events,
    private readonly poller: Poller,
    /** stack name or id; an id keeps working after the stack is deleted */
    private readonly stack: string,
    private readonly since: Date = new Date(),
    /** the stack's name, for the events (defaults to `stack`) */
    private readonly stackName: string = stack,
  ) {}

  /** Remember the newest existing event, so that only later ones are shown. One page. */
  async prime(): Promise<void> {
    const page = await this.page(undefined);
    this.lastId = page.events[0]?.id ?? this.lastId;
  }

  /** Fetch, emit and return the events since the last poll, oldest first. */
  async poll(): Promise<StackEventLine[]> {
    const fresh: StackEventLine[] = [];
    const floor = this.since.getTime() - SKEW_MS;
    let token: string | undefined;
    outer: do {
      const page = await this.page(token);
      for (const ev of page.events) {
        if (ev.id === this.lastId) break outer;
        if (ev.timestamp && ev.timestamp.getTime() < floor) break outer;
        fresh.push(ev);
      }
      token = page.next;
    } while (token);
    if (fresh.length) this.lastId = fresh[0].id;
    fresh.reverse();
    for (const ev of fresh) {
      if (ev.status.endsWith('_FAILED') && ev.reason) this.failed.push(ev);
      this.events.emit({
        type: 'stack-event',
        code: 'stack.resource.event',
        stack: this.stackName,
        logicalId: ev.logicalId,
        resourceType: ev.resourceType,
        status: ev.status,
        ...(ev.reason ? { reason: ev.reason } : {}),
        ...(ev.timestamp ? { timestamp: ev.timestamp.toISOString() } : {}),
      });
    }
    return fresh;
  }

  /**
   * The reasons worth showing for a failure: resource failures first; "cancelled" siblings
   * and the stack's own summary line only when nothing better is known.
   */
  failures(): string[] {
    const own = this.failed.filter((e) => e.resourceType !== 'AWS::CloudFormation::Stack');
    const real = own.filter((e) => !CANCELLED.test(e.reason ?? ''));
    const pick = real.length ? real : own.length ? own : this.failed;
    return pick.map((e) => `${e.logicalId} (${e.resourceType}) ${e.status}: ${e.reason}`);
  }

  private async page(token: string | undefined): Promise<{ events: StackEventLine[]; next?: string }> {
    // A stack that is gone (deleted by name) has no more events to show: an empty page.
    const page = await this.poller.call(() => stackEventsPage(this.aws, this.stack, token));
    this.pages++;
    return page;
  }
}

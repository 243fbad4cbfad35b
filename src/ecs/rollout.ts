/**
 * ECS services of an app stack: find them, read their counts, and wait until a deployment
 * has rolled out (the primary deployment's rolloutState), with a clear error when the
 * deployment circuit breaker rolled it back. The wait emits events: each service's rollout
 * when it changes, every new ECS service event once, and a heartbeat while nothing changes.
 */
import type { Aws } from '../aws/client';
import type { Deadline } from '../deadline';
import { stackResources } from '../aws/cloudformation';
import * as ecs from '../aws/ecs';
import { CyclopsError, ExitCode, failure, interrupted } from '../errors';
import type { Events } from '../events';
import { Poller } from '../stacks/poll';
import type { PollOptions } from '../stacks/types';

/** A service's counts and primary deployment, with the newest three event messages. */
export interface ServiceState extends Omit<ecs.ServiceRow, 'events'> {
  events: string[];
}

/** The ECS services (ARNs) a stack created, from its resources. */
export async function stackServices(aws: Aws, stackName: string): Promise<string[]> {
  const rows = await stackResources(aws, stackName, `list the services of stack ${stackName}`);
  return rows.filter((r) => r.resourceType === 'AWS::ECS::Service' && r.physicalId && r.status !== 'DELETE_COMPLETE').map((r) => r.physicalId as string);
}

const toState = (s: ecs.ServiceRow): ServiceState => ({ ...s, events: s.events.slice(0, 3).map((e) => e.message) });

export async function describeServices(aws: Aws, cluster: string, services: string[]): Promise<ServiceState[]> {
  if (!services.length) return [];
  return (await ecs.describeServices(aws, cluster, services)).map(toState);
}

/** Start a new deployment of each service (same task definition), e.g. to pick up a rotated secret. */
export async function restartServices(aws: Aws, cluster: string, services: string[]): Promise<string[]> {
  const names: string[] = [];
  for (const service of services) names.push(await ecs.forceNewDeployment(aws, cluster, service));
  return names;
}

export interface RolloutOptions {
  timeoutSeconds?: number;
  /** the command's one deadline (wins over timeoutSeconds) */
  deadline?: Deadline;
  signal?: AbortSignal;
  poll?: PollOptions;
  /** service events from before this moment are old news (default: when the wait starts) */
  since?: Date;
  /** a heartbeat after this long without news (default 30 s) */
  heartbeatMs?: number;
}

/** Remembers what was already said, so each rollout change and each service event is emitted once. */
class RolloutNews {
  private readonly lines = new Map<string, string>();
  private readonly seen = new Set<string>();
  constructor(
    private readonly events: Events,
    private readonly since: number,
  ) {}

  /** Emit what is new in this poll; true when anything was. */
  report(rows: ecs.ServiceRow[]): boolean {
    let news = false;
    for (const s of rows) {
      const counts = { running: s.running, desired: s.desired, pending: s.pending, failed: s.failedTasks };
      const line = JSON.stringify([s.rollout, counts]);
      if (this.lines.get(s.name) !== line) {
        this.events.emit({ type: 'service-rollout', code: 'service.rollout.progress', service: s.name, rollout: s.rollout ?? 'no deployment', ...counts });
        this.lines.set(s.name, line);
        news = true;
      }
      // ECS lists events newest first; say them oldest first.
      for (const e of [...s.events].reverse()) {
        if (this.seen.has(e.id)) continue;
        this.seen.add(e.id);
        if (e.at && e.at.getTime() < this.since) continue;
        this.events.emit({ type: 'service-event', code: 'service.event', service: s.name, message: e.message, ...(e.at ? { at: e.at.toISOString() } : {}) });
        news = true;
      }
    }
    return news;
  }
}

/**
 * Wait until every service's primary deployment is COMPLETED. FAILED (the circuit breaker
 * rolled back) is an error that names the service and ECS's reason.
 */
export async function waitForRollout(aws: Aws, events: Events, cluster: string, services: string[], opts: RolloutOptions = {}): Promise<ServiceState[]> {
  const poller = new Poller({ timeoutSeconds: opts.timeoutSeconds, deadline: opts.deadline, signal: opts.signal, poll: { intervalMs: 3000, ...opts.poll } });
  const now = opts.poll?.now ?? opts.deadline?.now ?? Date.now;
  const started = now();
  const beatMs = opts.heartbeatMs ?? 30_000;
  let lastNews = started;
  const news = new RolloutNews(events, opts.since?.getTime() ?? started);
  for (;;) {
    if (poller.aborted) throw interrupted('interrupted while waiting for the services to roll out; the deployment goes on in ECS');
    const rows = services.length ? await poller.call(() => ecs.describeServices(aws, cluster, services)) : [];
    const states = rows.map(toState);
    if (news.report(rows)) lastNews = now();
    else if (now() - lastNews >= beatMs) {
      events.emit({ type: 'heartbeat', code: 'wait.heartbeat', what: `${services.length} service(s) to roll out`, elapsedSeconds: Math.round((now() - started) / 1000), timeoutSeconds: poller.timeoutSeconds });
      lastNews = now();
    }
    const failed = states.find((s) => s.rollout === 'FAILED');
    if (failed) {
      throw new CyclopsError(
        `service ${failed.name}: the deployment failed and the circuit breaker rolled it back (${failed.rolloutReason ?? failed.events[0] ?? 'no reason given'}); check the app's logs and health check`,
        { exitCode: ExitCode.FAILED, code: 'rollout-failed', details: failed.events },
      );
    }
    if (states.length === services.length && states.every((s) => s.rollout === 'COMPLETED')) return states;
    if (poller.timedOut) {
      const pending = states.filter((s) => s.rollout !== 'COMPLETED').map((s) => `${s.name} ${s.rollout ?? 'unknown'} ${s.running}/${s.desired}`);
      throw failure(`services did not finish rolling out within ${poller.timeoutSeconds}s (${pending.join(', ')}); check "cyclops status" and the ECS console, or raise --timeout`);
    }
    await poller.wait();
  }
}

/**
 * What engines and ops say while they work. Nothing outside src/report prints: the stack
 * engine, the rollout waiter, the database runners and ops emit these typed events, and the
 * Reporter (the one renderer) turns them into lines on a terminal, plain lines, or one JSON
 * line each (`--progress json`).
 */

export type CyclopsEvent =
  /** a step of the operation starts ("locking shop in staging") */
  | { type: 'step'; message: string }
  /** a neutral line (a change-set row, "no changes") */
  | { type: 'info'; message: string }
  /** a step ended well */
  | { type: 'success'; message: string }
  /** something the user should know; the operation goes on */
  | { type: 'warning'; message: string }
  /** only with --verbose */
  | { type: 'debug'; message: string }
  /** one CloudFormation stack event */
  | {
      type: 'stack-event';
      stack: string;
      logicalId: string;
      resourceType: string;
      status: string;
      reason?: string;
      timestamp?: string;
    }
  /** an ECS service's rollout state changed */
  | {
      type: 'service-rollout';
      service: string;
      rollout: string;
      running: number;
      desired: number;
      pending: number;
      failed: number;
    }
  /** a new ECS service event ("unable to place a task", failing health checks) */
  | { type: 'service-event'; service: string; message: string; at?: string }
  /** a long wait is still going: how long so far, and the limit */
  | { type: 'heartbeat'; what: string; elapsedSeconds: number; timeoutSeconds: number }
  /** a one-off task (database admin task, `run`) changed state: started, PENDING, RUNNING, STOPPED */
  | { type: 'task-state'; task: string; status: string }
  /** a line of output from a one-off task (database admin task, `run`, release phase) */
  | { type: 'task-log'; task: string; message: string; timestamp?: string }
  /** one event of an app's log (`logs`): the output itself, so it goes to stdout */
  | { type: 'log-event'; id: string; timestamp: string; process: string; task: string; message: string };

export type CyclopsEventType = CyclopsEvent['type'];

/** Where events go. The Reporter implements it; tests collect events in an array. */
export interface Events {
  emit(event: CyclopsEvent): void;
}

/**
 * Where secret values are registered so that no renderer ever prints them (the Reporter).
 * Deliberately not an event: a secret must never travel through `emit` (or --progress json).
 */
export interface Redactor {
  secret(value: string | undefined): void;
}

/** Shorthands for the plain-message events, so emitting code stays short. */
export const say = {
  step: (events: Events, message: string) => events.emit({ type: 'step', message }),
  info: (events: Events, message: string) => events.emit({ type: 'info', message }),
  success: (events: Events, message: string) => events.emit({ type: 'success', message }),
  warn: (events: Events, message: string) => events.emit({ type: 'warning', message }),
  debug: (events: Events, message: string) => events.emit({ type: 'debug', message }),
};

/** An Events sink that keeps every event, for tests and for code that reports later. */
export class EventLog implements Events {
  readonly events: CyclopsEvent[] = [];
  emit(event: CyclopsEvent): void {
    this.events.push(event);
  }
  of<T extends CyclopsEventType>(type: T): Extract<CyclopsEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<CyclopsEvent, { type: T }>[];
  }
}

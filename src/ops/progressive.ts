/**
 * Following a blue/green, canary or linear deployment of the web service while it runs
 * (docs/deployments.md): ECS moves the traffic, cyclops reads the service deployment
 * (ListServiceDeployments, DescribeServiceDeployments) and says each phase: new tasks healthy,
 * test traffic, each production shift, the bake counting down, the alarms. The end decides the
 * release: SUCCESSFUL succeeds; a rollback is `rolled-back` with the alarms that fired and
 * ECS's reason; a rollback someone asked for with `cyclops abort` is `aborted`, by them.
 * ServiceDeployment: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
 */
import type { ServiceDeploymentRow } from '../aws/service-deployments';
import type { DeploymentConfig } from '../config/deployment';
import { say } from '../events';
import { now, type Ops } from './context';

export interface PhaseTiming {
  /** ECS's lifecycle stage (SCALE_UP, TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, CLEAN_UP...) */
  stage: string;
  startedAt: string;
  seconds?: number;
}

export interface WatchEnd {
  /** the service deployment's last status */
  status: string;
  outcome: 'succeeded' | 'rolled-back' | 'aborted';
  arn?: string;
  /** `cyclops abort`: the caller's ARN and the user@host that stopped it */
  abortedBy?: string;
  reason?: string;
  /** alarms that fired (a rollback ECS started on an alarm) */
  alarms: string[];
  phases: PhaseTiming[];
}

const TERMINAL = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'];
export const isTerminal = (status: string) => TERMINAL.includes(status);

const PHRASE: Record<string, string> = {
  RECONCILE_SERVICE: 'reconciling the service',
  PRE_SCALE_UP: 'starting the new revision',
  SCALE_UP: 'new tasks starting',
  POST_SCALE_UP: 'new tasks healthy',
  TEST_TRAFFIC_SHIFT: 'test traffic (header X-Cyclops-Test: 1) moving to the new revision',
  POST_TEST_TRAFFIC_SHIFT: 'test traffic on the new revision',
  PRODUCTION_TRAFFIC_SHIFT: 'production traffic shifting',
  POST_PRODUCTION_TRAFFIC_SHIFT: 'production traffic on the new revision',
  BAKE_TIME: 'baking: both revisions run, rollback is instant',
  CLEAN_UP: 'stopping the old revision',
};

/** Says what changed between two reads of the deployment, and keeps the phase timings. */
export class PhaseTracker {
  readonly phases: PhaseTiming[] = [];
  private last: ServiceDeploymentRow | null = null;
  private bakeSaid = -1;

  constructor(
    private readonly ops: Ops,
    private readonly deployment: DeploymentConfig,
  ) {}

  see(row: ServiceDeploymentRow): void {
    const ops = this.ops;
    const prev = this.last;
    this.last = row;
    const at = new Date(now(ops)).toISOString();
    if (row.stage && row.stage !== prev?.stage) {
      const open = this.phases[this.phases.length - 1];
      if (open && open.seconds === undefined) open.seconds = Math.round((now(ops) - Date.parse(open.startedAt)) / 1000);
      this.phases.push({ stage: row.stage, startedAt: at });
      this.bakeSaid = -1;
      const tasks = row.target ? ` (${row.target.running}/${row.target.requested} tasks)` : '';
      say.step(ops.events, 'deployment.phase', { strategy: this.deployment.strategy, stage: row.stage, running: row.target?.running ?? null, requested: row.target?.requested ?? null }, `${this.deployment.strategy}: ${PHRASE[row.stage] ?? row.stage.toLowerCase()}${row.stage.includes('SCALE') ? tasks : ''}`);
    }
    const weight = row.target?.productionWeight;
    if (weight !== undefined && weight !== prev?.target?.productionWeight && (prev || weight > 0)) {
      say.step(ops.events, 'deployment.traffic', { strategy: this.deployment.strategy, percent: weight }, `${this.deployment.strategy}: production traffic ${weight}% on the new revision`);
    }
    if (row.stage === 'BAKE_TIME') {
      const started = Date.parse(this.phases[this.phases.length - 1].startedAt);
      const left = Math.max(0, Math.ceil(this.deployment.bakeMinutes - (now(ops) - started) / 60000));
      if (left !== this.bakeSaid) {
        this.bakeSaid = left;
        say.info(ops.events, 'deployment.bake', { strategy: this.deployment.strategy, minutesLeft: left }, `${this.deployment.strategy}: bake ${left} minute(s) left`);
      }
    }
    const alarms = row.alarms;
    if (alarms && (alarms.status !== prev?.alarms?.status || alarms.triggered.join() !== prev?.alarms?.triggered.join())) {
      const fired = alarms.triggered.length ? `: ${alarms.triggered.join(', ')} fired` : '';
      (alarms.triggered.length ? say.warn : say.info)(ops.events, 'deployment.alarms', { status: alarms.status ?? null, triggered: alarms.triggered }, `alarms ${alarms.status?.toLowerCase() ?? 'unknown'}${fired}`);
    }
  }

  end(row: ServiceDeploymentRow, abortedBy?: string): WatchEnd {
    const open = this.phases[this.phases.length - 1];
    if (open && open.seconds === undefined) open.seconds = Math.round((now(this.ops) - Date.parse(open.startedAt)) / 1000);
    const alarms = row.alarms?.triggered ?? [];
    const succeeded = row.status === 'SUCCESSFUL';
    const fired = alarms.length ? `alarm ${alarms.join(', ')} fired` : '';
    const reason = succeeded ? undefined : [abortedBy ? `aborted by ${abortedBy}` : '', fired, row.rollback?.reason, row.statusReason].filter(Boolean).join('; ') || `deployment ${row.status}`;
    const outcome = succeeded ? 'succeeded' : abortedBy ? 'aborted' : 'rolled-back';
    return { status: row.status, outcome, ...(row.arn ? { arn: row.arn } : {}), ...(abortedBy && !succeeded ? { abortedBy } : {}), ...(reason ? { reason } : {}), alarms, phases: this.phases };
  }
}

export interface WatchOptions {
  /** only deployments created at or after this */
  since?: Date;
  /** a deployment to pass over: the newest one before this deploy asked for a change */
  ignore?: string;
  signal: AbortSignal;
  /** between reads; 10 s by default */
  pollMs?: number;
  /** ends the watch early (the caller's deadline) */
  expired?: () => boolean;
  /** the stack update is over: when no new deployment appeared by now, none will (the update did not touch the web service) */
  settled?: () => boolean;
  /** where `cyclops abort` leaves its marker */
  app?: { env: string; app: string };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Reads the web service's newest deployment (created since `since`) until it ends; says each
 * phase on the way. Null when the watch was stopped (signal, deadline) before the end.
 */
export async function watchDeployment(ops: Ops, cluster: string, service: string, deployment: DeploymentConfig, o: WatchOptions): Promise<WatchEnd | null> {
  if (!ops.deployments) return null;
  const tracker = new PhaseTracker(ops, deployment);
  let abortedBy: string | undefined;
  for (;;) {
    if (o.signal.aborted || o.expired?.()) return null;
    const settled = o.settled?.() ?? false; // read before the deployment, so a deployment made just before the stack settled is seen
    const found = await ops.deployments.latest(cluster, service, o.since);
    const row = found && found.arn !== o.ignore ? found : null;
    if (row) {
      tracker.see(row);
      abortedBy ??= await abortMarker(ops, row, o.app);
      if (isTerminal(row.status)) return tracker.end(row, abortedBy);
    } else if (settled) {
      return null;
    }
    await sleep(o.pollMs ?? 10_000, o.signal);
  }
}

/** Who aborted this deployment (`cyclops abort` names it in its marker), said once; undefined when nobody did. */
async function abortMarker(ops: Ops, row: ServiceDeploymentRow, app: WatchOptions['app']): Promise<string | undefined> {
  if (!app || !ops.aborts) return undefined;
  const m = await ops.aborts.read(app.env, app.app);
  if (!m || m.deploymentArn !== row.arn) return undefined;
  const by = `${m.by} (${m.holder})`;
  say.warn(ops.events, 'deployment.aborted', { arn: row.arn, by: m.by, holder: m.holder, at: m.at }, `the deployment was aborted by ${by} at ${m.at}: ECS is rolling back`);
  return by;
}

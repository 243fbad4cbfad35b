/**
 * `cyclops env status ENV`: every app deployed in the environment on one line each, like
 * `heroku apps` and `ps` together: its release and what it changed, image, health, tasks
 * running/desired, URL and alarms. Each app's line is its `status` (src/ops/apps.ts), read for
 * a few apps at a time; an app that cannot be read gets a line that says why, not a failed command.
 */
import { pooled } from '../pool';
import type { AlarmState } from '../aws/cloudwatch';
import type { Ops } from './context';
import { appStatus, registeredAppStacks, type AppStatus } from './apps';
import { describeRelease } from './release-describe';
import type { Target } from '../plan/target';

/** How many apps are read at once. */
const PARALLEL_APPS = 4;

export interface EnvAppLine {
  app: string;
  /** the stack's status */
  status: string;
  release: number | null;
  description: string | null;
  image: string | null;
  /** ok; deploying (a rollout in progress); degraded (fewer running than desired, a failed rollout, an alarm in ALARM); unknown */
  health: 'ok' | 'deploying' | 'degraded' | 'unknown';
  /** why it is not ok */
  problems: string[];
  running: number;
  desired: number;
  url: string | null;
  alarms: { name: string; state: string }[] | null;
}

export interface EnvStatus {
  env: string;
  apps: EnvAppLine[];
}

/** ok / deploying / degraded, and why, from the services' counts and rollouts and the alarms. */
export function health(s: Pick<AppStatus, 'processes' | 'alarms' | 'status'>): Pick<EnvAppLine, 'health' | 'problems'> {
  const problems: string[] = [];
  if (/FAILED|ROLLBACK/.test(s.status)) problems.push(`stack ${s.status}`);
  for (const p of s.processes) {
    if (p.rollout === 'FAILED') problems.push(`${p.process} rollout failed`);
    else if (p.running < p.desired && p.rollout !== 'IN_PROGRESS') problems.push(`${p.process} ${p.running}/${p.desired} running`);
  }
  for (const a of s.alarms ?? []) if (a.state === 'ALARM') problems.push(`alarm ${a.name}`);
  if (problems.length) return { health: 'degraded', problems };
  if (s.processes.some((p) => p.rollout === 'IN_PROGRESS')) return { health: 'deploying', problems };
  return { health: s.alarms === null ? 'unknown' : 'ok', problems: s.alarms === null ? ['alarm states could not be read'] : [] };
}

const alarmStates = (a: AlarmState[] | null) => (a ? a.map((x) => ({ name: x.name, state: x.state })) : null);

export async function envStatus(ops: Ops, t: Target): Promise<EnvStatus> {
  const stacks = await registeredAppStacks(ops, t);
  const apps = await pooled(stacks, PARALLEL_APPS, async (stack): Promise<EnvAppLine> => {
    const base = { app: stack.app, status: stack.status, image: stack.parameters.Image ?? null, url: null, alarms: null, running: 0, desired: 0, release: null, description: null };
    if (!Object.hasOwn(ops.config.apps, stack.app)) {
      return { ...base, health: 'unknown', problems: [`not in ${ops.config.file}: deployed, but cyclops no longer knows its processes`] };
    }
    try {
      const s = await appStatus(ops, { ...t, app: stack.app });
      return {
        app: s.app,
        status: s.status,
        release: s.release?.number ?? null,
        description: s.release ? (s.release.description ?? describeRelease(s.release)) : null,
        image: s.image,
        ...health(s),
        running: s.processes.reduce((n, p) => n + p.running, 0),
        desired: s.processes.reduce((n, p) => n + p.desired, 0),
        url: s.url,
        alarms: alarmStates(s.alarms),
      };
    } catch (e) {
      return { ...base, health: 'unknown', problems: [(e as Error).message] };
    }
  });
  return { env: t.env, apps };
}

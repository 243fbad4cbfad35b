/**
 * `cyclops restart APP ENV [--process P]`: a new ECS deployment of the current release (new
 * tasks, same task definition), for a stuck process or a rotated secret. It waits for the
 * rollout and records nothing: what runs has not changed.
 */
import { usageError } from '../errors';
import { say } from '../events';
import { serviceName } from '../naming';
import type { ServiceState } from '../ecs/rollout';
import { now, type Ops } from './context';
import { withAppLock } from './lock';
import { elapsed, requireCurrent } from './reapply';
import { appServices, scalable } from './desired-state';
import type { AppTarget } from '../plan/target';

export interface RestartResult {
  app: string;
  env: string;
  release: number | null;
  restarted: string[];
  services: { name: string; desired: number; running: number; rollout?: string }[];
  duration: number;
}

export async function restart(ops: Ops, t: AppTarget, opts: { process?: string; timeoutSeconds?: number } = {}): Promise<RestartResult> {
  const started = now(ops);
  const kinds = scalable(ops.config, t.app, t.env);
  if (opts.process !== undefined && !kinds.includes(opts.process as 'web')) {
    throw usageError(`restart --process ${opts.process}: ${t.app} has no ${opts.process} service (it has ${kinds.join(', ') || 'none'}); a cron runs on its schedule`);
  }
  const current = requireCurrent(await ops.store.readRelease(t.env, t.app), t, 'restart');
  const { cluster, services } = appServices(ops.config, t);
  const chosen = opts.process ? [serviceName(t.app, opts.process)] : services;
  const states = await withAppLock(ops, t, `restart ${chosen.join(' ')}`, async (scope): Promise<ServiceState[]> => {
    say.step(ops.events, 'restart.started', { services: chosen, release: current.number ?? null }, `starting a new deployment of ${chosen.join(', ')} (release ${current.number})`);
    scope.checkpoint();
    await ops.services.restart(cluster, chosen);
    say.step(ops.events, 'service.rollout.waiting', { services: chosen.length, mode: 'wait' }, `waiting for ${chosen.length} service(s) to roll out`);
    return ops.services.waitForRollout(cluster, chosen, { timeoutSeconds: opts.timeoutSeconds, signal: scope.signal });
  });
  return {
    app: t.app,
    env: t.env,
    release: current.number ?? null,
    restarted: chosen,
    services: states.map((s) => ({ name: s.name, desired: s.desired, running: s.running, rollout: s.rollout })),
    duration: elapsed(ops, started),
  };
}

/**
 * `cyclops email rotate APP ENV`: a new access key for the app's SMTP user, its password stored,
 * the services restarted and rolled out so new tasks read it, then the old key deleted: never
 * two keys longer than the rollout. Under the app lock; a rerun converges (src/email/smtp-user.ts).
 */
import { usageError } from '../errors';
import { say } from '../events';
import { appStack } from '../naming';
import { rotateSmtp, wantsSmtp, type SmtpRotateResult } from '../email/smtp-user';
import type { AppTarget } from '../plan/target';
import { now, type Ops } from './context';
import { appServices } from './desired-state';
import { withAppLock } from './lock';
import { elapsed } from './reapply';

export interface EmailRotateResult extends SmtpRotateResult {
  app: string;
  env: string;
  duration: number;
}

export async function rotateEmail(ops: Ops, t: AppTarget, opts: { timeoutSeconds?: number } = {}): Promise<EmailRotateResult> {
  const started = now(ops);
  if (!wantsSmtp(ops.config, t.env, t.app)) {
    const why = ops.config.environments[t.env]?.email ? `apps.${t.app}.email is not {"smtp": true} in ${t.env}` : `environment ${t.env} has no email`;
    throw usageError(`app ${t.app} in ${t.env}: sends no mail over SMTP (${why}), so it has no SMTP key to rotate; set it in ${ops.config.file} and deploy`);
  }
  const r = await withAppLock(ops, t, 'email rotate', async (scope) => {
    const restart = async (): Promise<string[]> => {
      if (!(await ops.stacks.describe(appStack(t.platform, t.env, t.app)))) return []; // not deployed: no task holds the old password
      const { cluster, services } = appServices(ops.config, t);
      if (!services.length) return [];
      scope.checkpoint();
      await ops.services.restart(cluster, services);
      say.step(ops.events, 'service.rollout.waiting', { services: services.length, mode: 'wait' }, `waiting for ${services.length} service(s) to roll out with the new password`);
      await ops.services.waitForRollout(cluster, services, { timeoutSeconds: opts.timeoutSeconds, signal: scope.signal });
      say.step(ops.events, 'email.smtp.services-restarted', { services }, `${services.join(', ')} rolled out with the new SMTP password`);
      return services;
    };
    return rotateSmtp(ops, t, restart, () => scope.checkpoint());
  });
  return { app: t.app, env: t.env, ...r, duration: elapsed(ops, started) };
}

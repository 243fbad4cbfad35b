/**
 * Preview apps (`deploy IMAGE APP ENV --preview NAME`): APP's config, run as the app
 * "APP-NAME". Pure: config + APP + NAME → the config the preview deploys with, and its target.
 */
import type { AppConfig, Config, ProcessConfig } from '../config/model';
import { appConfig } from '../config/model';
import { usageError } from '../errors';
import { checkApp, checkEnv, NAME_MAX, NAME_RE, previewApp } from '../naming';
import type { AppTarget } from './target';

export interface PreviewOptions {
  /** keep APP's cron processes (off by default: a preview should not run scheduled jobs) */
  withCron?: boolean;
  /** "fresh": an empty database of the preview's own (the default); "none": no database */
  database?: 'fresh' | 'none';
}

/** A preview's target: its tags name the app it previews (TAG_PREVIEW_OF). */
export interface PreviewTarget extends AppTarget {
  previewOf: string;
}

export const PREVIEW_DATABASE = ['fresh', 'none'] as const;

/**
 * The preview's app config: APP's processes, env, secret references and health check, every
 * count capped at 1, cron off unless asked, autoscaling off, and a database of its own (or none).
 */
export function previewAppConfig(base: AppConfig, name: string, opts: PreviewOptions = {}): AppConfig {
  // Autoscaling is per process (ProcessConfig.autoscaling): a preview runs one task of an
  // autoscaled process, and at most one of any other (0 stays 0).
  const { byEnv: _byEnv, ...rest } = base;
  const single = ({ autoscaling, ...p }: ProcessConfig): ProcessConfig => ({ ...p, count: autoscaling ? 1 : Math.min(p.count, 1) });
  return {
    ...rest,
    name,
    configured: true,
    processes: base.processes.filter((p) => p.kind !== 'cron' || opts.withCron).map(single),
    database: opts.database === 'none' ? false : base.database,
  };
}

/**
 * The previewed app's CLI-set settings (`vars set`, `secrets set`: name → value, name → secret
 * ARN) folded into the preview's config, as if config listed them: a stored variable wins over
 * config's `env`, a stored secret over a variable of the same name, as they do for the app.
 */
export function withPreviewedSettings(preview: AppConfig, settings: { vars: Record<string, string>; secrets: Record<string, { arn: string }> }): AppConfig {
  const secrets = { ...preview.secrets, ...Object.fromEntries(Object.entries(settings.secrets).map(([k, v]) => [k, v.arn])) };
  const env = Object.fromEntries(Object.entries({ ...preview.env, ...settings.vars }).filter(([k]) => !Object.hasOwn(secrets, k)));
  return { ...preview, env, secrets };
}

/** Checks the names (nothing touched yet) and returns the preview's config and target. */
export function previewDeployment(config: Config, app: string, env: string, name: string, opts: PreviewOptions = {}): { config: Config; target: PreviewTarget } {
  checkApp(app);
  checkEnv(config, env);
  const full = previewApp(app, name);
  // The name rule applies to the preview's app name; NAME may start with a digit ("web-123").
  if (!name || name.startsWith('-') || !NAME_RE.test(full)) {
    throw usageError(`--preview ${name}: not a valid preview name; use lowercase letters, digits and dashes (e.g. pr-123)`);
  }
  if (full.length > NAME_MAX.app) {
    throw usageError(`--preview ${name}: the preview's name "${full}" is ${full.length} characters; an app name is a DNS label of at most 63: use a shorter NAME`);
  }
  if (Object.hasOwn(config.apps, full)) {
    throw usageError(`--preview ${name}: "${full}" is an app in ${config.file}; a preview may never take a real app's name: choose another NAME`);
  }
  if (opts.database && !PREVIEW_DATABASE.includes(opts.database)) {
    throw usageError(`--preview-database ${opts.database}: use one of: ${PREVIEW_DATABASE.join(', ')}`);
  }
  const preview = previewAppConfig(appConfig(config, app, env), full, opts);
  return {
    config: { ...config, apps: { ...config.apps, [full]: preview } },
    target: { platform: config.platform.name, env, app: full, previewOf: app },
  };
}

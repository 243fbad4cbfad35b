/**
 * Preview apps in an environment: the collision check deploy makes, listing and pruning.
 * A preview is recognised by its stack's TAG_PREVIEW_OF tag, never by its name.
 */
import { appConfig, type AppConfig, type Config } from '../config/model';
import { usageError } from '../errors';
import { say } from '../events';
import { TAG_PREVIEW_OF } from '../naming';
import type { AppStack, StackSummary } from '../stacks';
import { destroyApp, registeredAppStacks, type DestroyResult } from './apps';
import { now, type Ops } from './context';
import { withPreviewedSettings, type PreviewTarget } from '../plan/preview';
import type { AppTarget, Target } from '../plan/target';

/**
 * A preview runs what the previewed app runs: config's variables and secret references, and
 * also those set with `vars set` and `secrets set` on the app (read here, at the preview's
 * deploy; a later change to the app reaches the preview on its next deploy). The preview's own
 * stored settings still layer over them, as for any app.
 */
export async function withAppSettings(ops: Ops, t: PreviewTarget): Promise<Ops> {
  const s = await ops.store.readSettings(t.env, t.previewOf);
  if (!Object.keys(s.vars).length && !Object.keys(s.secrets).length) return ops;
  const app = withPreviewedSettings(ops.config.apps[t.app], s);
  return { ...ops, config: { ...ops.config, apps: { ...ops.config.apps, [t.app]: app } } };
}

/** A deployed stack under the preview's name that is not a preview of the same app: refused before any write. */
export function checkPreviewStack(stack: StackSummary | null, t: AppTarget & Partial<Pick<PreviewTarget, 'previewOf'>>): void {
  if (!t.previewOf || !stack || stack.tags[TAG_PREVIEW_OF] === t.previewOf) return;
  const what = stack.tags[TAG_PREVIEW_OF] ? `a preview of ${stack.tags[TAG_PREVIEW_OF]}` : 'a deployed app, not a preview';
  throw usageError(`preview ${t.app}: stack ${stack.name} is ${what}; a preview never replaces it: choose another --preview NAME`);
}

export interface PreviewListing {
  app: string;
  previewOf: string;
  stack: string;
  status: string;
  image: string | null;
  updated: string | null;
  /** seconds since the last deploy */
  ageSeconds: number | null;
}

const isPreview = (s: AppStack) => !!s.tags[TAG_PREVIEW_OF];

export async function listPreviews(ops: Ops, t: Target): Promise<PreviewListing[]> {
  const stacks = (await registeredAppStacks(ops, t)).filter(isPreview);
  return stacks.map((s) => ({
    app: s.app,
    previewOf: s.tags[TAG_PREVIEW_OF],
    stack: s.name,
    status: s.status,
    image: s.parameters.Image ?? null,
    updated: s.lastUpdated?.toISOString() ?? null,
    ageSeconds: s.lastUpdated ? Math.max(0, Math.round((now(ops) - s.lastUpdated.getTime()) / 1000)) : null,
  }));
}

/** "7d", "12h", "30m", "0s" → seconds; null when it is not a duration. */
export function parseAge(text: string): number | null {
  const m = /^\s*(\d+)\s*(s|m|h|d|w)\s*$/i.exec(text);
  if (!m) return null;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2].toLowerCase() as 's' | 'm' | 'h' | 'd' | 'w'];
}

export interface PrunePlan {
  env: string;
  olderThanSeconds: number;
  prune: PreviewListing[];
  keep: PreviewListing[];
}

/** What prune would destroy: previews (by tag) last deployed at least `olderThanSeconds` ago. */
export async function planPrune(ops: Ops, t: Target, olderThanSeconds: number): Promise<PrunePlan> {
  const all = await listPreviews(ops, t);
  const old = (p: PreviewListing) => p.ageSeconds !== null && p.ageSeconds >= olderThanSeconds;
  return { env: t.env, olderThanSeconds, prune: all.filter(old), keep: all.filter((p) => !old(p)) };
}

/**
 * Destroy each preview the plan names, its database and its volumes' file systems included.
 * Each runs as `destroy --drop-database --delete-volumes` does, under the preview's own lock,
 * with a config that knows it.
 */
export async function prunePreviews(ops: Ops, t: Target, plan: PrunePlan, opts: { timeoutSeconds?: number } = {}): Promise<DestroyResult[]> {
  const results: DestroyResult[] = [];
  for (const p of plan.prune) {
    const info = await ops.database.info(t.env, p.app);
    const config: Config = { ...ops.config, apps: { ...ops.config.apps, [p.app]: { ...previewOfConfig(ops.config, p, t.env), database: info !== null } } };
    say.step(ops.events, 'preview.pruning', { app: p.app, previewOf: p.previewOf, image: p.image ?? null }, `pruning preview ${p.app} (of ${p.previewOf}, ${p.image ?? 'no image'})`);
    // A preview's data is disposable by definition: its database and its volumes' file systems go with it.
    results.push(await destroyApp({ ...ops, config }, { platform: t.platform, env: t.env, app: p.app }, { dropDatabase: info !== null, deleteVolumes: true, timeoutSeconds: opts.timeoutSeconds }));
  }
  return results;
}

/** Only the database flag matters to destroy; the rest is the previewed app's defaults. */
function previewOfConfig(config: Config, p: PreviewListing, env: string): AppConfig {
  const { byEnv: _byEnv, ...app } = appConfig(config, p.previewOf, env);
  return { ...app, name: p.app, configured: true };
}

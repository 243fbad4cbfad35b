/**
 * `cyclops config push|read`: the templates and ports.json in the config bucket. Pushing
 * renders with src/plan and uploads content-addressed; reading never writes.
 */
import { failure } from '../errors';
import { say } from '../events';
import { envStack, type Ids, type TemplateKind } from '../naming';
import { zoneToAdopt } from './adopt';
import { renderApp, renderCluster, renderPlatform, templateBody, type CfnTemplate } from '../plan';
import type { AppTarget, Target } from '../plan/target';
import type { PortsFile, PushPortsResult, PushResult, StoredTemplate } from '../store';
import type { Ops } from './context';

/** Called after each upload (the command prints a progress line). */
export type OnPushed = (kind: TemplateKind, ids: Ids, result: PushResult) => void;

async function push(ops: Ops, kind: TemplateKind, items: { ids: Ids; render: () => CfnTemplate | Promise<CfnTemplate> }[], onPushed?: OnPushed): Promise<PushResult[]> {
  // every template rendered (and every look-up made) before the first upload
  const bodies: string[] = [];
  for (const item of items) bodies.push(templateBody(await item.render()));
  const out: PushResult[] = [];
  for (const [i, item] of items.entries()) {
    const r = await ops.store.pushTemplate(kind, item.ids, bodies[i]);
    onPushed?.(kind, item.ids, r);
    out.push(r);
  }
  return out;
}

export const pushPlatformTemplate = (ops: Ops, onPushed?: OnPushed) =>
  push(ops, 'platform', [{ ids: { platform: ops.config.platform.name }, render: () => renderPlatform(ops.config) }], onPushed);

/**
 * The cluster template of each environment named (validated targets), as `env create|update`
 * would apply it: with the hosted zone its stack adopted (or, before the stack exists, would adopt)
 * instead of a zone of its own, so the pushed template is the one that runs.
 */
export const pushClusterTemplates = (ops: Ops, targets: Target[], onPushed?: OnPushed) =>
  push(ops, 'cluster', targets.map((t) => ({ ids: { platform: t.platform, env: t.env }, render: () => clusterAsApplied(ops, t) })), onPushed);

async function clusterAsApplied(ops: Ops, t: Target): Promise<CfnTemplate> {
  const stackName = envStack(t.platform, t.env);
  const live = await ops.stacks.describe(stackName);
  const zone = await zoneToAdopt(ops, t, live, live ? await ops.stacks.template(stackName) : null);
  return renderCluster(ops.config, t.env, { adoptedZone: zone?.zone });
}

/** The app's template, rendered with `port` or the app's allocated port. */
export async function pushAppTemplate(ops: Ops, t: AppTarget, port: number | undefined, onPushed?: OnPushed): Promise<PushResult> {
  const p = port ?? (await portForApp(ops, t));
  const [r] = await push(ops, 'app', [{ ids: { platform: t.platform, env: t.env, app: t.app }, render: () => renderApp(ops.config, t.env, t.app, { port: p }) }], onPushed);
  return r;
}

/** The app's allocated port, else the lowest of the range (not allocated: deploy does that). */
async function portForApp(ops: Ops, t: AppTarget): Promise<number> {
  const file = await ops.store.readPorts();
  const had = file?.environments[t.env]?.[t.app];
  if (had !== undefined) return had;
  const first = (file?.range ?? ops.config.ports.range)[0];
  say.warn(ops.events, 'config.port.unallocated', { app: t.app, env: t.env, port: first }, `${t.app} has no port in ${t.env} yet; rendering with ${first} (the start of the range) without allocating; "cyclops ports allocate ${t.app} ${t.env}" or deploy gives it one`);
  return first;
}

export const pushPorts = (ops: Ops): Promise<PushPortsResult> => ops.store.pushPortsRange();

/** The latest pushed template; `what` names it in the error ("cluster staging"). */
export async function readTemplate(ops: Ops, kind: TemplateKind, ids: Ids, what: string): Promise<StoredTemplate> {
  const t = await ops.store.readLatestTemplate(kind, ids);
  if (!t) throw failure(`${what}: nothing pushed yet; run "cyclops config push ${what}" first`, undefined, 'not-found');
  return t;
}

export async function readPortsFile(ops: Ops): Promise<PortsFile> {
  const file = await ops.store.readPorts();
  if (!file) throw failure('ports.json: not in the config bucket yet; run "cyclops config push ports" first', undefined, 'not-found');
  return file;
}

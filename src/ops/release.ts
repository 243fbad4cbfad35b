/**
 * What a deploy asks for, rendered (template body, digest, parameters), and how it compares
 * with what the stack runs and what the release record says. Pure.
 */
import { appConfig, serviceProcesses, type Config } from '../config/model';
import { appUrl, clusterName, serviceName, TAG_APP, TAG_ENV, TEMPLATE_DIGEST_OUTPUT } from '../naming';
import { appParameters, renderApp, templateBody, templateDigest } from '../plan';
import { classify } from '../stacks/status';
import type { Parameter, StackSummary } from '../stacks';
import type { ReleaseRecord } from '../store';
import { usageError } from '../errors';
import type { AppTarget } from './target';

/** Task counts by process name (any service process of the app). */
export type Counts = Record<string, number>;

export interface Rendered {
  body: string;
  digest: string;
  parameterList: Parameter[];
  parameters: Record<string, string>;
  port: number;
  databaseSecretArn?: string;
}

export function render(config: Config, t: AppTarget, image: string, counts: Counts | undefined, port: number, databaseSecretArn?: string): Rendered {
  const template = renderApp(config, t.env, t.app, { port, databaseSecretArn });
  const parameterList = appParameters(config, t.env, t.app, image, counts);
  return {
    body: templateBody(template),
    digest: templateDigest(template),
    parameterList,
    parameters: Object.fromEntries(parameterList.map((p) => [p.ParameterKey, p.ParameterValue])),
    port,
    databaseSecretArn,
  };
}

const sameRecord = (a: Record<string, string> | undefined, b: Record<string, string>) =>
  !!a && Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** A finished stack state (CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE...). */
export const isSettled = (status: string) => classify(status) === 'stable' && status.endsWith('_COMPLETE');

/**
 * The stack says it was made from exactly this template and these parameters, and is at
 * rest. A stale TemplateDigest output can only make this false, never wrongly true, because
 * the record must also agree (see recordMatches).
 */
export function stackRuns(stack: StackSummary, r: Rendered): boolean {
  return isSettled(stack.status) && stack.outputs[TEMPLATE_DIGEST_OUTPUT] === r.digest && sameRecord(stack.parameters, r.parameters);
}

const stamp = (s: StackSummary | null) => s?.lastUpdated?.toISOString();

/** The record describes this rendering, on this very stack state (its last update time). */
export function recordMatches(record: ReleaseRecord | null, r: Rendered, stack: StackSummary | null): boolean {
  return (
    !!record &&
    !!stack &&
    record.templateDigest === r.digest &&
    record.port === r.port &&
    record.databaseSecretArn === r.databaseSecretArn &&
    sameRecord(record.parameters, r.parameters) &&
    record.stackUpdatedAt !== undefined &&
    record.stackUpdatedAt === stamp(stack)
  );
}

/** Nothing about the stack moved between two reads. */
export function sameState(a: StackSummary, b: StackSummary | null): boolean {
  return (
    !!b &&
    a.id === b.id &&
    a.status === b.status &&
    stamp(a) === stamp(b) &&
    a.outputs[TEMPLATE_DIGEST_OUTPUT] === b.outputs[TEMPLATE_DIGEST_OUTPUT] &&
    sameRecord(a.parameters, b.parameters)
  );
}

/** The stack must be this app's: a stack whose cyclops tags name another app is never touched. */
export function checkOwner(stack: StackSummary | null, t: AppTarget): void {
  if (stack && (stack.tags[TAG_APP] !== t.app || stack.tags[TAG_ENV] !== t.env)) {
    throw usageError(
      `stack ${stack.name}: is not ${t.app} in ${t.env} (its cyclops tags say app "${stack.tags[TAG_APP] ?? '-'}", env "${stack.tags[TAG_ENV] ?? '-'}"); nothing was changed; check the names`,
    );
  }
}

/** The app's ECS services and cluster, by their deterministic names. */
export function appServices(config: Config, t: AppTarget): { cluster: string; services: string[] } {
  const services = serviceProcesses(appConfig(config, t.app)).map((p) => serviceName(t.app, p.name));
  return { cluster: clusterName(config.platform.name, t.env), services };
}

export function appUrlFor(config: Config, t: AppTarget): string {
  const e = config.environments[t.env];
  return appUrl(t.app, e.dns.domain, e.tls.mode !== 'none');
}

export const stackStamp = stamp;

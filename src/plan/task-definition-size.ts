/**
 * ECS refuses to register a task definition larger than 64 KiB: the "Task definition size"
 * quota, 64 KiB, not adjustable (Amazon ECS service quotas,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html; it was 32 KiB
 * before the ECS API release of 2022-09-16, "supports new task definition sizes"). Every
 * variable of an app is in the Environment of each of its task definitions, so one large value
 * makes every later deploy fail. Pure: the rendered template in, the sizes out.
 *
 * The size is that of each rendered AWS::ECS::TaskDefinition's properties as compact JSON in
 * UTF-8, as CloudFormation hands them to RegisterTaskDefinition, with every intrinsic reference
 * (Ref, Fn::GetAtt, Fn::Sub, Fn::ImportValue) counted at the longest value it can resolve to:
 * the measure errs towards refusing a definition a few hundred bytes short of the limit, never
 * towards accepting one ECS would refuse.
 */
import type { AppTarget } from './target';
import { renderApp, type AppOverlay } from './index';
import type { Config } from '../config/model';

/** The quota, in bytes (64 KiB). */
export const TASK_DEFINITION_MAX_BYTES = 64 * 1024;

/** The longest value of each pseudo parameter (the partition aws-us-gov, the region ap-southeast-5, a 12-digit account). */
const pseudo: Record<string, string> = { 'AWS::Partition': 'aws-us-gov', 'AWS::Region': 'ap-southeast-5', 'AWS::AccountId': '123456789012', 'AWS::StackName': 'x'.repeat(128), 'AWS::URLSuffix': 'amazonaws.com.cn' };
/** Any other reference (a role's or log group's ARN, an imported output): 256 characters, more than any the app template holds. */
const OTHER = 'x'.repeat(256);
const longest = (name: string): string => pseudo[name] ?? OTHER;

/** The value with every intrinsic function replaced by the longest string it can become. */
function resolved(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolved);
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const [k] = keys;
    if (k === 'Ref') return longest(String(o.Ref));
    if (k === 'Fn::GetAtt' || k === 'Fn::ImportValue') return OTHER;
    if (k === 'Fn::Sub') {
      const text = Array.isArray(o[k]) ? String((o[k] as unknown[])[0]) : String(o[k]);
      return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => longest(name));
    }
    if (k === 'Fn::Join') {
      const [sep, parts] = o[k] as [string, unknown[]];
      return (Array.isArray(parts) ? parts.map((p) => String(resolved(p))) : [OTHER]).join(sep);
    }
    if (k === 'Fn::If') return resolved((o[k] as unknown[])[1]);
  }
  return Object.fromEntries(Object.entries(o).map(([key, x]) => [key, resolved(x)]));
}

export interface TaskDefinitionSize {
  /** the template's logical id */
  resource: string;
  family: string;
  bytes: number;
}

/** The measured size of each task definition in a rendered app template. */
export function taskDefinitionSizes(template: Record<string, unknown>): TaskDefinitionSize[] {
  const resources = (template.Resources ?? {}) as Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ECS::TaskDefinition')
    .map(([resource, r]) => {
      const props = { ...(r.Properties ?? {}) };
      return { resource, family: typeof props.Family === 'string' ? props.Family : resource, bytes: Buffer.byteLength(JSON.stringify(resolved(props)), 'utf8') };
    });
}

/**
 * The task definitions of APP in ENV that would be over the quota with these settings: the app
 * rendered as the next deploy would render it (the port and database secret do not change the
 * size by more than a few bytes; the longest reference values cover them).
 */
export function oversizeTaskDefinitions(config: Config, t: AppTarget, overlay: AppOverlay, port: number, databaseSecretArn?: string): TaskDefinitionSize[] {
  const template = renderApp(config, t.env, t.app, { port, databaseSecretArn, overlay });
  return taskDefinitionSizes(template).filter((s) => s.bytes > TASK_DEFINITION_MAX_BYTES);
}

/** "task definition acme-staging-web-web would be 71,234 bytes" for the largest one over. */
export function describeOversize(over: TaskDefinitionSize[]): string {
  const worst = [...over].sort((a, b) => b.bytes - a.bytes)[0];
  const more = over.length > 1 ? ` (and ${over.length - 1} more of the app's task definitions)` : '';
  return `task definition ${worst.family} would be ${worst.bytes.toLocaleString('en-US')} bytes${more}; ECS registers at most ${TASK_DEFINITION_MAX_BYTES.toLocaleString('en-US')} (64 KiB)`;
}

/**
 * The change-safety guard: before an update change set runs, refuse what would lose data or
 * break another stack.
 *
 * - A Remove, or a Modify whose Replacement is True or Conditional, of a stateful or shared
 *   resource type (hosted zone, database, cache, file system, ECR repository, log group,
 *   VPC, subnet, security group, bucket ...) is blocked unless its logical id is allowed
 *   (--allow-replace).
 * - An Output with an Export that the new template drops (or stops exporting under the same
 *   name), or whose value would change (its expression references a resource that is
 *   replaced or removed, or a literal value differs), is checked with ListImports; another
 *   stack importing it blocks the update.
 *
 * The decisions are pure functions over the change rows and the templates; apply.ts wires them.
 */
import type { StackSummary } from './outputs';
import type { BlockedChange, BlockedExport, ChangeSummary } from './types';

/** Resource types that hold data or that other resources (and stacks) hang off. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::Route53::HostedZone',
  // a removed record takes a host name off the air (an app's custom domain, its own name)
  'AWS::Route53::RecordSet',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::ElastiCache::ServerlessCache',
  'AWS::EFS::FileSystem',
  'AWS::ECR::Repository',
  'AWS::Logs::LogGroup',
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::EC2::SecurityGroup',
  'AWS::S3::Bucket',
  'AWS::DynamoDB::Table',
  'AWS::SecretsManager::Secret',
  'AWS::KMS::Key',
]);

const LOSES = (r: string | undefined) => r === 'True' || r === 'Conditional';

/** The changed properties of a row: those that force recreation first, then the rest. */
export function changedProperties(c: ChangeSummary): string[] {
  const props = (c.details ?? []).filter((d) => d.attribute === 'Properties' && d.name);
  const rank = (d: { requiresRecreation?: string }) => (d.requiresRecreation === 'Always' ? 0 : d.requiresRecreation === 'Conditionally' ? 1 : 2);
  const names = [...props].sort((a, b) => rank(a) - rank(b)).map((d) => d.name as string);
  return [...new Set(names)];
}

/** The rows the guard refuses: stateful types removed or replaced, minus the allowed logical ids. */
export function blockedChanges(changes: ChangeSummary[], allowReplace: readonly string[] = []): BlockedChange[] {
  const allowed = new Set(allowReplace);
  const out: BlockedChange[] = [];
  for (const c of changes) {
    if (!STATEFUL_TYPES.has(c.resourceType) || allowed.has(c.logicalId)) continue;
    if (c.action === 'Remove') {
      out.push({ logicalId: c.logicalId, resourceType: c.resourceType, action: 'remove', properties: [] });
    } else if (c.action === 'Modify' && LOSES(c.replacement)) {
      out.push({ logicalId: c.logicalId, resourceType: c.resourceType, action: 'replace', replacement: c.replacement, properties: changedProperties(c) });
    }
  }
  return out;
}

/** One detail line per blocked resource: what happens, why, and the override. */
export function describeBlocked(b: BlockedChange): string {
  const what = b.action === 'remove' ? 'would be deleted' : `would be replaced${b.replacement === 'Conditional' ? ' (conditionally)' : ''}`;
  const why = b.properties.length ? ` by the change to ${b.properties.join(', ')}` : b.action === 'remove' ? ' (it is no longer in the template)' : '';
  return `${b.logicalId} (${b.resourceType}) ${what}${why}; re-run with --allow-replace ${b.logicalId} if losing it is intended`;
}

/** The one-line refusal for blocked resources (the details list names each one). */
export function blockedMessage(stackName: string, blocked: BlockedChange[]): string {
  const list = blocked.map((b) => `${b.logicalId} (${b.resourceType}, ${b.action})`).join(', ');
  const flags = blocked.map((b) => `--allow-replace ${b.logicalId}`).join(' ');
  return (
    `stack ${stackName}: the update would ${blocked.length > 1 ? 'delete or replace stateful resources' : blocked[0].action === 'remove' ? 'delete a stateful resource' : 'replace a stateful resource'}: ${list}; ` +
    `nothing was changed; revert the config change that causes it, or re-run with ${flags} if losing ${blocked.length > 1 ? 'them' : 'it'} is intended`
  );
}

type Outputs = Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;

/** Every logical id an expression references (Ref, Fn::GetAtt, and ${Name} in Fn::Sub). */
export function referencedIds(expr: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(expr)) {
    for (const x of expr) referencedIds(x, into);
  } else if (expr && typeof expr === 'object') {
    for (const [k, v] of Object.entries(expr as Record<string, unknown>)) {
      if (k === 'Ref' && typeof v === 'string') into.add(v);
      else if (k === 'Fn::GetAtt') into.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);
      else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([A-Za-z0-9]+)(?:\.[^}]*)?\}/g)) into.add(m[1]);
        if (Array.isArray(v)) referencedIds(v[1], into);
      } else referencedIds(v, into);
    }
  }
  return into;
}

/**
 * The stack's exports that the new template drops or changes, keyed by export name (what
 * importers see; an output may be renamed as long as its export keeps its name).
 * `templateBody` is the new template (JSON); `changes` tells which resources are replaced
 * or removed. An export whose name the template computes (not a literal) counts as kept.
 */
export function changedExports(stack: StackSummary, templateBody: string, changes: ChangeSummary[]): Omit<BlockedExport, 'importers'>[] {
  const current = Object.entries(stack.exports ?? {});
  if (!current.length) return [];
  const outputs: Outputs = (JSON.parse(templateBody) as { Outputs?: Outputs }).Outputs ?? {};
  const next = new Map<string, unknown>();
  let computedNames = false;
  for (const o of Object.values(outputs)) {
    const name = o?.Export?.Name;
    if (typeof name === 'string') next.set(name, o.Value);
    else if (name !== undefined) computedNames = true;
  }
  const lost = new Set(changes.filter((c) => c.action === 'Remove' || (c.action === 'Modify' && LOSES(c.replacement))).map((c) => c.logicalId));
  const out: Omit<BlockedExport, 'importers'>[] = [];
  const seen = new Set<string>();
  for (const [outputKey, exportName] of current) {
    if (seen.has(exportName)) continue;
    seen.add(exportName);
    if (!next.has(exportName)) {
      if (!computedNames) out.push({ exportName, outputKey, change: 'removed' });
      continue;
    }
    const value = next.get(exportName);
    const literalChanged = typeof value === 'string' && value !== stack.outputs[outputKey];
    if (literalChanged || [...referencedIds(value)].some((id) => lost.has(id))) out.push({ exportName, outputKey, change: 'changed' });
  }
  return out;
}

export function exportMessage(stackName: string, blocked: BlockedExport[]): string {
  const list = blocked.map((b) => `${b.exportName} (${b.change === 'removed' ? 'dropped' : 'changed'}; imported by ${b.importers.join(', ')})`).join(', ');
  return (
    `stack ${stackName}: the update would change exports other stacks import: ${list}; nothing was changed; ` +
    `update or destroy the importing apps first so that they no longer import it, then run this again, or keep the output as it is`
  );
}

export function describeExport(b: BlockedExport): string {
  return `${b.exportName} (output ${b.outputKey}) would be ${b.change === 'removed' ? 'dropped' : 'changed'}; imported by ${b.importers.join(', ')}`;
}

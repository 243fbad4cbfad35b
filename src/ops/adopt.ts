/**
 * Adopting what an earlier stack kept. Stateful resources are retained when their stack goes
 * (DeletionPolicy Retain): the environment's fixed-name log groups, the platform's ECR
 * repositories, an environment's hosted zone. A new stack that names them again would fail
 * ("already exists") or, for a zone, make a second, undelegated one. So before a stack is
 * created or changed:
 *
 * - named resources of a type CloudFormation imports automatically are looked up; those that
 *   exist are imported by the change set (ImportExistingResources), and each is announced;
 * - an environment's retained hosted zone is found by its name and cyclops tags and used as the
 *   stack's zone (its id and name servers go into the template), so the parent's delegation stays
 *   valid. Auto-import cannot take a zone: its primary identifier (Id) is read-only.
 *
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/import-resources-automatically.html
 */
import { usageError } from '../errors';
import { say } from '../events';
import { TAG_ENV, TAG_PLATFORM } from '../naming';
import type { StackSummary } from '../stacks';
import { classify } from '../stacks/status';
import type { Target } from '../plan/target';
import { ADOPTED_ZONE_METADATA, type AdoptedZone } from '../../templates/cluster';
import type { Ops } from './context';

/**
 * Resource types auto-import takes, by the property that is their name (their primary identifier,
 * a writable one), as "Resource type support" lists them:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-supported-resources.html
 */
export const ADOPTABLE: Record<string, string> = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ECR::Repository': 'RepositoryName',
};

export interface Adoption {
  logicalId: string;
  resourceType: string;
  name: string;
}

interface TemplateResource {
  Type?: string;
  DeletionPolicy?: string;
  Properties?: Record<string, unknown>;
}

/**
 * The template's resources auto-import could take: retained (Retain or RetainExceptOnCreate), of an
 * ADOPTABLE type, with a literal name (auto-import does not resolve Ref or Fn::Sub names).
 */
export function adoptable(body: string): Adoption[] {
  let resources: Record<string, TemplateResource>;
  try {
    resources = (JSON.parse(body) as { Resources?: Record<string, TemplateResource> }).Resources ?? {};
  } catch {
    return [];
  }
  return Object.entries(resources).flatMap(([logicalId, r]) => {
    const prop = r.Type ? ADOPTABLE[r.Type] : undefined;
    const name = prop ? r.Properties?.[prop] : undefined;
    const retained = r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate';
    return retained && typeof name === 'string' ? [{ logicalId, resourceType: r.Type!, name }] : [];
  });
}

/** A stack the engine will create afresh: none, or one it deletes first (never executed, failed create). */
const startsOver = (live: StackSummary | null) => !live || ['review', 'rollback-complete'].includes(classify(live.status));

/**
 * The retained resources this template names that exist but are not the stack's own yet: what
 * the change set must import. Reads only; nothing is looked up when the template names none.
 */
export async function retainedToAdopt(ops: Ops, stackName: string, body: string): Promise<Adoption[]> {
  const candidates = adoptable(body);
  if (!candidates.length) return [];
  const live = await ops.stacks.describe(stackName);
  const owned = startsOver(live) ? new Set<string>() : new Set((await ops.stacks.resources(stackName)).map((r) => r.logicalId));
  const missing = candidates.filter((c) => !owned.has(c.logicalId));
  const found = await Promise.all(missing.map(async (c) => ((await ops.retained.exists(c.resourceType, c.name)) ? c : null)));
  return found.filter((c): c is Adoption => c !== null);
}

/** Say what the change set will import, one event each. */
export function announceAdoptions(ops: Ops, stackName: string, adopt: Adoption[], dryRun: boolean): void {
  for (const a of adopt) {
    say.info(
      ops.events,
      'stack.adopting',
      { stack: stackName, logicalId: a.logicalId, resourceType: a.resourceType, name: a.name, dryRun },
      `stack ${stackName}: ${a.resourceType} ${a.name} was kept by an earlier stack; ${dryRun ? 'a real run imports' : 'importing'} it as ${a.logicalId} instead of creating it (its data stays)`,
    );
  }
}

/**
 * The zone an environment whose config names none uses instead of creating one: the one its live
 * stack adopted before (the template's metadata says so), else, for a stack about to be created,
 * the public zone of its domain tagged with this platform and environment (retained by an earlier
 * stack). null: the stack creates (or already owns) its zone. Several tagged zones: exit 2, before
 * any write, naming them.
 */
export async function zoneToAdopt(ops: Ops, t: Target, live: StackSummary | null, liveTemplate: string | null): Promise<{ zone: AdoptedZone; found: boolean } | null> {
  const e = ops.config.environments[t.env];
  if (e.dns.hostedZoneId) return null;
  if (!startsOver(live)) {
    const kept = adoptedBefore(liveTemplate);
    return kept ? { zone: kept, found: false } : null;
  }
  const zones = await ops.retained.publicZones(e.dns.domain);
  const ours = zones.filter((z) => z.tags[TAG_PLATFORM] === t.platform && z.tags[TAG_ENV] === t.env);
  if (!ours.length) return null;
  if (ours.length > 1) {
    throw usageError(
      `environment ${t.env}: ${ours.length} hosted zones named ${e.dns.domain} are tagged as this environment's (${ours.map((z) => z.id).join(', ')}); ` +
        `set environments.${t.env}.dns.hostedZoneId in config.json to the one the parent domain delegates to (its NS records), then run the command again`,
    );
  }
  const nameServers = (await ops.retained.nameServers(ours[0].id)) ?? [];
  return { zone: { id: ours[0].id, nameServers }, found: true };
}

/** The zone a live env template adopted (its metadata), if it did. */
function adoptedBefore(template: string | null): AdoptedZone | null {
  if (!template) return null;
  try {
    const meta = (JSON.parse(template) as { Metadata?: Record<string, { HostedZoneId?: unknown; NameServers?: unknown }> }).Metadata?.[ADOPTED_ZONE_METADATA];
    if (!meta || typeof meta.HostedZoneId !== 'string') return null;
    return { id: meta.HostedZoneId, nameServers: Array.isArray(meta.NameServers) ? meta.NameServers.map(String) : [] };
  } catch {
    return null;
  }
}

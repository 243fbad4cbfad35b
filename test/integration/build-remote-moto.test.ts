/**
 * `bootstrap --remote-builder` and `deploy --build --remote` against moto.
 *
 * What moto shows: the platform stack's template with the builder (GetTemplate), the builder
 * role and log group it makes (DescribeStackResources, IAM), the build context in the config
 * bucket (its zip honours .dockerignore), StartBuild on the project of the app's architecture
 * (ListBuildsForProject, BatchGetBuilds, BatchGetProjects), the log streamed from moto's
 * CloudWatch Logs, and the digest deployed (the stack's Image, the release record).
 * What it cannot: moto's CloudFormation does not make AWS::CodeBuild::Project (it skips the
 * type), so the test creates the two projects from the template's own properties, standing in
 * for CloudFormation; and moto's CodeBuild runs nothing and reports every build SUCCEEDED, so
 * once StartBuild returns the test stands in for the build: it writes the log events into the
 * build's log stream and puts the image under the tag in moto's ECR. The failure and Ctrl-C
 * paths are in test/integration/build-remote.test.ts (fakes).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { Aws } from '../../src/aws/client';
import { parseConfig } from '../../src/config/load';
import { liveRunner } from '../../src/build/process';
import { builderLogGroup, builderRole, iamPath, platformStack, releaseRecordKey } from '../../src/naming';
import { buildAndDeploy, type BuildDeployResult } from '../../src/ops/build';
import { liveOps } from '../../src/ops/live';
import { appTarget } from '../../src/plan/target';
import { Reporter } from '../../src/report/reporter';
import { pushImage } from '../support/images';
import { motoCli, ok, outcome, writeMotoConfig } from '../support/moto-app';
import { motoAws } from '../support/store-env';

const PLATFORM = 'rmb';
const BUCKET = 'rmb-remote-config';
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-remote-moto-'));
const cli = motoCli(dir);
let aws: Aws;

type Res = { Type: string; Properties: Record<string, any> };
const template = async () => JSON.parse((await aws.cfn.send(new aws.sdk.cfn.GetTemplateCommand({ StackName: platformStack(PLATFORM) }))).TemplateBody!) as { Resources: Record<string, Res>; Outputs: Record<string, any> };

beforeAll(async () => {
  aws = await motoAws();
  await writeMotoConfig(aws, dir, {
    platform: PLATFORM,
    bucket: BUCKET,
    domain: 'staging.rmb.dev',
    range: [25000, 25999],
    staging: { database: { type: 'none' } },
    apps: { web: { processes: { web: { port: 8080 } }, database: false } },
  });
  expect(outcome(await cli('bootstrap', '--remote-builder', '--json'))).toEqual(ok);
  expect(outcome(await cli('env', 'create', 'staging', '--json'))).toEqual(ok);
}, 180_000);

afterAll(() => {
  for (const c of [aws.s3, aws.cfn, aws.codebuild, aws.logs, aws.ecr, aws.iam]) c.destroy();
});

describe('bootstrap --remote-builder (moto)', () => {
  test('the platform stack has the two projects, the role (platform path, boundary) and the log group; a later bootstrap keeps them', async () => {
    const t = await template();
    const projects = Object.values(t.Resources).filter((r) => r.Type === 'AWS::CodeBuild::Project');
    expect(projects.map((p) => [p.Properties.Name, p.Properties.Environment.Type, p.Properties.Environment.Image])).toEqual([
      ['rmb-builder-arm64', 'ARM_CONTAINER', 'aws/codebuild/amazonlinux2-aarch64-standard:3.0'],
      ['rmb-builder-x86_64', 'LINUX_CONTAINER', 'aws/codebuild/amazonlinux2-x86_64-standard:5.0'],
    ]);
    const resources = (await aws.cfn.send(new aws.sdk.cfn.DescribeStackResourcesCommand({ StackName: platformStack(PLATFORM) }))).StackResources ?? [];
    expect(resources.filter((r) => ['BuilderRole', 'BuilderLogGroup'].includes(r.LogicalResourceId!)).map((r) => `${r.LogicalResourceId} ${r.ResourceType} ${r.ResourceStatus}`).sort()).toEqual([
      'BuilderLogGroup AWS::Logs::LogGroup CREATE_COMPLETE',
      'BuilderRole AWS::IAM::Role CREATE_COMPLETE',
    ]);
    const role = (await aws.iam.send(new aws.sdk.iam.GetRoleCommand({ RoleName: builderRole(PLATFORM) }))).Role!;
    expect(role.Path).toBe(iamPath(PLATFORM));
    expect(role.PermissionsBoundary?.PermissionsBoundaryArn).toMatch(new RegExp(`:policy${iamPath(PLATFORM)}${PLATFORM}-boundary$`));
    const groups = await aws.logs.send(new aws.sdk.logs.DescribeLogGroupsCommand({ logGroupNamePrefix: builderLogGroup(PLATFORM) }));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual([builderLogGroup(PLATFORM)]);
    // bootstrap again without the flag: the builder stays
    expect(outcome(await cli('bootstrap', '--json'))).toEqual(ok);
    expect(Object.values((await template()).Resources).filter((r) => r.Type === 'AWS::CodeBuild::Project')).toHaveLength(2);
    const outputs = (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: platformStack(PLATFORM) }))).Stacks![0].Outputs ?? [];
    expect(outputs.filter((o) => o.OutputKey!.startsWith('Builder')).map((o) => o.OutputValue).sort()).toEqual(['rmb-builder-arm64', 'rmb-builder-x86_64']);
  }, 120_000);
});

describe('deploy --build --remote (moto)', () => {
  test('uploads the context (honouring .dockerignore), starts the x86_64 build, streams its log, and deploys the digest', async () => {
    // moto's CloudFormation skips AWS::CodeBuild::Project: make the projects from the template's own properties
    for (const p of Object.values((await template()).Resources).filter((r) => r.Type === 'AWS::CodeBuild::Project')) {
      const e = p.Properties.Environment;
      await aws.codebuild.send(
        new aws.sdk.codebuild.CreateProjectCommand({
          name: p.Properties.Name,
          // moto's CreateProject wants a location whatever the source type (CodeBuild's does not for
          // NO_SOURCE); StartBuild overrides the source with the uploaded context anyway
          source: { type: p.Properties.Source.Type, buildspec: p.Properties.Source.BuildSpec, location: `${BUCKET}/builds/` },
          artifacts: { type: 'NO_ARTIFACTS' },
          environment: { type: e.Type, image: e.Image, computeType: e.ComputeType, privilegedMode: e.PrivilegedMode },
          serviceRole: (await aws.iam.send(new aws.sdk.iam.GetRoleCommand({ RoleName: builderRole(PLATFORM) }))).Role!.Arn!,
        }),
      );
    }
    const src = path.join(dir, 'web');
    mkdirSync(src);
    writeFileSync(path.join(src, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    writeFileSync(path.join(src, 'hello.txt'), 'hello\n');
    writeFileSync(path.join(src, '.dockerignore'), '.git\nsecret.env\nnode_modules\n');
    writeFileSync(path.join(src, 'secret.env'), 'TOKEN=never-uploaded\n');
    mkdirSync(path.join(src, 'node_modules'));
    writeFileSync(path.join(src, 'node_modules', 'big.js'), 'x'.repeat(1000));
    const git = (...a: string[]) => execFileSync('git', a, { cwd: src, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).trim();
    git('init', '-q');
    git('add', 'Dockerfile', 'hello.txt', '.dockerignore');
    git('commit', '-q', '-m', 'first');
    const commit = git('rev-parse', '--short', 'HEAD');

    const config = parseConfig(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')), path.join(dir, 'config.json'));
    const progress: string[] = [];
    const stderr = new Writable({ write: (chunk, _e, done) => (progress.push(...chunk.toString().split('\n').filter(Boolean)), done()) });
    const reporter = new Reporter({ json: true, progress: 'json', stdout: new PassThrough(), stderr });
    const target = appTarget(config, 'web', 'staging');
    const ops = liveOps(aws, config, reporter, new AbortController().signal, target);
    const LINES = ['[Container] Running command docker build --platform linux/amd64', 'Step 1/2 : FROM scratch', 'pushed'];
    let pushed = '';
    const start = ops.builder!.start;
    ops.builder!.start = async (input) => {
      const started = await start(input);
      // standing in for CodeBuild (moto runs nothing): the build's log lines, and its push
      const stream = started.id.slice(started.id.indexOf(':') + 1);
      await aws.logs.send(new aws.sdk.logs.CreateLogStreamCommand({ logGroupName: builderLogGroup(PLATFORM), logStreamName: stream }));
      await aws.logs.send(new aws.sdk.logs.PutLogEventsCommand({ logGroupName: builderLogGroup(PLATFORM), logStreamName: stream, logEvents: LINES.map((message, i) => ({ message, timestamp: Date.now() + i })) }));
      pushed = await pushImage(aws, `${PLATFORM}/web`, input.buildspec.match(/--tag '[^']*:([^']+)'/)![1], `remote-${commit}`);
      return started;
    };
    const r = (await buildAndDeploy(ops, liveRunner, { target, dir: src, remote: true, pollMs: 50 })) as BuildDeployResult;

    // the context in the bucket, as Docker would send it
    const listed = await aws.s3.send(new aws.sdk.s3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'builds/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([expect.stringMatching(/^builds\/web\/[0-9a-f]{64}\.zip$/)]);
    const zip = path.join(dir, 'context.zip');
    const got = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: listed.Contents![0].Key! }));
    writeFileSync(zip, Buffer.from(await got.Body!.transformToByteArray()));
    const names = JSON.parse(execFileSync('python3', ['-c', 'import json,sys,zipfile\nprint(json.dumps(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))', zip], { encoding: 'utf8' }));
    expect(names).toEqual(['.dockerignore', 'Dockerfile', 'hello.txt']);

    // StartBuild on the x86_64 project, whose environment is LINUX_CONTAINER
    const ids = (await aws.codebuild.send(new aws.sdk.codebuild.ListBuildsForProjectCommand({ projectName: `${PLATFORM}-builder-x86_64` }))).ids ?? [];
    expect(ids).toHaveLength(1);
    expect((await aws.codebuild.send(new aws.sdk.codebuild.ListBuildsForProjectCommand({ projectName: `${PLATFORM}-builder-arm64` }))).ids ?? []).toEqual([]);
    const build = (await aws.codebuild.send(new aws.sdk.codebuild.BatchGetBuildsCommand({ ids }))).builds![0];
    expect(build.projectName).toBe(`${PLATFORM}-builder-x86_64`);
    const project = (await aws.codebuild.send(new aws.sdk.codebuild.BatchGetProjectsCommand({ names: [build.projectName!] }))).projects![0];
    expect(project.environment).toMatchObject({ type: 'LINUX_CONTAINER', image: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0' });

    // the log, streamed from moto's CloudWatch Logs as progress events
    const events = progress.map((l) => JSON.parse(l) as { type: string; code?: string; data?: Record<string, unknown> });
    expect(events.filter((e) => e.code === 'build.remote.log').map((e) => e.data!.line)).toEqual(LINES);
    expect(events.find((e) => e.code === 'build.remote.started')!.data).toMatchObject({ build: ids[0], project: `${PLATFORM}-builder-x86_64`, arch: 'x86_64', logGroup: builderLogGroup(PLATFORM) });

    // the digest deployed: the stack runs it, the release records the build
    const stack = (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: `${PLATFORM}-staging-web` }))).Stacks![0];
    const uri = r.build.repository;
    expect(stack.Parameters?.find((p) => p.ParameterKey === 'Image')?.ParameterValue).toBe(`${uri}@${pushed}`);
    const record = JSON.parse(await (await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: releaseRecordKey('staging', 'web', r.release!.number!) }))).Body!.transformToString());
    expect(record).toMatchObject({ imageDigest: pushed, build: { builder: 'codebuild', tag: r.build.source.tag, commit, reused: false } });
    // the untracked files (ignored or not) make the tree dirty: the tag says so
    expect(r.build.source.tag).toMatch(new RegExp(`^${commit}-dirty-[0-9a-f]{12}$`));
    expect(JSON.stringify(events)).not.toContain('never-uploaded');
  }, 180_000);
});

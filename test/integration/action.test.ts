/**
 * The GitHub Action's shell steps (action.yml runs them), run here as GitHub would: a fake
 * GITHUB_* environment, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, INPUT_* variables, and
 * AWS credentials already in the environment (what aws-actions/configure-aws-credentials leaves
 * after the OIDC exchange, which needs GitHub itself). Against moto: a deploy on push, a preview,
 * a promote, and a failure, with the outputs, the summary and the stacks checked.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Aws } from '../../src/aws/client';
import { setTestCredentials, TEST_REGION } from '../support/store-env';
import { runCli } from '../support/run-cli';
import { pushImage } from '../support/images';
import { writeTwoEnvConfig } from '../support/moto-app';

const ROOT = path.resolve(__dirname, '../..');
const PLATFORM = 'gha';
const BUCKET = 'gha-e2e-config';
const REPO = `123456789012.dkr.ecr.${TEST_REGION}.amazonaws.com/${PLATFORM}/shop`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-action-'));
let aws: Aws;

const awsEnv = () => ({ AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT!, AWS_ACCESS_KEY_ID: 'ASIATEST', AWS_SECRET_ACCESS_KEY: 'test', AWS_SESSION_TOKEN: 'session', AWS_REGION: TEST_REGION, AWS_EC2_METADATA_DISABLED: 'true' });

interface Step {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** One step of the action: node SCRIPT with the inputs, in a fake runner environment. */
function step(script: string, inputs: Record<string, string>): Promise<Step> {
  const run = mkdtempSync(path.join(dir, 'step-'));
  const files = { GITHUB_OUTPUT: path.join(run, 'output'), GITHUB_STEP_SUMMARY: path.join(run, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env = {
    PATH: process.env.PATH!,
    HOME: process.env.HOME!,
    ...awsEnv(),
    ...files,
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: ROOT,
    GITHUB_WORKSPACE: dir,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_RUN_ID: '42',
    RUNNER_TEMP: run,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase().replace(/-/g, '_')}`, v])),
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'action', script)], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const outputs = Object.fromEntries(
        readFileSync(files.GITHUB_OUTPUT, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      resolve({ code: code ?? 1, stdout, stderr, outputs, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') });
    });
  });
}

const push = (tag: string, layer: string) => pushImage(aws, `${PLATFORM}/shop`, tag, layer);
const param = async (stack: string, key: string) =>
  (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: stack }))).Stacks![0].Parameters!.find((p) => p.ParameterKey === key)?.ParameterValue;

beforeAll(async () => {
  setTestCredentials();
  aws = await connect({ region: TEST_REGION, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2 });
  await writeTwoEnvConfig(aws, dir, { platform: PLATFORM, bucket: BUCKET, domain: 'gha.dev', range: [25000, 25999] });
  for (const args of [['bootstrap'], ['env', 'create', 'staging'], ['env', 'create', 'production']]) {
    const r = await runCli(args, { cwd: dir, env: awsEnv() });
    expect({ args, code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ args, code: 0, stderr: '' });
  }
}, 120_000);

afterAll(() => {
  for (const c of [aws.s3, aws.cfn, aws.ecr, aws.route53]) c.destroy();
});

describe('the action against moto', () => {
  let digest: string;

  test('session: the timeout plus ten minutes, by the hour; beyond 11h50m refused before any credential', async () => {
    expect((await step('session.mjs', { timeout: '20m' })).outputs).toEqual({ seconds: '3600' });
    expect((await step('session.mjs', { timeout: '2h' })).outputs).toEqual({ seconds: '10800' });
    expect((await step('session.mjs', { timeout: '11h50m' })).code).toBe(2); // not a duration cyclops reads either
    expect((await step('session.mjs', { timeout: '42600' })).outputs).toEqual({ seconds: '43200' });
    const long = await step('session.mjs', { timeout: '12h' });
    expect(long.code).toBe(2);
    expect(long.stdout).toMatch(/::error title=cyclops::timeout 12h \(43200s\) is longer than the deploy role's 12-hour session allows/);
    expect(long.outputs).toEqual({});
  });

  test('deploy on push: outputs url, release and digest; the summary has them, the duration and the changes', async () => {
    digest = await push('1.0', 'layer-1.0');
    const r = await step('run.mjs', { command: 'deploy', image: `${REPO}:1.0`, app: 'shop', env: 'staging', timeout: '20m' });
    expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(r.outputs).toEqual({ url: 'http://shop.staging.gha.dev', release: '1', digest });
    expect(await param(`${PLATFORM}-staging-shop`, 'Image')).toBe(`${REPO}@${digest}`);
    expect(r.summary).toContain('### cyclops deploy shop to staging');
    expect(r.summary).toContain('| URL | <http://shop.staging.gha.dev> |');
    expect(r.summary).toContain('| release | 1 |');
    expect(r.summary).toContain(`| digest | \`${digest}\` |`);
    expect(r.summary).toMatch(/\| duration \| [\d.]+s \|/);
    expect(r.summary).toContain('Created stack gha-staging-shop.');
    // the progress events went to the job log as JSON lines
    expect(r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).code)).toContain('deploy.done');
  });

  let next: string;
  test('a second deploy: a new release and digest', async () => {
    next = await push('1.1', 'layer-1.1');
    const r = await step('run.mjs', { command: 'deploy', image: `${REPO}:1.1`, app: 'shop', env: 'staging' });
    expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(r.outputs).toEqual({ url: 'http://shop.staging.gha.dev', release: '2', digest: next });
    expect(await param(`${PLATFORM}-staging-shop`, 'Image')).toBe(`${REPO}@${next}`);
  });

  test('the change list of the summary (moto reports no changes for a parameter update, so the list is rendered from a result as AWS gives it)', async () => {
    const result = {
      url: 'https://shop.acme.dev', stack: 'acme-production-shop', action: 'update', image: 'r/shop@sha256:ab', imageDigest: 'sha256:ab', duration: 81.2, release: { number: 13 },
      changes: [
        { action: 'Modify', logicalId: 'WebTaskDefinition', resourceType: 'AWS::ECS::TaskDefinition', replacement: 'True' },
        { action: 'Modify', logicalId: 'WebService', resourceType: 'AWS::ECS::Service', replacement: 'False' },
      ],
    };
    const code = `const m = await import(${JSON.stringify(path.join(ROOT, 'action/run.mjs'))}); process.stdout.write(m.summary({ command: 'deploy', app: 'shop', env: 'production' }, ${JSON.stringify(result)}));`;
    const out = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', code]);
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('close', () => resolve(text));
    });
    expect(out).toContain('#### 2 change(s) to acme-production-shop');
    expect(out).toContain('| Modify | WebTaskDefinition | AWS::ECS::TaskDefinition | True |');
    expect(out).toContain('| Modify | WebService | AWS::ECS::Service | False |');
    expect(out).toContain('| duration | 81.2s |');
  });

  test('a preview per pull request: deployed as APP-NAME, its URL in the outputs', async () => {
    const r = await step('run.mjs', { command: 'deploy', image: `${REPO}:1.0`, app: 'shop', env: 'staging', preview: 'pr-7' });
    expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(r.outputs.url).toBe('http://shop-pr-7.staging.gha.dev');
    expect(await param(`${PLATFORM}-staging-shop-pr-7`, 'Image')).toBe(`${REPO}@${digest}`);
    expect(r.summary).toContain('(preview pr-7)');
  });

  test('promote staging to production: the tested digest, and where it came from', async () => {
    const r = await step('run.mjs', { command: 'promote', app: 'shop', 'from-env': 'staging', env: 'production' });
    expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(r.outputs).toEqual({ url: 'http://shop.gha.dev', release: '1', digest: next });
    expect(await param(`${PLATFORM}-production-shop`, 'Image')).toBe(`${REPO}@${next}`);
    expect(r.summary).toContain('### cyclops promote shop staging → production');
    expect(r.summary).toContain('(promoted from staging release 2)');
  });

  test('the pull request closes: destroy removes its preview (stack, port) and leaves the app', async () => {
    const r = await step('run.mjs', { command: 'destroy', app: 'shop', env: 'staging', preview: 'pr-7' });
    expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(r.summary).toBe('### cyclops destroy shop-pr-7 in staging\n\nStack gha-staging-shop-pr-7 deleted.\n');
    const gone = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: `${PLATFORM}-staging-shop-pr-7` })).then((o) => o.Stacks?.[0]?.StackStatus ?? 'none', (e) => String(e.message));
    expect(gone).toMatch(/DELETE_COMPLETE|does not exist/);
    expect(await param(`${PLATFORM}-staging-shop`, 'Image')).toBe(`${REPO}@${next}`);
    const ports = JSON.parse(await (await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: 'ports.json' }))).Body!.transformToString());
    expect(JSON.stringify(ports)).not.toContain('shop-pr-7');
    const again = await step('run.mjs', { command: 'destroy', app: 'shop', env: 'staging', preview: 'pr-7' });
    // closing again (or a pull request whose preview never deployed): nothing to do, not a failure
    expect(again.code).toBe(0);
    expect(again.summary).toBe('### cyclops destroy shop-pr-7 in staging\n\nIt was not deployed.\n');
  });

  test('a failure: the step fails with cyclops\'s exit code, the summary and the log say why, the outputs are empty', async () => {
    const r = await step('run.mjs', { command: 'deploy', image: `${REPO}:9.9`, app: 'shop', env: 'staging' });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/::error title=cyclops::image .*:9\.9: tag "9\.9" is not in ECR repository/);
    expect(r.summary).toMatch(/^### cyclops deploy shop to staging: failed\n\nimage .*tag "9\.9" is not in ECR/);
    expect(r.outputs).toEqual({ url: '', release: '', digest: '' });
    const bad = await step('run.mjs', { command: 'promote', app: 'shop', env: 'production' });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('command promote needs the input "from-env"');
  });
});

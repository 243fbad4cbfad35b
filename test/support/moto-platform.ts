/**
 * A cyclops workspace against the shared moto (and, for apps with a database, the test
 * PostgreSQL as the environment's "external" database): a config.json in a temp dir with a
 * platform and bucket unique to the test file, an existing Route 53 zone for "staging", and
 * an in-process CLI runner with moto's environment. For tests that bootstrap, create an
 * environment and deploy apps (see deploy-e2e.test.ts for the same flow through the binary).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Aws } from '../../src/aws/client';
import type { CliResult } from './cli';
import { runCli } from './run-cli';
import { motoAws, TEST_REGION } from './store-env';
import { createZone } from './zones';

export const ADMIN_PASSWORD_ENV = 'CYCLOPS_TEST_PG_ADMIN_PASSWORD';

export interface MotoPlatform {
  platform: string;
  bucket: string;
  domain: string;
  dir: string;
  aws: Aws;
  /** runs `cyclops ARGS` in-process in the workspace */
  run(...args: string[]): Promise<CliResult>;
  /** the same, with `input` on stdin (a secret value) */
  runInput(input: string, ...args: string[]): Promise<CliResult>;
  /** the same, with some environment variables replaced (other credentials) */
  runWith(extra: Record<string, string>, ...args: string[]): Promise<CliResult>;
  /** DescribeStacks of one stack (null when it is gone) */
  stack(name: string): Promise<{ StackStatus?: string; RoleARN?: string; Tags?: { Key?: string; Value?: string }[] } | null>;
  close(): void;
}

/**
 * `apps` go to config.json as given; `database` "external" uses the test PostgreSQL. `endpoint`:
 * where the commands send their requests (default the shared moto proxy; the test's own reads
 * always go there). `envs`: environments besides staging (each with its own zone, `<env>.<platform>.dev`).
 */
export async function motoPlatform(opts: { platform: string; apps: Record<string, unknown>; database: 'external' | 'none'; endpoint?: string; envs?: string[] }): Promise<MotoPlatform> {
  const aws = await motoAws();
  const domain = `staging.${opts.platform}.dev`;
  const zones = Object.fromEntries(await Promise.all(['staging', ...(opts.envs ?? [])].map(async (e) => [e, await createZone(aws, `${e}.${opts.platform}.dev`)] as const)));
  const dir = mkdtempSync(path.join(os.tmpdir(), `cyclops-${opts.platform}-`));
  const bucket = `${opts.platform}-config-${TEST_REGION}`;
  const database =
    opts.database === 'none'
      ? { type: 'none' }
      : { type: 'external', host: process.env.PG_HOST, port: Number(process.env.PG_PORT), adminUser: process.env.PG_ADMIN_USER, adminPasswordEnv: ADMIN_PASSWORD_ENV, ssl: 'prefer' };
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      platform: { name: opts.platform, region: TEST_REGION, bucket },
      ports: { range: [22000, 22999] },
      environments: Object.fromEntries(Object.entries(zones).map(([e, hostedZoneId]) => [e, { dns: { domain: `${e}.${opts.platform}.dev`, hostedZoneId }, database }])),
      apps: opts.apps,
    }),
  );
  const env = {
    AWS_ENDPOINT_URL: opts.endpoint ?? process.env.MOTO_ENDPOINT,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: TEST_REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    [ADMIN_PASSWORD_ENV]: process.env.PG_ADMIN_PASSWORD,
  };
  return {
    platform: opts.platform,
    bucket,
    domain,
    dir,
    aws,
    run: (...args) => runCli(args, { cwd: dir, env }),
    runInput: (input, ...args) => runCli(args, { cwd: dir, env, input }),
    runWith: (extra, ...args) => runCli(args, { cwd: dir, env: { ...env, ...extra } }),
    stack: async (name) => {
      try {
        const out = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: name }));
        const s = out.Stacks?.[0];
        return s && s.StackStatus !== 'DELETE_COMPLETE' ? s : null;
      } catch (e) {
        if (/does not exist/.test(String((e as Error).message))) return null;
        throw e;
      }
    },
    close: () => {
      for (const c of [aws.s3, aws.cfn, aws.ecs, aws.secrets, aws.route53]) c.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The usual start: `bootstrap` and `env create staging`, then `more` commands (a first deploy),
 * each with --json; one that fails fails the set-up with its stderr.
 */
export async function setUp(p: MotoPlatform, ...more: string[][]): Promise<void> {
  for (const args of [['bootstrap'], ['env', 'create', 'staging'], ...more]) expect({ args, ...outcome(await p.run(...args, '--json')) }).toEqual({ args, ...OK });
}

/**
 * One IAM query-protocol call to moto. No IAM client is installed (the product never calls
 * IAM), and moto does not check signatures, so the tests read IAM state this way.
 */
export async function motoIam(action: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams({ Action: action, Version: '2010-05-08', ...params });
  const r = await fetch(`${process.env.MOTO_ENDPOINT}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=test/20300101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body,
  });
  return { status: r.status, body: await r.text() };
}

/** Exit code with stderr beside it, so a failure shows why. */
export const outcome = (r: CliResult) => ({ code: r.code, stderr: r.code === 0 ? '' : r.stderr });
export const OK = { code: 0, stderr: '' };

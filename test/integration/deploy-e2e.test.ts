/**
 * End to end against moto_server (started with MOTO_ECS_SERVICE_RUNNING=1, so one-task
 * services report a completed rollout) and the test PostgreSQL (the environment's database
 * is "external", reached directly): bootstrap → env create → deploy → no-op redeploy →
 * new image → status and apps list → concurrency → destroy. Everything runs through the
 * built binary, as a runbook would.
 *
 * Where moto falls short (DESIGN.md): stack operations complete synchronously and only
 * stack-level events exist, so progress shows stack events only; change sets list no
 * resource changes, so "only the task definitions and services change" is checked by
 * comparing physical resource ids before and after instead.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { cyclops, startCyclops, type CliResult } from '../support/cli';
import { motoAws, TEST_REGION } from '../support/store-env';
import { createZone } from '../support/zones';
import type { Aws } from '../../src/aws/client';
import { allStacks } from '../support/aws-reads';

const PLATFORM = 'e2e';
const BUCKET = 'e2e-deploy-config';
const ADMIN_ENV = 'CYCLOPS_E2E_PG_ADMIN_PASSWORD';
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-e2e-'));
const outputs: string[] = [];
let aws: Aws;

const env = () => ({
  AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: TEST_REGION,
  [ADMIN_ENV]: process.env.PG_ADMIN_PASSWORD,
});

async function run(...args: string[]): Promise<CliResult> {
  const r = await cyclops(args, { cwd: dir, env: env() });
  outputs.push(r.stdout, r.stderr);
  return r;
}

/** Exit code with stderr beside it, so a failure shows why. */
const outcome = (r: CliResult) => ({ code: r.code, stderr: r.code === 0 ? '' : r.stderr });
const ok = { code: 0, stderr: '' };

async function runVerbose(...args: string[]): Promise<CliResult> {
  return run('--verbose', ...args);
}

beforeAll(async () => {
  aws = await motoAws();
  const hostedZoneId = await createZone(aws, 'staging.e2e.dev');
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      platform: { name: PLATFORM, region: TEST_REGION, bucket: BUCKET },
      ports: { range: [21000, 21999] },
      environments: {
        staging: {
          dns: { domain: 'staging.e2e.dev', hostedZoneId },
          database: {
            type: 'external',
            host: process.env.PG_HOST,
            port: Number(process.env.PG_PORT),
            adminUser: process.env.PG_ADMIN_USER,
            adminPasswordEnv: ADMIN_ENV,
            ssl: 'prefer',
          },
        },
      },
      apps: {
        shop: {
          processes: { web: { port: 3000, count: 1 }, worker: { command: ['bin/worker'], count: 1 } },
          healthCheckPath: '/up',
          env: { RAILS_ENV: 'production' },
        },
      },
    }),
  );
});

async function stackResources(stack: string): Promise<Record<string, string>> {
  const out = await aws.cfn.send(new aws.sdk.cfn.ListStackResourcesCommand({ StackName: stack }));
  return Object.fromEntries((out.StackResourceSummaries ?? []).map((r) => [r.LogicalResourceId, `${r.ResourceType} ${r.PhysicalResourceId}`]));
}

async function serviceTaskDefinitions(stack: string) {
  const res = await aws.cfn.send(new aws.sdk.cfn.ListStackResourcesCommand({ StackName: stack }));
  const services = (res.StackResourceSummaries ?? []).filter((r) => r.ResourceType === 'AWS::ECS::Service').map((r) => r.PhysicalResourceId!);
  const described = await aws.ecs.send(new aws.sdk.ecs.DescribeServicesCommand({ cluster: `${PLATFORM}-staging`, services }));
  const defs = [];
  for (const s of described.services ?? []) {
    const td = await aws.ecs.send(new aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition }));
    defs.push(td.taskDefinition!);
  }
  return defs;
}

afterAll(() => {
  for (const c of [aws.s3, aws.cfn, aws.ecs, aws.secrets, aws.route53]) c.destroy();
});

describe('deploy, end to end', () => {
  test('1. bootstrap creates the config bucket and the platform stack', async () => {
    const r = await run('bootstrap', '--json');
    expect(outcome(r)).toEqual(ok);
    const head = await aws.s3.send(new aws.sdk.s3.HeadBucketCommand({ Bucket: BUCKET }));
    expect(head.$metadata.httpStatusCode).toBe(200);
    expect(r.json().platform).toMatchObject({ stack: `${PLATFORM}-platform`, status: 'CREATE_COMPLETE', changed: true });
    const again = await run('bootstrap', '--json');
    expect(outcome(again)).toEqual(ok);
    expect(again.json()).toMatchObject({ created: false, platform: { changed: false } });
  });

  test('2. env create makes the environment stack; a second create is a no-op update', async () => {
    const r = await run('env', 'create', 'staging', '--json');
    expect(outcome(r)).toEqual(ok);
    const again = await run('env', 'create', 'staging', '--json');
    expect(outcome(again)).toEqual(ok);
    expect(again.json().changed).toBe(false);
  });

  let firstPort = 0;
  test('3. deploy a new app: port, database, stack, rollout, release; --json is one document', async () => {
    const r = await runVerbose('deploy', 'registry.example.com/shop:1.0.0', 'shop', 'staging', '--json');
    expect(outcome(r)).toEqual(ok);
    const doc = r.json();
    expect(doc).toMatchObject({
      app: 'shop',
      env: 'staging',
      image: 'registry.example.com/shop:1.0.0',
      url: 'http://shop.staging.e2e.dev',
      stack: `${PLATFORM}-staging-shop`,
      status: 'CREATE_COMPLETE',
      changed: true,
      release: { number: 1, image: 'registry.example.com/shop:1.0.0' },
    });
    expect(doc.port).toBeGreaterThanOrEqual(21000);
    firstPort = doc.port;
    expect(typeof doc.duration).toBe('number');
    // progress went to stderr, in order
    expect(r.stderr).toMatch(/locking shop in staging[\s\S]*port \d+[\s\S]*creating stack[\s\S]*roll out/);

    // the database and login exist on the real PostgreSQL, and the app can use them
    const secret = await aws.secrets.send(new aws.sdk.secrets.GetSecretValueCommand({ SecretId: 'cyclops/e2e/staging/shop/database' }));
    const creds = JSON.parse(secret.SecretString!);
    expect(creds).toMatchObject({ dbname: 'app_shop', username: 'app_shop', port: Number(process.env.PG_PORT) });
    const c = new Client({ host: process.env.PG_HOST, port: Number(process.env.PG_PORT), user: creds.username, password: creds.password, database: creds.dbname });
    await c.connect();
    await c.query('create table orders (id int)');
    await c.end();

    // the services get the database by reference, never as a plain variable
    const defs = await serviceTaskDefinitions(doc.stack);
    expect(defs.length).toBe(2);
    for (const td of defs) {
      const container = td.containerDefinitions![0];
      expect(container.image).toBe('registry.example.com/shop:1.0.0');
      const names = (container.environment ?? []).map((e) => e.name);
      expect(names).not.toContain('DATABASE_URL');
      const secretRefs = Object.fromEntries((container.secrets ?? []).map((s) => [s.name, s.valueFrom]));
      expect(secretRefs.DATABASE_URL).toContain(secret.ARN!);
    }
  });

  let resourcesBefore: Record<string, string> = {};
  test('4. redeploying the same image is a no-op that says "no changes"', async () => {
    resourcesBefore = await stackResources(`${PLATFORM}-staging-shop`);
    const r = await runVerbose('deploy', 'registry.example.com/shop:1.0.0', 'shop', 'staging', '--json');
    expect(outcome(r)).toEqual(ok);
    const doc = r.json();
    expect(doc.changed).toBe(false);
    // skip-deploy: the stack's TemplateDigest output and parameters match, so no change set and no stack write
    expect(doc.skipped).toBe(true);
    const calls = [...r.stderr.matchAll(/^aws (\S+) /gm)].map((m) => m[1]);
    expect(calls.filter((c) => /ChangeSet|CreateStack|UpdateStack/.test(c))).toEqual([]);
    // release pointer + stack, the lock, the re-check under it (pointer + stack), the services, the unlock
    expect(calls.length).toBeLessThanOrEqual(7);
    expect(doc.port).toBe(firstPort);
    expect(doc.release.number).toBe(1);
    expect(r.stderr).toMatch(/no changes/);
  });

  test('4b. --dry-run shows the change set and writes no port, lock, release or stack change', async () => {
    const portsBefore = await run('ports', 'list', 'staging', '--json');
    const latestKey = 'templates/app/staging/shop/latest.json';
    const latestBefore = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: latestKey })).then((o) => o.Body!.transformToString());

    const update = await run('deploy', 'registry.example.com/shop:9.9.9', 'shop', 'staging', '--dry-run', '--json');
    expect(outcome(update)).toEqual(ok);
    expect(update.json()).toMatchObject({ action: 'dry-run', release: { number: 1 } });
    const fresh = await run('deploy', 'nginx:1.27', 'newcomer', 'staging', '--dry-run', '--json');
    expect(outcome(fresh)).toEqual(ok);
    expect(fresh.json()).toMatchObject({ action: 'dry-run', release: null });
    expect(fresh.json().changes.map((c: { resourceType: string }) => c.resourceType)).toContain('AWS::ECS::Service');
    expect(fresh.stderr).toMatch(/would allocate port \d+/);

    const stack = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: `${PLATFORM}-staging-shop` }));
    expect(stack.Stacks![0].Parameters).toContainEqual({ ParameterKey: 'Image', ParameterValue: 'registry.example.com/shop:1.0.0' });
    expect((await allStacks(aws)).filter((x) => x.StackName === `${PLATFORM}-staging-newcomer` && x.StackStatus !== 'DELETE_COMPLETE')).toEqual([]);
    expect((await run('ports', 'list', 'staging', '--json')).json()).toEqual(portsBefore.json());
    const latestAfter = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: latestKey })).then((o) => o.Body!.transformToString());
    expect(latestAfter).toBe(latestBefore);
    const locks = await aws.s3.send(new aws.sdk.s3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'locks/' }));
    expect(locks.KeyCount ?? 0).toBe(0);
  });

  test('5. a new image updates the task definitions and services only', async () => {
    const r = await run('deploy', 'registry.example.com/shop:1.1.0', 'shop', 'staging', '--json');
    expect(outcome(r)).toEqual(ok);
    const doc = r.json();
    expect(doc).toMatchObject({ changed: true, status: 'UPDATE_COMPLETE', port: firstPort, release: { number: 2 } });
    // The image is a stack parameter; moto re-registers each task definition on the update but
    // loses its container definitions and keeps the service on the old revision, so the check
    // here is the parameter and a new revision per family.
    const stack = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: doc.stack }));
    expect(stack.Stacks![0].Parameters).toContainEqual({ ParameterKey: 'Image', ParameterValue: 'registry.example.com/shop:1.1.0' });
    for (const family of [`${PLATFORM}-staging-shop-web`, `${PLATFORM}-staging-shop-worker`]) {
      const td = await aws.ecs.send(new aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: family }));
      expect(td.taskDefinition!.revision).toBe(2);
    }
    const after = await stackResources(doc.stack);
    for (const [id, before] of Object.entries(resourcesBefore)) {
      if (/AWS::ECS::(TaskDefinition|Service)/.test(before)) continue;
      expect(`${id} ${after[id]}`).toBe(`${id} ${before}`);
    }
  });

  test('6. status and apps list show what runs', async () => {
    const s = await run('status', 'shop', 'staging', '--json');
    expect(outcome(s)).toEqual(ok);
    expect(s.json()).toMatchObject({ app: 'shop', status: 'UPDATE_COMPLETE', image: 'registry.example.com/shop:1.1.0', port: firstPort, url: 'http://shop.staging.e2e.dev', release: { number: 2 } });
    expect(s.json().processes).toHaveLength(2);
    const human = await run('status', 'shop', 'staging');
    expect(human.stdout).toMatch(/shop-web\s+1\s+1/);

    const list = await run('apps', 'list', 'staging', '--json');
    expect(outcome(list)).toEqual(ok);
    expect(list.json().apps).toEqual([expect.objectContaining({ app: 'shop', port: firstPort, image: 'registry.example.com/shop:1.1.0' })]);
  });

  test('6b. a deployed app keeps its port and database; rotating the password restarts its services', async () => {
    const release = await run('ports', 'release', 'shop', 'staging');
    expect(release.code).toBe(2);
    expect(release.stderr).toMatch(/app shop in staging: is deployed and its load-balancer rule uses the port; run "cyclops destroy shop staging"/);
    const drop = await run('db', 'drop', 'shop', 'staging', '--yes');
    expect(drop.code).toBe(2);
    expect(drop.stderr).toMatch(/is deployed and uses this database/);

    // moto answers a GetSecretValue without a stage from the first version, not AWSCURRENT.
    const current = async () =>
      JSON.parse((await aws.secrets.send(new aws.sdk.secrets.GetSecretValueCommand({ SecretId: 'cyclops/e2e/staging/shop/database', VersionStage: 'AWSCURRENT' }))).SecretString!);
    const before = await current();
    const rotated = await run('db', 'ensure', 'shop', 'staging', '--rotate-password', '--json');
    expect(outcome(rotated)).toEqual(ok);
    expect(rotated.json()).toMatchObject({ role: 'rotated', restarted: ['shop-web', 'shop-worker'] });
    const after = await current();
    expect(after.password).not.toBe(before.password);
    const c = new Client({ host: process.env.PG_HOST, port: Number(process.env.PG_PORT), user: after.username, password: after.password, database: after.dbname });
    await c.connect();
    expect((await c.query('select count(*)::int as n from orders')).rows[0].n).toBe(0);
    await c.end();
  });

  test('7. two different apps deploy at once, each with its own port', async () => {
    const [a, b] = await Promise.all([run('deploy', 'nginx:1.27', 'alpha', 'staging', '--json'), run('deploy', 'nginx:1.27', 'beta', 'staging', '--json')]);
    expect([outcome(a), outcome(b)]).toEqual([ok, ok]);
    expect(a.json().port).not.toBe(b.json().port);
    const list = await run('apps', 'list', 'staging', '--json');
    expect(list.json().apps.map((x: { app: string }) => x.app)).toEqual(['alpha', 'beta', 'shop']);
  });

  test('8. the same app deployed twice at once: the second gets exit code 3 with the holder', async () => {
    // The first deploy asks for 2 web tasks of a new app; moto reports a completed rollout only
    // for services of at most 1 task, so the first deploy holds the lock while it waits for the
    // rollout, and then times out (exit 1). The second starts once the lock is there.
    const first = run('deploy', 'nginx:1.28', 'delta', 'staging', '--count', 'web=2', '--timeout', '8', '--json');
    const lockKey = 'locks/staging/delta.json';
    const lockExists = () => aws.s3.send(new aws.sdk.s3.HeadObjectCommand({ Bucket: BUCKET, Key: lockKey })).then(() => true, () => false);
    for (let i = 0; i < 400 && !(await lockExists()); i++) await new Promise((r) => setTimeout(r, 25));
    const second = await run('deploy', 'nginx:1.28', 'delta', 'staging', '--json');
    expect(second.code).toBe(3);
    expect(second.json().error.message).toMatch(/delta in staging is locked by .+ \(deploy nginx:1\.28\) since .+; wait for it, or if it is stale run "cyclops unlock delta staging"/);
    const done = await first;
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/did not finish rolling out within 8s/);
    // a failure releases the lock
    expect(await lockExists()).toBe(false);
  });

  test('8b. Ctrl-C while waiting: exit 130, says what goes on, releases the lock', async () => {
    // As above, a 2-task service never completes its rollout in moto, so the deploy is
    // still waiting when the signal arrives.
    const p = startCyclops(['deploy', 'nginx:1.28', 'omega', 'staging', '--count', 'web=2', '--timeout', '60'], { cwd: dir, env: env() });
    for (let i = 0; i < 400 && !/waiting for \d+ service/.test(p.stderr()); i++) await new Promise((r) => setTimeout(r, 25));
    p.child.kill('SIGINT');
    const r = await p.done;
    outputs.push(r.stdout, r.stderr);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 130,
      stderr: expect.stringMatching(/interrupted while waiting for the services to roll out; the deployment goes on in ECS/),
    });
    const lock = await aws.s3.send(new aws.sdk.s3.HeadObjectCommand({ Bucket: BUCKET, Key: 'locks/staging/omega.json' })).then(() => true, () => false);
    expect(lock).toBe(false);
    // moto does not delete load-balancer rules with their stack, so a freed port (the rule's
    // priority) could not be reused in moto; these destroys come after the last new deploy.
    for (const app of ['omega', 'delta']) expect(outcome(await run('destroy', app, 'staging', '--yes'))).toEqual(ok);
  });

  test('9. bad input: exit 2 and nothing touched', async () => {
    const noTag = await run('deploy', 'nginx', 'gamma', 'staging');
    expect(noTag.code).toBe(2);
    expect(noTag.stderr).toMatch(/image "nginx": has no tag or digest/);
    const badApp = await run('deploy', 'nginx:1', 'Gamma_1', 'staging');
    expect(badApp.code).toBe(2);
    const badEnv = await run('deploy', 'nginx:1', 'gamma', 'prod');
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/environment "prod": not in config\.json/);
    const ports = await run('ports', 'list', 'staging', '--json');
    expect(JSON.stringify(ports.json())).not.toContain('gamma');
  });

  test('10. destroy deletes the stack, releases the port and keeps the database unless asked', async () => {
    const r = await run('destroy', 'shop', 'staging', '--yes', '--json');
    expect(outcome(r)).toEqual(ok);
    expect(r.json()).toMatchObject({ deleted: true, port: firstPort, database: 'kept' });
    expect((await allStacks(aws)).filter((s) => s.StackName === `${PLATFORM}-staging-shop` && s.StackStatus !== 'DELETE_COMPLETE')).toEqual([]);
    const ports = await run('ports', 'list', 'staging', '--json');
    expect(JSON.stringify(ports.json())).not.toContain('"shop"');
    const admin = new Client({ connectionString: process.env.PG_ADMIN_URL });
    await admin.connect();
    const kept = await admin.query("select 1 from pg_database where datname = 'app_shop'");
    expect(kept.rowCount).toBe(1);
    // the second destroy says one thing only: nothing to destroy (not also "port and release cleared")
    const again = await run('destroy', 'shop', 'staging', '--yes');
    expect(again.code).toBe(0);
    expect(again.stderr.split('\n').filter((l) => l.trim())).toEqual([expect.stringMatching(/shop in staging: no stack, no port and no release record; nothing to destroy$/)]);
    expect(again.stdout.trim()).toBe(`${PLATFORM}-staging-shop: absent; nothing to destroy`);
    expect((await run('destroy', 'shop', 'staging', '--yes', '--json')).json()).toMatchObject({ deleted: false, outcome: 'nothing' });

    const dropped = await run('destroy', 'alpha', 'staging', '--yes', '--drop-database', '--json');
    expect(outcome(dropped)).toEqual(ok);
    expect(dropped.json().database).toBe('dropped');
    const gone = await admin.query("select 1 from pg_database where datname = 'app_alpha'");
    expect(gone.rowCount).toBe(0);
    await admin.end();
  });

  test('11. no generated password appears in any output, template or S3 object', async () => {
    const list = await aws.secrets.send(new aws.sdk.secrets.ListSecretsCommand({}));
    const passwords: string[] = [];
    for (const s of list.SecretList ?? []) {
      if (!s.Name?.startsWith('cyclops/e2e/staging/')) continue;
      const versions = await aws.secrets.send(new aws.sdk.secrets.ListSecretVersionIdsCommand({ SecretId: s.ARN }));
      for (const version of versions.Versions ?? []) {
        const v = await aws.secrets.send(new aws.sdk.secrets.GetSecretValueCommand({ SecretId: s.ARN, VersionId: version.VersionId }));
        const value = JSON.parse(v.SecretString!);
        passwords.push(value.password, value.verifier);
      }
    }
    expect(passwords.length).toBeGreaterThanOrEqual(6); // shop (two versions after rotation) and beta: password and verifier each
    const objects = await aws.s3.send(new aws.sdk.s3.ListObjectVersionsCommand({ Bucket: BUCKET }));
    const bodies: string[] = [];
    for (const v of objects.Versions ?? []) {
      const o = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: v.Key, VersionId: v.VersionId }));
      bodies.push(await o.Body!.transformToString());
    }
    expect(bodies.length).toBeGreaterThan(5);
    const everything = [...outputs, ...bodies].join('\n');
    for (const pw of passwords) {
      expect(pw.length).toBeGreaterThanOrEqual(40);
      expect(everything.includes(pw)).toBe(false);
    }
  });
});

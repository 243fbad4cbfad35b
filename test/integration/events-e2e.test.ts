/**
 * Event codes end to end against moto, through the CLI with `--progress json --verbose`:
 * bootstrap, env create, deploys, a rollback, a scale and a destroy. Every line on stderr is a
 * JSON event {time, level, code, message, data} whose code docs/events.md lists, and the key
 * steps carry the payloads a CI system reads (port, stack, release numbers, counts), checked
 * against what AWS holds. This file starts its own moto (MOTO_ECS_SERVICE_RUNNING=3) so the
 * services report a completed rollout.
 *
 * moto compares a change set with the stack's creation parameters (DESIGN.md), so the stack is
 * created by a deploy of v0 and the rollback goes from release 3 to 2 (as releases-e2e does).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Aws } from '../../src/aws/client';
import { documentedCodes } from '../../src/report/events-doc';
import { startMoto } from '../support/global-setup';
import { runCli } from '../support/run-cli';
import type { CliResult } from '../support/cli';
import { setTestCredentials, TEST_REGION } from '../support/store-env';
import { createZone } from '../support/zones';

const PLATFORM = 'evt';
const STACK = `${PLATFORM}-staging-shop`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-events-'));
const documented = new Set(documentedCodes(readFileSync(path.join(__dirname, '../../docs/events.md'), 'utf8')));
let moto: Awaited<ReturnType<typeof startMoto>>;
let aws: Aws;

interface Line {
  time: string;
  level: string;
  code: string;
  message: string;
  data: Record<string, unknown>;
}

const env = () => ({ AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION, AWS_EC2_METADATA_DISABLED: 'true' });

/** Runs the command with --progress json --verbose; every stderr line must be a documented event. */
async function run(...args: string[]): Promise<{ r: CliResult; events: Line[] }> {
  const r = await runCli(['--progress', 'json', '--verbose', ...args], { cwd: dir, env: env() });
  expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
  const events = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  for (const e of events) {
    expect(Object.keys(e)).toEqual(['time', 'level', 'code', 'message', 'data']);
    expect({ code: e.code, documented: documented.has(e.code) }).toEqual({ code: e.code, documented: true });
  }
  return { r, events };
}
const coded = (events: Line[], code: string) => events.filter((e) => e.code === code).map((e) => e.data);
const stack = async () => (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: STACK }))).Stacks![0];
const param = async (key: string) => (await stack()).Parameters!.find((p) => p.ParameterKey === key)?.ParameterValue;

beforeAll(async () => {
  moto = await startMoto(3, false);
  setTestCredentials();
  aws = await connect({ region: TEST_REGION, endpoint: moto.endpoint, maxAttempts: 2 });
  const hostedZoneId = await createZone(aws, 'staging.evt.dev');
  const raw = {
    platform: { name: PLATFORM, region: TEST_REGION, bucket: 'evt-events-config' },
    ports: { range: [23000, 23999] },
    environments: { staging: { dns: { domain: 'staging.evt.dev', hostedZoneId }, database: { type: 'none' } } },
    apps: { shop: { processes: { web: { port: 3000, count: 1 }, worker: { command: ['bin/worker'], count: 1 } }, database: false } },
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(raw));
}, 60_000);

afterAll(async () => {
  for (const c of [aws.s3, aws.cfn, aws.ecs, aws.secrets, aws.route53]) c.destroy();
  await moto.stop();
});

test('deploy, rollback, scale and destroy: every event has a documented code; the payloads say what AWS holds', async () => {
  const all: Line[] = [];
  const step = async (...args: string[]) => {
    const out = await run(...args);
    all.push(...out.events);
    return out;
  };
  await step('bootstrap');
  await step('env', 'create', 'staging');

  const first = await step('deploy', 'registry.example.com/shop:0', 'shop', 'staging', '--json');
  const port = first.r.json().port as number;
  expect(coded(first.events, 'deploy.port.allocated')).toEqual([{ port, allocated: true }]);
  expect(coded(first.events, 'stack.change-set.created')).toEqual([]); // a first deploy creates the stack directly
  expect(coded(first.events, 'stack.creating')).toEqual([{ stack: STACK }]);
  expect(coded(first.events, 'stack.settled')).toEqual([{ stack: STACK, status: 'CREATE_COMPLETE' }]);
  expect(coded(first.events, 'stack.resource.event').length).toBeGreaterThan(0);
  expect(coded(first.events, 'deploy.done')).toEqual([expect.objectContaining({ app: 'shop', env: 'staging', outcome: 'deployed', release: 1 })]);
  expect((await stack()).StackStatus).toBe('CREATE_COMPLETE');

  for (const v of ['1', '2']) {
    const d = await step('deploy', `registry.example.com/shop:${v}`, 'shop', 'staging');
    expect(coded(d.events, 'stack.change-set.created')).toEqual([expect.objectContaining({ stack: STACK, type: 'UPDATE' })]);
    expect(coded(d.events, 'deploy.port.allocated')).toEqual([{ port, allocated: false }]);
  }
  const again = await step('deploy', 'registry.example.com/shop:2', 'shop', 'staging');
  expect(coded(again.events, 'deploy.stack.unchanged')).toEqual([{ stack: STACK }]);
  expect(coded(again.events, 'deploy.done')).toEqual([expect.objectContaining({ outcome: 'unchanged', release: 3 })]);

  const back = await step('rollback', 'shop', 'staging');
  expect(coded(back.events, 'rollback.started')).toEqual([{ app: 'shop', env: 'staging', from: 3, to: 2, image: 'registry.example.com/shop:1' }]);
  expect(coded(back.events, 'rollback.migrations-note')).toEqual([{}]);
  expect(await param('Image')).toBe('registry.example.com/shop:1');

  const scaled = await step('scale', 'shop', 'staging', 'web=2');
  expect(coded(scaled.events, 'scale.started')).toEqual([expect.objectContaining({ app: 'shop', env: 'staging', to: { web: 2, worker: 1 } })]);
  expect(coded(scaled.events, 'scale.done')).toEqual([expect.objectContaining({ release: 5 })]);
  expect(await param('WebCount')).toBe('2');

  const gone = await step('destroy', 'shop', 'staging', '--yes');
  expect(coded(gone.events, 'stack.deleting')).toEqual([{ stack: STACK }]);
  expect(coded(gone.events, 'destroy.port.released')).toEqual([{ port }]);
  const left = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: STACK })).catch((e: Error) => e);
  expect(left instanceof Error ? left.message : (left as { Stacks?: { StackStatus?: string }[] }).Stacks?.[0]?.StackStatus).toMatch(/does not exist|DELETE_COMPLETE/);

  // the run as a whole used many kinds of event, each with its level
  expect(new Set(all.map((e) => e.code)).size).toBeGreaterThan(20);
  expect(all.some((e) => e.code === 'aws.call' && e.level === 'debug')).toBe(true);
}, 240_000);

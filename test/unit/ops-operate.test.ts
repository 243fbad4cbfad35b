/**
 * run, logs --follow, exec and the release phase over the in-memory Ops fakes, with the ECS
 * and CloudWatch Logs clients mocked (aws-sdk-client-mock) behind the real src/aws modules:
 * moto never runs a task, so exit codes, stopped reasons, start failures and Ctrl-C are
 * proven here.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { connect, type Aws } from '../../src/aws/client';
import * as sdk from '../../src/aws/sdk';
import { CyclopsError } from '../../src/errors';
import { deploy } from '../../src/ops/deploy';
import { execInTask, type ExecRunner } from '../../src/ops/exec';
import { parseImage } from '../../src/plan/inputs';
import { liveLogs, liveTasks } from '../../src/ops/live';
import { followLogs, readLogs } from '../../src/ops/logs';
import { runCommand } from '../../src/ops/run';
import { fakeOps, testConfig, type Fake } from './fakes/ops';

const ecsMock = mockClient(sdk.ecs.ECSClient);
const logsMock = mockClient(sdk.logs.CloudWatchLogsClient);
let aws: Aws;
beforeAll(async () => {
  aws = await connect({ region: 'eu-west-1', maxAttempts: 1 });
});

const target = { platform: 'acme', env: 'staging', app: 'web' };
const TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-staging-web-web:7';
const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/acme-staging/0123456789abcdef';
const GROUP = '/cyclops/acme/staging/web';
const OUTPUTS = { clusterName: 'acme-staging', privateSubnets: 'subnet-0aaa1111,subnet-0bbb2222', serviceSecurityGroup: 'sg-0service', clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/acme-staging' };
const noSleep = async () => undefined;

function ops(config = testConfig()): Fake {
  const f = fakeOps(config);
  f.ops.tasks = liveTasks(aws);
  f.ops.logs = liveLogs(aws);
  f.ops.stacks.envOutputs = async () => OUTPUTS;
  return f;
}

const stopped = (exitCode?: number, stoppedReason = 'Essential container in task exited', name = 'web') => ({
  tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', stoppedReason, containers: [{ name, ...(exitCode === undefined ? {} : { exitCode }) }] }],
});
const logEvent = (id: string, ms: number, message: string, stream = 'web/web/0123456789abcdef') => ({ eventId: id, timestamp: ms, message, logStreamName: stream });

beforeEach(() => {
  ecsMock.reset();
  logsMock.reset();
  ecsMock.on(sdk.ecs.DescribeServicesCommand).resolves({ services: [{ serviceName: 'web-web', taskDefinition: TD }] });
  ecsMock.on(sdk.ecs.DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: TD,
      cpu: '256',
      memory: '512',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      taskRoleArn: 'arn:aws:iam::123456789012:role/task',
      containerDefinitions: [{ name: 'web', image: 'nginx:1.27', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': GROUP, 'awslogs-stream-prefix': 'web' } } }],
    },
  });
  ecsMock.on(sdk.ecs.RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
  logsMock.on(sdk.logs.FilterLogEventsCommand).resolves({ events: [] });
});

describe('run', () => {
  test('starts a tagged task from the service task definition with the command overridden, streams its stream, and ends with its exit code', async () => {
    const f = ops();
    ecsMock.on(sdk.ecs.DescribeTasksCommand).resolvesOnce({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING', containers: [{ name: 'web' }] }] }).resolves(stopped(3));
    logsMock.on(sdk.logs.FilterLogEventsCommand).resolvesOnce({ events: [logEvent('1', 1000, 'hi')] }).resolves({ events: [logEvent('1', 1000, 'hi'), logEvent('2', 1001, 'bye')] });
    const r = await runCommand(f.ops, target, { command: ['echo', 'hi'], cpu: 512, memory: 2048 }, { sleep: noSleep });
    expect(r).toMatchObject({ taskArn: TASK, exitCode: 3, stoppedReason: 'Essential container in task exited' });
    expect(r.logs.map((l) => l.message)).toEqual(['hi', 'bye']);
    const req = ecsMock.commandCalls(sdk.ecs.RunTaskCommand)[0].args[0].input;
    expect(req).toMatchObject({
      cluster: 'acme-staging',
      taskDefinition: TD,
      launchType: 'FARGATE',
      startedBy: 'cyclops-run',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'], securityGroups: ['sg-0service'], assignPublicIp: 'DISABLED' } },
      overrides: { containerOverrides: [{ name: 'web', command: ['echo', 'hi'] }], cpu: '512', memory: '2048' },
    });
    expect(req.tags).toEqual(expect.arrayContaining([{ key: 'cyclops:app', value: 'web' }, { key: 'cyclops:env', value: 'staging' }, expect.objectContaining({ key: 'cyclops:run' })]));
    const read = logsMock.commandCalls(sdk.logs.FilterLogEventsCommand)[0].args[0].input;
    expect(read).toMatchObject({ logGroupName: GROUP, logStreamNames: ['web/web/0123456789abcdef'] });
    expect(f.events.of('task-log').map((e) => e.message)).toEqual(['hi', 'bye']); // each line once
  });

  test('a task ECS could not start fails with its reason (exit 1)', async () => {
    ecsMock.on(sdk.ecs.RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:MEMORY', detail: 'no capacity' }] });
    const e = await runCommand(ops().ops, target, { command: ['true'] }).catch((x) => x);
    expect(e).toBeInstanceOf(CyclopsError);
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/could not start the task \(RESOURCE:MEMORY: no capacity\)/);
  });

  test('a task that stopped before its command ran fails with the stopped reason (exit 1)', async () => {
    ecsMock.on(sdk.ecs.DescribeTasksCommand).resolves(stopped(undefined, 'CannotPullContainerError: pull access denied'));
    const e = await runCommand(ops().ops, target, { command: ['true'] }, { sleep: noSleep }).catch((x) => x);
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/stopped before its command ran \(CannotPullContainerError: pull access denied\)/);
  });

  test('Ctrl-C while it runs sends StopTask, says so, and exits 130', async () => {
    const f = ops();
    ecsMock.on(sdk.ecs.DescribeTasksCommand).callsFake(() => {
      f.abort.abort();
      return { tasks: [{ taskArn: TASK, lastStatus: 'RUNNING', containers: [{ name: 'web' }] }] };
    });
    ecsMock.on(sdk.ecs.StopTaskCommand).resolves({});
    const e = await runCommand(f.ops, target, { command: ['sleep', '600'] }, { sleep: noSleep }).catch((x) => x);
    expect(e.exitCode).toBe(130);
    expect(ecsMock.commandCalls(sdk.ecs.StopTaskCommand)[0].args[0].input).toMatchObject({ cluster: 'acme-staging', task: TASK });
    expect(f.events.of('warning').map((w) => w.message)).toContain(`run web staging: asked ECS to stop task 0123456789abcdef`);
  });

  test('--detach returns the ARN without waiting; a bad --cpu/--memory pair is refused before anything starts', async () => {
    const r = await runCommand(ops().ops, target, { command: ['true'], detach: true });
    expect(r).toMatchObject({ taskArn: TASK, detached: true, exitCode: null });
    expect(ecsMock.commandCalls(sdk.ecs.DescribeTasksCommand)).toHaveLength(0);
    ecsMock.resetHistory();
    const e = await runCommand(ops().ops, target, { command: ['true'], cpu: 256, memory: 4096 }).catch((x) => x);
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/--cpu 256 --memory 4096: memory is 4096 MiB, which 256 CPU units cannot have; use 512 to 2048/);
    expect(ecsMock.commandCalls(sdk.ecs.RunTaskCommand)).toHaveLength(0);
  });
});

describe('logs', () => {
  test('one read pages to --limit, interleaves by time and says more exist', async () => {
    logsMock
      .on(sdk.logs.FilterLogEventsCommand)
      .resolvesOnce({ events: [logEvent('b', 20, 'two', 'worker/worker/t2'), logEvent('a', 10, 'one')], nextToken: 'n1' })
      .resolves({ events: [logEvent('c', 30, 'three')], nextToken: 'n2' });
    const r = await readLogs(ops().ops, target, { since: 0, limit: 2 });
    expect(r.events.map((e) => [e.process, e.message])).toEqual([['web', 'one'], ['worker', 'two']]);
    expect(r.more).toBe(true);
  });

  /** CloudWatch Logs as FilterLogEvents serves it: inclusive start and end, oldest first, pages of `limit`. */
  const cloudwatch = (events: ReturnType<typeof logEvent>[]) =>
    logsMock.on(sdk.logs.FilterLogEventsCommand).callsFake((input) => {
      const inWindow = events.filter((e) => e.timestamp >= (input.startTime ?? 0) && e.timestamp <= (input.endTime ?? Infinity));
      const from = Number(input.nextToken ?? 0);
      const size = input.limit ?? 10_000;
      const next = from + size < inWindow.length ? String(from + size) : undefined;
      return { events: inWindow.slice(from, from + size), ...(next ? { nextToken: next } : {}) };
    });

  test('newest: the last N events of a long, busy window, oldest first, reading little more than N', async () => {
    const f = ops();
    f.ops.clock = () => 10_000_000;
    // 20,000 events, one every 150 ms, up to the present.
    const events = Array.from({ length: 20_000 }, (_, i) => logEvent(`e${i}`, 10_000_000 - (20_000 - 1 - i) * 150, `line ${i}`));
    cloudwatch(events);
    const r = await readLogs(f.ops, target, { since: 0, limit: 50, newest: true });
    expect(r.events.map((e) => e.message)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${19_950 + i}`));
    expect(r).toMatchObject({ more: true, newest: true });
    const calls = logsMock.commandCalls(sdk.logs.FilterLogEventsCommand);
    const read = calls.reduce((n, c) => n + Math.min(c.args[0].input.limit ?? 0, 10_000), 0);
    expect(calls.length).toBeLessThanOrEqual(10);
    expect(read).toBeLessThan(1_000);
  });

  test('newest: a quiet window gives what there is, and says nothing older exists', async () => {
    const f = ops();
    f.ops.clock = () => 10_000_000;
    cloudwatch([logEvent('a', 10_000, 'early'), logEvent('b', 9_000_000, 'late')]);
    const r = await readLogs(f.ops, target, { since: 0, limit: 5, newest: true });
    expect(r.events.map((e) => e.message)).toEqual(['early', 'late']);
    expect(r.more).toBe(false);
  });

  test('a missing log group is one usage line naming it', async () => {
    logsMock.on(sdk.logs.FilterLogEventsCommand).rejects(Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException' }));
    const e = await readLogs(ops().ops, target, {}).catch((x) => x);
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(`logs of web in staging: log group ${GROUP} does not exist; the app was never deployed there (check the app and env names, or deploy it first)`);
  });

  test('--follow emits each new event once, polls from the newest one, and ends cleanly when interrupted', async () => {
    const f = ops();
    let polls = 0;
    logsMock.on(sdk.logs.FilterLogEventsCommand).callsFake((input) => {
      polls++;
      if (polls === 1) return { events: [logEvent('1', 100, 'first')] };
      if (polls === 2) {
        expect(input.startTime).toBe(100);
        return { events: [logEvent('1', 100, 'first'), logEvent('2', 100, 'same ms'), logEvent('3', 150, 'later')] };
      }
      f.abort.abort();
      return { events: [logEvent('3', 150, 'later')] };
    });
    const delays: number[] = [];
    const r = await followLogs(f.ops, target, { since: 0, process: 'web' }, { pollMs: 10, sleep: async (ms) => void delays.push(ms) });
    expect(f.events.of('log-event').map((e) => e.message)).toEqual(['first', 'same ms', 'later']);
    expect(r.count).toBe(3);
    expect(logsMock.commandCalls(sdk.logs.FilterLogEventsCommand)[0].args[0].input).toMatchObject({ logStreamNamePrefix: 'web/' });
    expect(delays).toEqual([10, 10]); // new events keep the shortest interval
  });
});

describe('exec', () => {
  const running = (enableExecuteCommand: boolean) => ({
    tasks: [{ taskArn: TASK, lastStatus: 'RUNNING', enableExecuteCommand, containers: [{ name: 'web' }], startedAt: new Date() }],
  });
  const runner = (have: string[], code = 0): ExecRunner & { ran: string[][] } => {
    const ran: string[][] = [];
    return { ran, which: (b) => (have.includes(b) ? `/usr/bin/${b}` : null), run: async (cmd, args) => (ran.push([cmd, ...args]), code) };
  };
  beforeEach(() => ecsMock.on(sdk.ecs.ListTasksCommand).resolves({ taskArns: [TASK] }));

  test('refuses a task deployed without ECS Exec, naming the config key', async () => {
    ecsMock.on(sdk.ecs.DescribeTasksCommand).resolves(running(false));
    const e = await execInTask(ops().ops, target, {}, runner(['aws', 'session-manager-plugin'])).catch((x) => x);
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/runs without ECS Exec; set "exec": true in apps.web of config.json and deploy again/);
  });

  test('without the Session Manager plugin it prints the exact command (exit 2); with both it runs it and returns its exit code', async () => {
    ecsMock.on(sdk.ecs.DescribeTasksCommand).resolves(running(true));
    const e = await execInTask(ops().ops, target, { command: ['bin/rails', 'console'] }, runner(['aws'])).catch((x) => x);
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(`needs session-manager-plugin on PATH`);
    expect(e.message).toContain(`aws ecs execute-command --cluster acme-staging --task ${TASK} --container web --interactive --command 'bin/rails console'`);
    const r = runner(['aws', 'session-manager-plugin'], 7);
    const out = await execInTask(ops().ops, target, { cliArgs: ['--region', 'eu-west-1'] }, r);
    expect(out.exitCode).toBe(7);
    expect(r.ran[0]).toEqual(['aws', 'ecs', 'execute-command', '--cluster', 'acme-staging', '--task', TASK, '--container', 'web', '--interactive', '--command', '/bin/sh', '--region', 'eu-west-1']);
  });
});

describe('release phase', () => {
  const withRelease = () => testConfig({ apps: { web: { processes: { web: { port: 8080 }, release: { command: ['bin/migrate'] } }, database: false } } });
  const deployImage = (f: Fake, image: string, skipReleasePhase?: boolean) => deploy(f.ops, { target, image, ref: parseImage(image) }, { skipReleasePhase });

  async function deployed(): Promise<Fake> {
    const f = ops(withRelease());
    f.stacks.set('acme-staging', { name: 'acme-staging', id: 'env', status: 'CREATE_COMPLETE', outputs: {}, parameters: {}, tags: {} });
    const first = await deployImage(f, 'registry.example.com/web:1');
    expect(first.release).toMatchObject({ releasePhase: { status: 'skipped', reason: 'first deploy' } });
    expect(ecsMock.commandCalls(sdk.ecs.RunTaskCommand)).toHaveLength(0);
    f.calls.length = 0;
    return f;
  }

  test('a new image: the release task runs with the new image and command before the stack update, and is recorded', async () => {
    const f = await deployed();
    ecsMock.on(sdk.ecs.RegisterTaskDefinitionCommand).callsFake(() => (f.calls.push('ecs.register'), { taskDefinition: { taskDefinitionArn: 'arn:td:release:1' } }));
    // What the stack runs while the release task runs: still the old image.
    let imageDuringRelease: string | undefined;
    ecsMock.on(sdk.ecs.DescribeTasksCommand).callsFake(() => {
      f.calls.push('ecs.describeTask');
      imageDuringRelease = f.stacks.get('acme-staging-web')?.parameters.Image;
      return stopped(0, 'Essential container in task exited', 'release');
    });
    const r = await deployImage(f, 'registry.example.com/web:2');
    // The task runs inside the stack apply, after the change is judged and before it executes.
    expect(f.calls.indexOf('ecs.describeTask')).toBeGreaterThan(f.calls.indexOf('stacks.apply'));
    expect(imageDuringRelease).toBe('registry.example.com/web:1');
    expect(f.stacks.get('acme-staging-web')?.parameters.Image).toBe('registry.example.com/web:2');
    expect(f.calls.indexOf('ecs.register')).toBeGreaterThan(f.calls.indexOf('store.acquireLock'));
    const td = ecsMock.commandCalls(sdk.ecs.RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(td).toMatchObject({
      family: 'acme-staging-web-release',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      taskRoleArn: 'arn:aws:iam::123456789012:role/task',
      containerDefinitions: [{ name: 'release', image: 'registry.example.com/web:2', command: ['bin/migrate'], logConfiguration: { options: { 'awslogs-group': GROUP, 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'release' } } }],
    });
    expect(ecsMock.commandCalls(sdk.ecs.RunTaskCommand)[0].args[0].input).toMatchObject({ taskDefinition: 'arn:td:release:1', startedBy: 'cyclops-release' });
    expect(r.release).toMatchObject({ number: 2, image: 'registry.example.com/web:2', releasePhase: { status: 'succeeded', exitCode: 0, taskArn: TASK } });
  });

  test('a failing release command stops the deploy: no stack update, a failed release 2 with the last lines is logged and release 1 stays current (exit 1)', async () => {
    const f = await deployed();
    const before = f.stacks.get('acme-staging-web')!;
    ecsMock.on(sdk.ecs.RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:td:release:1' } });
    ecsMock.on(sdk.ecs.DescribeTasksCommand).resolves(stopped(1, 'Essential container in task exited', 'release'));
    logsMock.on(sdk.logs.FilterLogEventsCommand).resolves({ events: [logEvent('1', 1, 'migrating', 'release/release/0123456789abcdef'), logEvent('2', 2, 'ERROR: relation exists', 'release/release/0123456789abcdef')] });
    const e = await deployImage(f, 'registry.example.com/web:2').catch((x) => x);
    expect(e).toBeInstanceOf(CyclopsError);
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/"bin\/migrate" exited with code 1; the services keep running registry.example.com\/web:1/);
    expect(e.details).toEqual(['last lines of the release task:', '  migrating', '  ERROR: relation exists']);
    expect(f.stacks.get('acme-staging-web')).toBe(before); // the change set was never executed
    expect(f.releases.get('staging/web')).toMatchObject({ state: 'ok', record: { number: 1, image: 'registry.example.com/web:1' } });
    expect(f.log.get('staging/web')?.[1]).toMatchObject({
      number: 2,
      image: 'registry.example.com/web:2',
      outcome: 'failed',
      reason: expect.stringContaining('"bin/migrate" exited with code 1'),
      releasePhase: { status: 'failed', exitCode: 1, logs: ['migrating', 'ERROR: relation exists'] },
    });
    expect(f.locks.size).toBe(0);
  });

  test('--skip-release-phase deploys without the task and records that it was skipped', async () => {
    const f = await deployed();
    const r = await deployImage(f, 'registry.example.com/web:2', true);
    expect(ecsMock.commandCalls(sdk.ecs.RunTaskCommand)).toHaveLength(0);
    expect(r.release).toMatchObject({ number: 2, releasePhase: { status: 'skipped', reason: '--skip-release-phase' } });
    expect(f.events.of('warning').some((w) => /release phase skipped \(--skip-release-phase\)/.test(w.message))).toBe(true);
  });
});

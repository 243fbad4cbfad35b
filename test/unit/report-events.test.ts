/** The Reporter renders every event type: a human line, or one JSON line each with --progress json. */
import { Writable } from 'node:stream';
import { dataOf, type CyclopsEvent } from '../../src/events';
import { Reporter } from '../../src/report/reporter';

function reporter(opts: { progress?: 'human' | 'json'; verbose?: boolean } = {}) {
  let err = '';
  let out = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c, _e, cb) => (add(String(c)), cb()) });
  const r = new Reporter({ ...opts, color: false, stderr: sink((s) => (err += s)), stdout: sink((s) => (out += s)) });
  return { r, err: () => err, out: () => out };
}

/** One of each event type, and the human line each must produce (elapsed prefix aside). */
const CASES: [CyclopsEvent, RegExp][] = [
  [{ type: 'step', code: 'lock.acquiring', data: { app: 'shop', env: 'staging' }, message: 'locking shop in staging' }, /^› locking shop in staging$/],
  [{ type: 'info', code: 'stack.unchanged', data: { stack: 'acme-staging' }, message: '  + Db (AWS::RDS::DBInstance)' }, /^  \+ Db \(AWS::RDS::DBInstance\)$/],
  [{ type: 'success', code: 'stack.settled', data: { stack: 'acme-staging', status: 'UPDATE_COMPLETE' }, message: 'stack acme-staging: UPDATE_COMPLETE' }, /^✔ stack acme-staging: UPDATE_COMPLETE$/],
  [{ type: 'warning', code: 'stack.change.blocked', data: { stack: 'acme-staging', logicalId: 'Db', resourceType: 'AWS::RDS::DBInstance', action: 'replace' }, message: 'blocked: Db' }, /^warning: blocked: Db$/],
  [{ type: 'debug', code: 'template.pushed', data: { key: 'k', uploaded: true }, message: 'template k (uploaded)' }, /^template k \(uploaded\)$/],
  [
    { type: 'stack-event', code: 'stack.resource.event', stack: 'acme-staging', logicalId: 'Vpc', resourceType: 'AWS::EC2::VPC', status: 'CREATE_FAILED', reason: 'limit' },
    /^\s+\d+\.\ds  Vpc AWS::EC2::VPC CREATE_FAILED · limit$/,
  ],
  [
    { type: 'service-rollout', code: 'service.rollout.progress', service: 'web', rollout: 'IN_PROGRESS', running: 0, desired: 2, pending: 2, failed: 1 },
    /^\s+\d+\.\ds  web: IN_PROGRESS \(0\/2 running, 2 pending, 1 failed\)$/,
  ],
  [{ type: 'service-event', code: 'service.event', service: 'web', message: 'unable to place a task' }, /^\s+\d+\.\ds  web: unable to place a task$/],
  [{ type: 'heartbeat', code: 'wait.heartbeat', what: '2 service(s) to roll out', elapsedSeconds: 90, timeoutSeconds: 1800 }, /still waiting for 2 service\(s\) to roll out \(1m30s of 30m\)$/],
  [{ type: 'task-state', code: 'task.state', task: 'database task 0123', status: 'started on acme-staging' }, /^\s+\d+\.\ds  database task 0123: started on acme-staging$/],
  [{ type: 'task-log', code: 'task.log', task: 'db', message: 'CREATE ROLE' }, /^db CREATE ROLE$/],
];

test('the cases cover every event type', () => {
  const types = new Set(CASES.map(([e]) => e.type));
  // a new event type must get a case here: keep this list in step with src/events.ts
  expect([...types].sort()).toEqual(['debug', 'heartbeat', 'info', 'service-event', 'service-rollout', 'stack-event', 'step', 'success', 'task-log', 'task-state', 'warning']);
});

test.each(CASES)('human: %j', (event, line) => {
  const { r, err, out } = reporter({ verbose: true });
  r.emit(event);
  expect(err().split('\n').filter(Boolean)).toHaveLength(1);
  expect(err().trimEnd()).toMatch(line);
  expect(out()).toBe('');
});

test.each(CASES)('json: %j is one JSON line on stderr: {time, level, code, message, data}', (event, line) => {
  const { r, err, out } = reporter({ progress: 'json', verbose: true });
  r.emit(event);
  const lines = err().split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  const doc = JSON.parse(lines[0]);
  expect(Object.keys(doc)).toEqual(['time', 'level', 'code', 'message', 'data']);
  expect(doc).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: expect.stringMatching(/^(debug|info|warning)$/), code: event.code, message: expect.any(String), data: dataOf(event) });
  // the message is the human line's words, without colour or the elapsed prefix
  expect(doc.message.length).toBeGreaterThan(0);
  expect(line.test(doc.message) || line.test(`› ${doc.message}`) || line.test(`✔ ${doc.message}`) || line.test(`warning: ${doc.message}`) || line.test(`    1.0s  ${doc.message}`)).toBe(true);
  expect(out()).toBe('');
});

test('json levels: a warning, a failed resource and a failed rollout are warnings; debug is debug', () => {
  const level = (event: CyclopsEvent) => {
    const { r, err } = reporter({ progress: 'json', verbose: true });
    r.emit(event);
    return JSON.parse(err()).level;
  };
  expect(CASES.map(([e]) => level(e))).toEqual(['info', 'info', 'info', 'warning', 'debug', 'warning', 'info', 'info', 'info', 'info', 'info']);
  expect(level({ type: 'service-rollout', code: 'service.rollout.progress', service: 'web', rollout: 'FAILED', running: 0, desired: 1, pending: 0, failed: 1 })).toBe('warning');
});

test('debug events and task state changes are shown only with --verbose; a task start always', () => {
  const { r, err } = reporter();
  r.emit({ type: 'debug', code: 'template.pushed', data: { key: 'k', uploaded: false }, message: 'hidden' });
  r.emit({ type: 'task-state', code: 'task.state', task: 'database task 1', status: 'PENDING' });
  r.emit({ type: 'task-state', code: 'task.state', task: 'database task 1', status: 'started on c' });
  expect(err()).not.toContain('hidden');
  expect(err()).not.toContain('PENDING');
  expect(err()).toContain('database task 1: started on c');
});

test('a registered secret is redacted in both renderings', () => {
  for (const progress of ['human', 'json'] as const) {
    const { r, err } = reporter({ progress });
    r.secret('hunter22');
    r.emit({ type: 'service-event', code: 'service.event', service: 'web', message: 'password hunter22 rejected' });
    expect(err()).not.toContain('hunter22');
    expect(err()).toContain('********');
  }
});

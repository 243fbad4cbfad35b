/** Event paging, Ctrl-C, deleteStack, listAppStacks and --timeout parsing (aws-sdk-client-mock). */
import { applyStack, deleteStack, listAppStacks, parseTimeout } from '../../src/stacks';
import { EventStream } from '../../src/stacks/events';
import { Poller } from '../../src/stacks/poll';
import { isCyclopsError, type CyclopsError } from '../../src/errors';
import { EventLog } from '../../src/events';
import { INPUT, STACK, STACK_ID, cfnMock, event, fakeAws, fakeClock, missing, existingStack, operations, recordingReporter, sdk, stack } from './stacks-fakes';

const C = sdk.cfn;

beforeEach(() => cfnMock.reset());

async function failing(p: Promise<unknown>): Promise<CyclopsError> {
  try {
    await p;
  } catch (e) {
    if (isCyclopsError(e)) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('event stream', () => {
  test('pages newest first only until the last event already seen, never the older history', async () => {
    const history = Array.from({ length: 5 }, (_, i) => event(`Old${i}`, 'CREATE_COMPLETE')).reverse();
    const [e6, e7, e8] = [event('A', 'UPDATE_IN_PROGRESS'), event('B', 'UPDATE_IN_PROGRESS'), event('A', 'UPDATE_COMPLETE')];
    cfnMock
      .on(C.DescribeStackEventsCommand)
      // prime: the first page's newest event becomes the mark
      .resolvesOnce({ StackEvents: history.slice(0, 2), NextToken: 'h2' })
      // poll: page 1 has two new events, page 2 reaches the mark
      .resolvesOnce({ StackEvents: [e8, e7], NextToken: 'n2' })
      .resolvesOnce({ StackEvents: [e6, history[0], history[1]], NextToken: 'n3' })
      // next poll: nothing new, one page
      .resolvesOnce({ StackEvents: [e8, e7], NextToken: 'x' });
    const rec = recordingReporter();
    const stream = new EventStream(fakeAws(), rec.reporter, new Poller(), STACK);

    await stream.prime();
    const fresh = await stream.poll();
    const again = await stream.poll();

    expect(fresh.map((e) => e.id)).toEqual([e6.EventId, e7.EventId, e8.EventId]);
    expect(again).toEqual([]);
    const tokens = cfnMock.commandCalls(C.DescribeStackEventsCommand).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, undefined, 'n2', undefined]); // never 'h2' or 'n3'
    expect(rec.err()).not.toContain('Old');
    expect(rec.err().split('\n').filter(Boolean)).toHaveLength(3);
  });

  test('without a mark it stops at events older than the operation', async () => {
    const old = { ...event('Ancient', 'CREATE_COMPLETE'), Timestamp: new Date(Date.now() - 3600_000) };
    const fresh = event('New', 'CREATE_IN_PROGRESS');
    cfnMock.on(C.DescribeStackEventsCommand).resolvesOnce({ StackEvents: [fresh, old], NextToken: 'more' });
    const rec = recordingReporter();
    const got = await new EventStream(fakeAws(), rec.reporter, new Poller(), STACK, new Date()).poll();
    expect(got.map((e) => e.logicalId)).toEqual(['New']);
    expect(cfnMock.commandCalls(C.DescribeStackEventsCommand)).toHaveLength(1);
  });
});

describe('Ctrl-C', () => {
  function interruptingClock(ac: AbortController) {
    return fakeClock(() => ac.abort());
  }

  test('during an update cancels the update, says so, and exits 130', async () => {
    const ac = new AbortController();
    cfnMock.on(C.DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolves(stack('UPDATE_IN_PROGRESS'));
    cfnMock.on(C.CreateChangeSetCommand).resolves({});
    cfnMock.on(C.DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', Changes: [{ ResourceChange: { Action: 'Modify', LogicalResourceId: 'S', ResourceType: 'T' } }] });
    cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const rec = recordingReporter();
    const e = await failing(applyStack(fakeAws(), rec.reporter, { ...INPUT, signal: ac.signal, poll: interruptingClock(ac).poll }));
    expect(e.exitCode).toBe(130);
    expect(cfnMock.commandCalls(C.CancelUpdateStackCommand)[0].args[0].input.StackName).toBe(STACK);
    expect(rec.err()).toContain('cancelled the update of stack acme-staging');
  });

  test('during a create leaves the stack to roll back, says so, and exits 130', async () => {
    const ac = new AbortController();
    cfnMock.on(C.DescribeStacksCommand).rejectsOnce(missing()).resolves(stack('CREATE_IN_PROGRESS'));
    cfnMock.on(C.CreateStackCommand).resolves({ StackId: STACK_ID });
    cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const rec = recordingReporter();
    const e = await failing(applyStack(fakeAws(), rec.reporter, { ...INPUT, signal: ac.signal, poll: interruptingClock(ac).poll }));
    expect(e.exitCode).toBe(130);
    expect(operations()).not.toContain('CancelUpdateStack');
    expect(operations()).not.toContain('DeleteStack');
    expect(rec.err()).toContain('rolls back on its own');
  });

  test('while the change set is being made deletes it and changes nothing', async () => {
    const ac = new AbortController();
    existingStack('UPDATE_COMPLETE', { Status: 'CREATE_IN_PROGRESS' });
    const e = await failing(applyStack(fakeAws(), recordingReporter().reporter, { ...INPUT, signal: ac.signal, poll: interruptingClock(ac).poll }));
    expect(e.exitCode).toBe(130);
    expect(operations()).toContain('DeleteChangeSet');
    expect(operations()).not.toContain('ExecuteChangeSet');
  });

  test('during a delete says the deletion continues', async () => {
    const ac = new AbortController();
    cfnMock.on(C.DescribeStacksCommand).resolvesOnce(stack('CREATE_COMPLETE')).resolves(stack('DELETE_IN_PROGRESS'));
    cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const rec = recordingReporter();
    const e = await failing(deleteStack(fakeAws(), rec.reporter, STACK, { signal: ac.signal, poll: interruptingClock(ac).poll }));
    expect(e.exitCode).toBe(130);
    expect(rec.err()).toContain('deletion continues in CloudFormation');
  });
});

describe('deleteStack', () => {
  test('a missing stack is not an error', async () => {
    cfnMock.on(C.DescribeStacksCommand).rejects(missing());
    const out = await deleteStack(fakeAws(), recordingReporter().reporter, STACK, { poll: fakeClock().poll });
    expect(out).toEqual({ deleted: false });
    expect(operations()).toEqual(['DescribeStacks']);
  });

  test('deletes and waits until the stack is gone', async () => {
    cfnMock.on(C.DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolvesOnce(stack('DELETE_IN_PROGRESS')).rejects(missing());
    cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const clock = fakeClock();
    const out = await deleteStack(fakeAws(), recordingReporter().reporter, STACK, { poll: clock.poll });
    expect(out).toEqual({ deleted: true });
    expect(cfnMock.commandCalls(C.DeleteStackCommand)).toHaveLength(1);
    expect(clock.sleeps).toHaveLength(1);
  });

  test('DELETE_FAILED is exit 1 with the resources that blocked it', async () => {
    const blocked = event('Bucket', 'DELETE_FAILED', 'The bucket you tried to delete is not empty', 'AWS::S3::Bucket');
    cfnMock.on(C.DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolves(stack('DELETE_FAILED'));
    cfnMock.on(C.DescribeStackEventsCommand).resolvesOnce({ StackEvents: [] }).resolves({ StackEvents: [blocked] });
    const e = await failing(deleteStack(fakeAws(), recordingReporter().reporter, STACK, { poll: fakeClock().poll }));
    expect(e.exitCode).toBe(1);
    expect(e.details).toEqual(['Bucket (AWS::S3::Bucket) DELETE_FAILED: The bucket you tried to delete is not empty']);
  });
});

describe('listAppStacks', () => {
  test('keeps only live stacks of this platform and env that carry an app tag', async () => {
    const s = (name: string, env: string, app: string): sdk.cfn.Stack => ({
      StackName: name,
      StackId: name,
      StackStatus: 'CREATE_COMPLETE',
      CreationTime: new Date(),
      Tags: [
        { Key: 'cyclops:platform', Value: 'acme' },
        { Key: 'cyclops:env', Value: env },
        { Key: 'cyclops:app', Value: app },
      ],
    });
    cfnMock
      .on(C.DescribeStacksCommand)
      .resolvesOnce({ Stacks: [s('acme-staging-web', 'staging', 'web'), s('acme-staging', 'staging', '-')], NextToken: 't' })
      .resolves({ Stacks: [s('acme-staging-2-api', 'staging-2', 'api'), s('acme-staging-api', 'staging', 'api'), s('other', 'staging', 'x')] });
    const apps = await listAppStacks(fakeAws(), 'acme', 'staging');
    expect(apps.map((a) => a.app)).toEqual(['api', 'web']);
  });
});

test('parseTimeout accepts seconds and s/m/h, and nothing else', () => {
  expect(parseTimeout('900')).toBe(900);
  expect(parseTimeout('90s')).toBe(90);
  expect(parseTimeout('15m')).toBe(900);
  expect(parseTimeout('1h')).toBe(3600);
  expect(parseTimeout('0')).toBeNull();
  expect(parseTimeout('soon')).toBeNull();
  expect(parseTimeout('-5')).toBeNull();
});

describe('events, not prints', () => {
  test('the engine emits typed stack events (with the stack name) and steps into any Events sink', async () => {
    const vpc = event('Vpc', 'CREATE_IN_PROGRESS');
    const failed = event('Db', 'CREATE_FAILED', 'quota exceeded', 'AWS::RDS::DBInstance');
    cfnMock.on(C.DescribeStacksCommand).rejectsOnce(missing()).resolves(stack('ROLLBACK_COMPLETE'));
    cfnMock.on(C.CreateStackCommand).resolves({ StackId: STACK_ID });
    cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [failed, vpc] });
    const log = new EventLog();
    const e = await failing(applyStack(fakeAws(), log, { ...INPUT, poll: fakeClock().poll }));
    expect(e.message).toContain('create failed (ROLLBACK_COMPLETE)');
    expect(log.of('step')).toEqual([{ type: 'step', code: 'stack.creating', data: { stack: STACK }, message: `creating stack ${STACK}` }]);
    expect(log.of('stack-event')).toEqual([
      { type: 'stack-event', code: 'stack.resource.event', stack: STACK, logicalId: 'Vpc', resourceType: 'AWS::EC2::VPC', status: 'CREATE_IN_PROGRESS', timestamp: vpc.Timestamp!.toISOString() },
      {
        type: 'stack-event',
        code: 'stack.resource.event',
        stack: STACK,
        logicalId: 'Db',
        resourceType: 'AWS::RDS::DBInstance',
        status: 'CREATE_FAILED',
        reason: 'quota exceeded',
        timestamp: failed.Timestamp!.toISOString(),
      },
    ]);
  });

  test('deleteStack emits its step and warnings as events', async () => {
    cfnMock.on(C.DescribeStacksCommand).resolvesOnce(stack('CREATE_COMPLETE')).rejects(missing());
    cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfnMock.on(C.DeleteStackCommand).resolves({});
    const log = new EventLog();
    expect(await deleteStack(fakeAws(), log, STACK, { poll: fakeClock().poll })).toEqual({ deleted: true });
    expect(log.events).toEqual([{ type: 'step', code: 'stack.deleting', data: { stack: STACK }, message: `deleting stack ${STACK}` }]);
  });
});

describe('Ctrl-C between the steps of a change set never executes it', () => {
  const ready = { Status: 'CREATE_COMPLETE' as const, Changes: [{ ResourceChange: { Action: 'Modify' as const, LogicalResourceId: 'Svc', ResourceType: 'AWS::ECS::Service' } }] };

  test('abort while DescribeChangeSet is polled (the change set then turns ready): deleted, not executed, exit 130', async () => {
    const ac = new AbortController();
    let described = 0;
    cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfnMock.on(C.CreateChangeSetCommand).resolves({});
    cfnMock.on(C.DescribeChangeSetCommand).callsFake(() => {
      if (++described === 1) return { Status: 'CREATE_IN_PROGRESS' };
      ac.abort(); // Ctrl-C lands while this call is in flight
      return ready;
    });
    cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const e = await failing(applyStack(fakeAws(), new EventLog(), { ...INPUT, signal: ac.signal, poll: fakeClock().poll }));
    expect(e.exitCode).toBe(130);
    expect(e.message).toMatch(/interrupted before any change; the change set is deleted and nothing was changed/);
    expect(operations()).toEqual(['DescribeStacks', 'CreateChangeSet', 'DescribeChangeSet', 'DescribeChangeSet', 'DeleteChangeSet']);
  });

  test('abort right after CreateChangeSet returns: not even described, deleted, exit 130', async () => {
    const ac = new AbortController();
    cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfnMock.on(C.CreateChangeSetCommand).callsFake(() => {
      ac.abort();
      return {};
    });
    cfnMock.on(C.DescribeChangeSetCommand).resolves(ready);
    const e = await failing(applyStack(fakeAws(), new EventLog(), { ...INPUT, signal: ac.signal, poll: fakeClock().poll }));
    expect(e.exitCode).toBe(130);
    expect(e.message).toContain('nothing was changed');
    expect(operations()).toEqual(['DescribeStacks', 'CreateChangeSet', 'DeleteChangeSet']);
  });

  test('abort while the event history is read just before execution: deleted, not executed', async () => {
    const ac = new AbortController();
    cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfnMock.on(C.CreateChangeSetCommand).resolves({});
    cfnMock.on(C.DescribeChangeSetCommand).resolves(ready);
    cfnMock.on(C.DescribeStackEventsCommand).callsFake(() => {
      ac.abort();
      return { StackEvents: [] };
    });
    const e = await failing(applyStack(fakeAws(), new EventLog(), { ...INPUT, signal: ac.signal, poll: fakeClock().poll }));
    expect(e.exitCode).toBe(130);
    expect(operations()).toContain('DeleteChangeSet');
    expect(operations()).not.toContain('ExecuteChangeSet');
  });

  test('abort before anything: no change set at all', async () => {
    const ac = new AbortController();
    ac.abort();
    cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    const e = await failing(applyStack(fakeAws(), new EventLog(), { ...INPUT, signal: ac.signal, poll: fakeClock().poll }));
    expect(e.exitCode).toBe(130);
    expect(operations()).toEqual(['DescribeStacks']);
  });
});

/**
 * A CreateStack whose reply was lost: the SDK retries it with the same ClientRequestToken, and
 * an endpoint that keeps no tokens (moto) answers the retry AlreadyExistsException although the
 * first attempt made the stack. cyclops takes that stack as its own only when it can prove it
 * (src/aws/cloudformation.ts, createStack): by its events' ClientRequestToken where
 * CloudFormation records one, otherwise by its creation time, tags, parameters and role. Every
 * other AlreadyExistsException stays an error. aws-sdk-client-mock stands in for the SDK's
 * retry here (the error's $metadata.attempts, which the SDK's retry middleware sets);
 * test/unit/idempotency.test.ts shows the real SDK doing it.
 */
import { applyStack } from '../../src/stacks';
import { createStack, CREATE_CLOCK_SKEW_MS } from '../../src/aws/cloudformation';
import { isCyclopsError } from '../../src/errors';
import { INPUT, STACK, STACK_ID, cfnMock, event, fakeAws, fakeClock, missing, operations, recordingReporter, sdk, stack } from './stacks-fakes';

const C = sdk.cfn;
beforeEach(() => cfnMock.reset());

/** AlreadyExistsException as the SDK throws it after `attempts` attempts. */
const alreadyExists = (attempts: number) => Object.assign(new Error(`Stack [${STACK}] already exists`), { name: 'AlreadyExistsException', $metadata: { httpStatusCode: 400, attempts } });
/** The token the (mocked) CreateStack was sent with. */
const sentToken = () => cfnMock.commandCalls(C.CreateStackCommand)[0].args[0].input.ClientRequestToken;
/** The stack as an earlier attempt of INPUT would have made it. */
const made = (extra: Record<string, unknown> = {}) =>
  stack('CREATE_IN_PROGRESS', { Parameters: INPUT.parameters, Tags: INPUT.tags, CreationTime: new Date(), ...extra });
const input = { ...INPUT, stackName: STACK };

async function refused(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isCyclopsError(e)) throw new Error(`expected a cyclops error, got ${String(e)}`);
  return e;
}

test('the retry of a create whose events carry this call\'s token: the stack is this call\'s', async () => {
  cfnMock.on(C.CreateStackCommand).rejects(alreadyExists(2));
  cfnMock.on(C.DescribeStacksCommand).resolves(made());
  cfnMock.on(C.DescribeStackEventsCommand).callsFake(() => ({ StackEvents: [{ ...event(STACK, 'CREATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack'), ClientRequestToken: sentToken() }] }));
  expect(await createStack(fakeAws(), input)).toEqual({ stackId: STACK_ID, retried: true });
  expect(sentToken()).toMatch(/^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$/);
  expect(cfnMock.commandCalls(C.DescribeStackEventsCommand)[0].args[0].input.StackName).toBe(STACK_ID);
});

test('events that carry another token: someone else\'s create, a clear error (even when everything else matches)', async () => {
  cfnMock.on(C.CreateStackCommand).rejects(alreadyExists(2));
  cfnMock.on(C.DescribeStacksCommand).resolves(made());
  cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [{ ...event(STACK, 'CREATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack'), ClientRequestToken: 'Console-CreateStack-7f59c3cf' }] });
  const e = await refused(createStack(fakeAws(), input));
  expect(e.message).toBe(`create stack ${STACK}: a stack of that name was created by another request while this one ran (it did not exist when cyclops looked); run the command again to update it, or find out who else manages it`);
  expect(e.exitCode).toBe(1);
});

test('AlreadyExistsException on the first attempt: the stack was there before this call, no look at it', async () => {
  cfnMock.on(C.CreateStackCommand).rejects(alreadyExists(1));
  const e = await refused(createStack(fakeAws(), input));
  expect(e.message).toMatch(/created by another request while this one ran/);
  expect(operations()).toEqual(['CreateStack']);
});

describe('where no event carries a token (moto): creation time, tags, parameters and role decide', () => {
  const noTokens = () => cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [event(STACK, 'CREATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack')] });
  beforeEach(() => {
    cfnMock.on(C.CreateStackCommand).rejects(alreadyExists(2));
    noTokens();
  });

  test('made since the call began, with its tags and parameters (a template default and a NoEcho mask beside them): this call\'s', async () => {
    const params = [{ ParameterKey: 'Secretish', ParameterValue: 'x' }, ...INPUT.parameters];
    cfnMock.on(C.DescribeStacksCommand).resolves(made({ Parameters: [{ ParameterKey: 'Secretish', ParameterValue: '****' }, ...INPUT.parameters, { ParameterKey: 'Defaulted', ParameterValue: 'd' }] }));
    expect(await createStack(fakeAws(), { ...input, parameters: params })).toEqual({ stackId: STACK_ID, retried: true });
    // and a create that failed at once (ROLLBACK_COMPLETE) is still that first operation
    cfnMock.on(C.DescribeStacksCommand).resolves(made({ StackStatus: 'ROLLBACK_COMPLETE' }));
    expect(await createStack(fakeAws(), input)).toEqual({ stackId: STACK_ID, retried: true });
  });

  const others: [string, Record<string, unknown>, Partial<typeof input>?][] = [
    ['created before the call began (beyond the clock-skew allowance)', { CreationTime: new Date(Date.now() - CREATE_CLOCK_SKEW_MS - 5000) }],
    ['already updated since (not its first operation)', { StackStatus: 'UPDATE_COMPLETE' }],
    ['other tags', { Tags: [{ Key: 'cyclops:platform', Value: 'other' }] }],
    ['a tag more', { Tags: [...INPUT.tags, { Key: 'owner', Value: 'someone' }] }],
    ['another parameter value', { Parameters: [{ ParameterKey: 'P', ParameterValue: 'w' }] }],
    ['another service role', { RoleARN: 'arn:aws:iam::123456789012:role/other' }],
  ];
  test.each(others)('a stack %s: not this call\'s, a clear error', async (_, extra) => {
    cfnMock.on(C.DescribeStacksCommand).resolves(made(extra));
    const e = await refused(createStack(fakeAws(), input));
    expect(e.message).toMatch(/^create stack acme-staging: a stack of that name was created by another request while this one ran/);
  });

  test('the stack gone again by the time it is looked at: the clear error', async () => {
    cfnMock.on(C.DescribeStacksCommand).rejects(missing());
    expect((await refused(createStack(fakeAws(), input))).message).toMatch(/created by another request/);
  });
});

test('applyStack: a create whose retry found its own stack says so, waits for it and reports a create', async () => {
  const start = event(STACK, 'CREATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack');
  cfnMock
    .on(C.DescribeStacksCommand)
    .rejectsOnce(missing()) // applyStack's first look: no stack
    .resolvesOnce(made()) // createStack's look after AlreadyExists
    .resolves(stack('CREATE_COMPLETE', { Outputs: [{ OutputKey: 'VpcId', OutputValue: 'vpc-1' }] }));
  cfnMock.on(C.CreateStackCommand).rejects(alreadyExists(3));
  cfnMock.on(C.DescribeStackEventsCommand).callsFake(() => ({ StackEvents: [{ ...start, ClientRequestToken: sentToken() }] }));
  const rec = recordingReporter();
  const clock = fakeClock();
  const result = await applyStack(fakeAws(), rec.reporter, { ...INPUT, poll: clock.poll });
  expect(result).toMatchObject({ action: 'create', status: 'CREATE_COMPLETE', stackId: STACK_ID, outputs: { VpcId: 'vpc-1' } });
  expect(rec.err()).toContain(`stack ${STACK}: the reply to CreateStack was lost and its retry found the stack the first attempt created; waiting for it`);
  expect(operations().filter((o) => o === 'CreateStack')).toHaveLength(1);
});

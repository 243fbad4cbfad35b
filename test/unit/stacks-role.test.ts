/**
 * The service role reaches every CloudFormation write the stack engine makes: CreateStack,
 * CreateChangeSet, the recovery DeleteStack of a ROLLBACK_COMPLETE stack, and deleteStack.
 * Mocked CloudFormation (aws-sdk-client-mock): moto keeps no record of a deleted stack's role.
 */
import { applyStack, deleteStack } from '../../src/stacks';
import { INPUT, STACK, STACK_ID, cfnMock, fakeAws, fakeClock, missing, recordingReporter, sdk, stack } from './stacks-fakes';

const C = sdk.cfn;
const ROLE = 'arn:aws:iam::123456789012:role/acme-cloudformation';
beforeEach(() => cfnMock.reset());

const apply = (extra: Record<string, unknown> = {}) => applyStack(fakeAws(), recordingReporter().reporter, { ...INPUT, poll: fakeClock().poll, roleArn: ROLE, ...extra });

test('CreateStack passes RoleARN', async () => {
  cfnMock.on(C.DescribeStacksCommand).rejectsOnce(missing()).resolves(stack('CREATE_COMPLETE'));
  cfnMock.on(C.CreateStackCommand).resolves({ StackId: STACK_ID });
  cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
  await apply();
  expect(cfnMock.commandCalls(C.CreateStackCommand)[0].args[0].input.RoleARN).toBe(ROLE);
});

test('an update\'s change set, and the recovery delete of a ROLLBACK_COMPLETE stack, pass RoleARN', async () => {
  cfnMock
    .on(C.DescribeStacksCommand)
    .resolvesOnce(stack('ROLLBACK_COMPLETE'))
    .resolvesOnce(stack('DELETE_IN_PROGRESS'))
    .rejectsOnce(missing())
    .resolves(stack('CREATE_COMPLETE'));
  cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
  cfnMock.on(C.CreateStackCommand).resolves({ StackId: STACK_ID });
  await apply();
  expect(cfnMock.commandCalls(C.DeleteStackCommand)[0].args[0].input).toMatchObject({ StackName: STACK, RoleARN: ROLE });

  cfnMock.reset();
  cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
  cfnMock.on(C.CreateChangeSetCommand).resolves({ StackId: STACK_ID });
  cfnMock.on(C.DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: "The submitted information didn't contain changes." });
  await apply();
  expect(cfnMock.commandCalls(C.CreateChangeSetCommand)[0].args[0].input.RoleARN).toBe(ROLE);
});

test('deleteStack passes RoleARN; without a role none is sent', async () => {
  cfnMock.on(C.DescribeStacksCommand).resolvesOnce(stack('CREATE_COMPLETE')).rejects(missing());
  cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
  await deleteStack(fakeAws(), recordingReporter().reporter, STACK, { roleArn: ROLE, poll: fakeClock().poll });
  expect(cfnMock.commandCalls(C.DeleteStackCommand)[0].args[0].input).toEqual({ StackName: STACK, RoleARN: ROLE });
  cfnMock.resetHistory();
  cfnMock.on(C.DescribeStacksCommand).resolvesOnce(stack('CREATE_COMPLETE')).rejects(missing());
  await deleteStack(fakeAws(), recordingReporter().reporter, STACK, { poll: fakeClock().poll });
  expect(cfnMock.commandCalls(C.DeleteStackCommand)[0].args[0].input.RoleARN).toBeUndefined();
});

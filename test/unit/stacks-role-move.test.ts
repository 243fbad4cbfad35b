/**
 * Moving a stack onto the service role under the platform's IAM path (src/stacks/role.ts), on a
 * mocked CloudFormation (aws-sdk-client-mock): moto completes an update at once and does not check
 * the request's RoleARN, template or parameters the way CloudFormation does, so the request itself
 * and the waiting are checked here.
 */
import { moveStackRole } from '../../src/stacks/role';
import { STACK, cfnMock, fakeAws, fakeClock, recordingReporter, sdk, stack } from './stacks-fakes';

const C = sdk.cfn;
const OLD = 'arn:aws:iam::123456789012:role/acme-cloudformation';
const NEW = 'arn:aws:iam::123456789012:role/cyclops/acme/acme-cloudformation-service';
const PARAMS = [{ ParameterKey: 'Image', ParameterValue: 'nginx@sha256:abc' }, { ParameterKey: 'Port', ParameterValue: '20001' }];
beforeEach(() => cfnMock.reset());

const move = () => moveStackRole(fakeAws(), recordingReporter().reporter, STACK, NEW, { poll: fakeClock().poll });

test('UpdateStack keeps the template and every parameter (UsePreviousTemplate, UsePreviousValue), names the new role, and waits for UPDATE_COMPLETE', async () => {
  cfnMock
    .on(C.DescribeStacksCommand)
    .resolvesOnce(stack('UPDATE_COMPLETE', { RoleARN: OLD, Parameters: PARAMS }))
    .resolvesOnce(stack('UPDATE_IN_PROGRESS', { RoleARN: NEW, Parameters: PARAMS }))
    .resolves(stack('UPDATE_COMPLETE', { RoleARN: NEW, Parameters: PARAMS }));
  cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
  cfnMock.on(C.UpdateStackCommand).resolves({});
  expect(await move()).toBe('moved');
  const input = cfnMock.commandCalls(C.UpdateStackCommand)[0].args[0].input;
  expect(input).toMatchObject({
    StackName: STACK,
    UsePreviousTemplate: true,
    RoleARN: NEW,
    Parameters: [{ ParameterKey: 'Image', UsePreviousValue: true }, { ParameterKey: 'Port', UsePreviousValue: true }],
  });
  // nothing else of the stack is named, so nothing else changes (tags and notifications are kept when left out)
  expect(input.TemplateBody ?? input.TemplateURL ?? input.Tags ?? input.NotificationARNs).toBeUndefined();
  expect(cfnMock.commandCalls(C.DescribeStacksCommand).length).toBe(3); // it waited for the update to settle
});

test('a stack already on the role, or gone, is left alone', async () => {
  cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE', { RoleARN: NEW }));
  expect(await move()).toBe('unchanged');
  cfnMock.reset();
  cfnMock.on(C.DescribeStacksCommand).rejects(Object.assign(new Error(`Stack with id ${STACK} does not exist`), { name: 'ValidationError' }));
  expect(await move()).toBe('gone');
  expect(cfnMock.commandCalls(C.UpdateStackCommand)).toHaveLength(0);
});

test('a stack that cannot be updated keeps its role and says why; a failed update names its reasons', async () => {
  cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_ROLLBACK_FAILED', { RoleARN: OLD }));
  await expect(move()).rejects.toThrow(/UPDATE_ROLLBACK_FAILED.*keeps role .*acme-cloudformation/);
  expect(cfnMock.commandCalls(C.UpdateStackCommand)).toHaveLength(0);

  cfnMock.reset();
  cfnMock.on(C.DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE', { RoleARN: OLD })).resolves(stack('UPDATE_ROLLBACK_COMPLETE', { RoleARN: OLD }));
  cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
  cfnMock.on(C.UpdateStackCommand).resolves({});
  await expect(move()).rejects.toThrow(/update failed \(UPDATE_ROLLBACK_COMPLETE\)/);
});

test('"No updates are to be performed" is a failure that keeps the old role, not a success', async () => {
  cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE', { RoleARN: OLD }));
  cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
  cfnMock.on(C.UpdateStackCommand).rejects(Object.assign(new Error('No updates are to be performed.'), { name: 'ValidationError' }));
  await expect(move()).rejects.toThrow(/nothing to update, so it keeps role .*acme-cloudformation/);
});

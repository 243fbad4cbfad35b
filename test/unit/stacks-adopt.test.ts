/**
 * The stack engine's side of adopting retained resources, against a mocked CloudFormation
 * (aws-sdk-client-mock): what the requests say. moto accepts ImportExistingResources and ignores
 * it (its CreateChangeSet never reads the parameter), so only the request can be checked there.
 */
import { applyStack } from '../../src/stacks';
import { INPUT, STACK, STACK_ID, cfnMock, event, fakeAws, fakeClock, missing, operations, recordingReporter, sdk, stack } from './stacks-fakes';

const C = sdk.cfn;

beforeEach(() => cfnMock.reset());

const importRows: sdk.cfn.DescribeChangeSetOutput = {
  Status: 'CREATE_COMPLETE',
  ExecutionStatus: 'AVAILABLE',
  Changes: [
    { Type: 'Resource', ResourceChange: { Action: 'Import', LogicalResourceId: 'FlowLogGroup', ResourceType: 'AWS::Logs::LogGroup', PhysicalResourceId: '/cyclops/acme/staging/_vpc-flow-logs' } },
    { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Vpc', ResourceType: 'AWS::EC2::VPC' } },
  ],
};

async function apply(extra: Record<string, unknown>) {
  const rec = recordingReporter();
  const result = await applyStack(fakeAws(), rec.reporter, { ...INPUT, poll: fakeClock().poll, ...extra });
  return { result, err: rec.err() };
}

test('a new stack that adopts: a CREATE change set with ImportExistingResources, executed; never CreateStack', async () => {
  cfnMock
    .on(C.DescribeStacksCommand)
    .rejectsOnce(missing())
    .resolvesOnce(stack('CREATE_IN_PROGRESS'))
    .resolves(stack('CREATE_COMPLETE', { Outputs: [{ OutputKey: 'VpcId', OutputValue: 'vpc-1' }] }));
  cfnMock.on(C.CreateChangeSetCommand).resolves({ Id: 'cs-arn', StackId: STACK_ID });
  cfnMock.on(C.DescribeChangeSetCommand).resolves(importRows);
  cfnMock.on(C.ExecuteChangeSetCommand).resolves({});
  cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [event('FlowLogGroup', 'IMPORT_COMPLETE', undefined, 'AWS::Logs::LogGroup')] });

  const { result, err } = await apply({ importExisting: true, roleArn: 'arn:aws:iam::123456789012:role/svc' });

  const req = cfnMock.commandCalls(C.CreateChangeSetCommand)[0].args[0].input;
  expect(req).toMatchObject({ StackName: STACK, ChangeSetType: 'CREATE', ImportExistingResources: true, TemplateURL: INPUT.templateUrl, RoleARN: 'arn:aws:iam::123456789012:role/svc', Tags: INPUT.tags });
  expect(operations()).not.toContain('CreateStack');
  expect(operations()).toContain('ExecuteChangeSet');
  expect(operations()).not.toContain('DeleteStack');
  expect(result).toMatchObject({ action: 'create', status: 'CREATE_COMPLETE', changed: true, outputs: { VpcId: 'vpc-1' } });
  expect(result.changes).toContainEqual(expect.objectContaining({ action: 'Import', logicalId: 'FlowLogGroup' }));
  expect(err).toContain('> FlowLogGroup (AWS::Logs::LogGroup)');
});

test('without anything to adopt a new stack is still made by CreateStack, and no request asks for import', async () => {
  cfnMock.on(C.DescribeStacksCommand).rejectsOnce(missing()).resolves(stack('CREATE_COMPLETE'));
  cfnMock.on(C.CreateStackCommand).resolves({ StackId: STACK_ID });
  cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
  await apply({});
  expect(operations()).toContain('CreateStack');
  expect(operations()).not.toContain('CreateChangeSet');
  expect(JSON.stringify(cfnMock.commandCalls(C.CreateStackCommand)[0].args[0].input)).not.toContain('Import');
});

test('stopped before the execute (a failed release phase), the change set and its REVIEW_IN_PROGRESS stack are deleted: nothing created', async () => {
  cfnMock.on(C.DescribeStacksCommand).rejects(missing());
  cfnMock.on(C.CreateChangeSetCommand).resolves({ Id: 'cs-arn', StackId: STACK_ID });
  cfnMock.on(C.DescribeChangeSetCommand).resolves(importRows);
  const rec = recordingReporter();
  let error: unknown;
  try {
    await applyStack(fakeAws(), rec.reporter, { ...INPUT, poll: fakeClock().poll, importExisting: true, beforeExecute: async () => Promise.reject(new Error('release phase failed')) });
  } catch (e) {
    error = e;
  }
  expect((error as Error).message).toBe('release phase failed');
  expect(operations()).not.toContain('ExecuteChangeSet');
  expect(operations().slice(-2)).toEqual(['DeleteChangeSet', 'DeleteStack']);
  expect(cfnMock.commandCalls(C.DeleteStackCommand)[0].args[0].input.StackName).toBe(STACK_ID);
});

test('an existing stack that gets a retained resource back: the UPDATE change set asks for import', async () => {
  cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
  cfnMock.on(C.CreateChangeSetCommand).resolves({ Id: 'cs-arn', StackId: STACK_ID });
  cfnMock.on(C.DescribeChangeSetCommand).resolves(importRows);
  cfnMock.on(C.ExecuteChangeSetCommand).resolves({});
  cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
  await apply({ importExisting: true });
  expect(cfnMock.commandCalls(C.CreateChangeSetCommand)[0].args[0].input).toMatchObject({ ChangeSetType: 'UPDATE', ImportExistingResources: true });
  // and a plain update does not
  cfnMock.resetHistory();
  await apply({});
  expect(cfnMock.commandCalls(C.CreateChangeSetCommand)[0].args[0].input.ImportExistingResources).toBeUndefined();
});

test('a dry run of a new stack that adopts asks the CREATE change set for import too, then deletes both', async () => {
  cfnMock.on(C.DescribeStacksCommand).rejects(missing());
  cfnMock.on(C.CreateChangeSetCommand).resolves({ Id: 'cs-arn', StackId: STACK_ID });
  cfnMock.on(C.DescribeChangeSetCommand).resolves(importRows);
  const { result } = await apply({ importExisting: true, dryRun: true });
  expect(result.action).toBe('dry-run');
  expect(cfnMock.commandCalls(C.CreateChangeSetCommand)[0].args[0].input).toMatchObject({ ChangeSetType: 'CREATE', ImportExistingResources: true });
  expect(operations()).toEqual(['DescribeStacks', 'CreateChangeSet', 'DescribeChangeSet', 'DeleteChangeSet', 'DeleteStack']);
});

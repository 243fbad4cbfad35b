/** applyStack's state machine against a mocked CloudFormation (aws-sdk-client-mock). */
import { applyStack } from '../../src/stacks';
import { isCyclopsError } from '../../src/errors';
import { INPUT, STACK, STACK_ID, cfnMock, event, fakeAws, fakeClock, missing, existingStack, operations, recordingReporter, sdk, stack, throttled } from './stacks-fakes';

const C = sdk.cfn;

beforeEach(() => cfnMock.reset());

async function run(extra: Record<string, unknown> = {}, clock = fakeClock()) {
  const rec = recordingReporter();
  const result = await applyStack(fakeAws(), rec.reporter, { ...INPUT, poll: clock.poll, ...extra });
  return { result, err: rec.err(), clock };
}

async function runError(extra: Record<string, unknown> = {}, clock = fakeClock()) {
  const rec = recordingReporter();
  try {
    await applyStack(fakeAws(), rec.reporter, { ...INPUT, poll: clock.poll, ...extra });
  } catch (e) {
    if (!isCyclopsError(e)) throw e;
    return { error: e, err: rec.err(), clock };
  }
  throw new Error('expected applyStack to fail');
}

function changeSetReady(changes: { Action: string; LogicalResourceId: string; ResourceType: string; Replacement?: string }[]): sdk.cfn.DescribeChangeSetOutput {
  return {
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    Changes: changes.map((r) => ({ Type: 'Resource', ResourceChange: r as sdk.cfn.ResourceChange })),
  };
}

describe('a stack that does not exist', () => {
  test('is created with CreateStack, its events streamed once each, and its outputs returned', async () => {
    const start = event(STACK, 'CREATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack');
    const vpc = event('Vpc', 'CREATE_IN_PROGRESS');
    const vpcDone = event('Vpc', 'CREATE_COMPLETE');
    cfnMock
      .on(C.DescribeStacksCommand)
      .rejectsOnce(missing())
      .resolvesOnce(stack('CREATE_IN_PROGRESS'))
      .resolves(stack('CREATE_COMPLETE', { Outputs: [{ OutputKey: 'VpcId', OutputValue: 'vpc-1' }] }));
    cfnMock.on(C.CreateStackCommand).resolves({ StackId: STACK_ID });
    cfnMock
      .on(C.DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [vpc, start] })
      .resolves({ StackEvents: [vpcDone, vpc, start] });

    const { result, err, clock } = await run();

    expect(result).toMatchObject({ action: 'create', status: 'CREATE_COMPLETE', changed: true, stackId: STACK_ID, outputs: { VpcId: 'vpc-1' } });
    const create = cfnMock.commandCalls(C.CreateStackCommand)[0].args[0].input;
    expect(create).toMatchObject({ StackName: STACK, TemplateURL: INPUT.templateUrl, Parameters: INPUT.parameters, Tags: INPUT.tags, Capabilities: ['CAPABILITY_IAM'] });
    expect(operations()).not.toContain('CreateChangeSet');
    // each event printed exactly once, oldest first
    expect(err.match(/Vpc AWS::EC2::VPC CREATE_IN_PROGRESS/g)).toHaveLength(1);
    expect(err.indexOf('User Initiated')).toBeLessThan(err.indexOf('Vpc AWS::EC2::VPC CREATE_IN_PROGRESS'));
    expect(err.indexOf('CREATE_IN_PROGRESS')).toBeLessThan(err.indexOf('Vpc AWS::EC2::VPC CREATE_COMPLETE'));
    expect(clock.sleeps).toEqual([1000]);
  });

  test('--dry-run lists the resources of a CREATE change set, then deletes the change set and the review stack', async () => {
    cfnMock.on(C.DescribeStacksCommand).rejects(missing());
    cfnMock.on(C.CreateChangeSetCommand).resolves({ Id: 'cs-arn', StackId: STACK_ID });
    cfnMock.on(C.DescribeChangeSetCommand).resolves(changeSetReady([{ Action: 'Add', LogicalResourceId: 'Vpc', ResourceType: 'AWS::EC2::VPC' }]));

    const { result, err } = await run({ dryRun: true });

    expect(result).toMatchObject({ action: 'dry-run', changed: true, changes: [{ action: 'Add', logicalId: 'Vpc', resourceType: 'AWS::EC2::VPC' }] });
    expect(cfnMock.commandCalls(C.CreateChangeSetCommand)[0].args[0].input.ChangeSetType).toBe('CREATE');
    expect(operations()).toEqual(['DescribeStacks', 'CreateChangeSet', 'DescribeChangeSet', 'DeleteChangeSet', 'DeleteStack']);
    expect(cfnMock.commandCalls(C.DeleteStackCommand)[0].args[0].input.StackName).toBe(STACK_ID);
    expect(err).toContain('+ Vpc (AWS::EC2::VPC)');
  });
});

describe('an existing stack', () => {
  test('a change set without changes is deleted, not executed, and reported as no changes', async () => {
    cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'A', OutputValue: '1' }] }));
    cfnMock.on(C.CreateChangeSetCommand).resolves({ Id: 'cs', StackId: STACK_ID });
    cfnMock.on(C.DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set.",
    });

    const { result, err } = await run();

    expect(result).toMatchObject({ action: 'none', changed: false, status: 'UPDATE_COMPLETE', outputs: { A: '1' }, changes: [] });
    expect(operations()).toEqual(['DescribeStacks', 'CreateChangeSet', 'DescribeChangeSet', 'DeleteChangeSet']);
    const cs = cfnMock.commandCalls(C.CreateChangeSetCommand)[0].args[0].input;
    expect(cs).toMatchObject({ ChangeSetType: 'UPDATE', TemplateURL: INPUT.templateUrl, Parameters: INPUT.parameters, Tags: INPUT.tags });
    expect(cs.ChangeSetName).toMatch(/^cyclops-acme-staging-/);
    expect(err).toContain('no changes');
  });

  test('"No updates are to be performed" also counts as no changes', async () => {
    existingStack('CREATE_COMPLETE', { Status: 'FAILED', StatusReason: 'No updates are to be performed.' });
    const { result } = await run();
    expect(result.action).toBe('none');
    expect(operations()).not.toContain('ExecuteChangeSet');
  });

  test('changes are read from every page, executed, and waited for', async () => {
    const old = event(STACK, 'CREATE_COMPLETE', undefined, 'AWS::CloudFormation::Stack');
    const upd = event('Service', 'UPDATE_IN_PROGRESS', undefined, 'AWS::ECS::Service');
    const done = event('Service', 'UPDATE_COMPLETE', undefined, 'AWS::ECS::Service');
    cfnMock
      .on(C.DescribeStacksCommand)
      .resolvesOnce(stack('CREATE_COMPLETE'))
      .resolvesOnce(stack('UPDATE_IN_PROGRESS'))
      .resolves(stack('UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'Url', OutputValue: 'http://x' }] }));
    cfnMock.on(C.CreateChangeSetCommand).resolves({ Id: 'cs' });
    cfnMock
      .on(C.DescribeChangeSetCommand)
      .resolvesOnce({ Status: 'CREATE_PENDING' })
      .resolvesOnce({ ...changeSetReady([{ Action: 'Modify', LogicalResourceId: 'Service', ResourceType: 'AWS::ECS::Service', Replacement: 'False' }]), NextToken: 'p2' })
      .resolves(changeSetReady([{ Action: 'Modify', LogicalResourceId: 'Rule', ResourceType: 'AWS::ElasticLoadBalancingV2::ListenerRule', Replacement: 'True' }]));
    cfnMock
      .on(C.DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [old] })
      .resolvesOnce({ StackEvents: [upd, old] })
      .resolves({ StackEvents: [done, upd, old] });

    const { result, err } = await run();

    expect(result).toMatchObject({ action: 'update', status: 'UPDATE_COMPLETE', changed: true, outputs: { Url: 'http://x' } });
    expect(result.changes.map((c) => c.logicalId)).toEqual(['Service', 'Rule']);
    expect(cfnMock.commandCalls(C.DescribeChangeSetCommand)[2].args[0].input.NextToken).toBe('p2');
    expect(operations().filter((o) => o === 'ExecuteChangeSet')).toHaveLength(1);
    expect(operations()).not.toContain('DeleteChangeSet');
    expect(err).toContain('~ Rule (AWS::ElasticLoadBalancingV2::ListenerRule) replace: True');
    // the event from before the update (primed) is never printed
    expect(err).not.toContain('CloudFormation::Stack CREATE_COMPLETE');
    expect(err.match(/Service AWS::ECS::Service UPDATE_IN_PROGRESS/g)).toHaveLength(1);
  });

  test('--dry-run prints the changes and deletes the change set without executing it', async () => {
    existingStack('UPDATE_COMPLETE', changeSetReady([{ Action: 'Remove', LogicalResourceId: 'Old', ResourceType: 'AWS::SQS::Queue' }]));
    const { result, err } = await run({ dryRun: true });
    expect(result).toMatchObject({ action: 'dry-run', changed: true, changes: [{ action: 'Remove', logicalId: 'Old' }] });
    expect(operations()).toEqual(['DescribeStacks', 'CreateChangeSet', 'DescribeChangeSet', 'DeleteChangeSet']);
    expect(err).toContain('- Old (AWS::SQS::Queue)');
  });

  test('beforeExecute runs after the change set is described and judged, before it is executed', async () => {
    existingStack('UPDATE_COMPLETE', changeSetReady([{ Action: 'Modify', LogicalResourceId: 'Service', ResourceType: 'AWS::ECS::Service', Replacement: 'False' }]));
    let seen: string[] = [];
    await run({ beforeExecute: async () => void (seen = operations()) });
    expect(seen).toContain('DescribeChangeSet');
    expect(seen).not.toContain('ExecuteChangeSet');
    expect(operations()).toContain('ExecuteChangeSet');
  });

  test('a beforeExecute that fails (a failed release phase) deletes the change set and executes nothing', async () => {
    existingStack('UPDATE_COMPLETE', changeSetReady([{ Action: 'Modify', LogicalResourceId: 'Service', ResourceType: 'AWS::ECS::Service', Replacement: 'False' }]));
    const boom = Object.assign(new Error('release phase failed'), { exitCode: 1 });
    const rec = recordingReporter();
    await expect(applyStack(fakeAws(), rec.reporter, { ...INPUT, poll: fakeClock().poll, beforeExecute: async () => Promise.reject(boom) })).rejects.toBe(boom);
    expect(operations()).not.toContain('ExecuteChangeSet');
    expect(operations()).toContain('DeleteChangeSet');
  });

  test('a change the guard refuses never reaches beforeExecute', async () => {
    existingStack('UPDATE_COMPLETE', changeSetReady([{ Action: 'Remove', LogicalResourceId: 'Zone', ResourceType: 'AWS::Route53::HostedZone' }]));
    let ran = false;
    const { error } = await runError({ beforeExecute: async () => void (ran = true) });
    expect(error.exitCode).toBe(2);
    expect(ran).toBe(false);
    expect(operations()).not.toContain('ExecuteChangeSet');
  });

  test('a change set that fails for another reason is an error naming the reason, and is deleted', async () => {
    existingStack('UPDATE_COMPLETE', { Status: 'FAILED', StatusReason: 'Parameter Image is missing' });
    const { error } = await runError();
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('Parameter Image is missing');
    expect(operations()).toContain('DeleteChangeSet');
    expect(operations()).not.toContain('ExecuteChangeSet');
  });
});

describe('recovery by state', () => {
  test('ROLLBACK_COMPLETE is deleted, after saying so, and created again', async () => {
    cfnMock
      .on(C.DescribeStacksCommand)
      .resolvesOnce(stack('ROLLBACK_COMPLETE', { StackStatusReason: 'The following resource(s) failed to create: [Db]' }))
      .resolvesOnce(stack('DELETE_IN_PROGRESS'))
      .rejectsOnce(missing())
      .resolves(stack('CREATE_COMPLETE'));
    cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfnMock.on(C.CreateStackCommand).resolves({ StackId: STACK_ID });

    const { result, err } = await run();

    expect(result).toMatchObject({ action: 'create', recreated: true, status: 'CREATE_COMPLETE' });
    const ops = operations().filter((o) => o !== 'DescribeStackEvents' && o !== 'DescribeStacks');
    expect(ops).toEqual(['DeleteStack', 'CreateStack']);
    expect(err).toMatch(/ROLLBACK_COMPLETE after a failed create.*deleting it and creating it again/);
  });

  test('ROLLBACK_COMPLETE on a dry run only says what a real run would do', async () => {
    cfnMock.on(C.DescribeStacksCommand).resolves(stack('ROLLBACK_COMPLETE'));
    const { result, err } = await run({ dryRun: true });
    expect(result).toMatchObject({ action: 'dry-run', recreated: true });
    expect(operations()).toEqual(['DescribeStacks']);
    expect(err).toContain('a real run deletes it and creates it again');
  });

  test('UPDATE_ROLLBACK_FAILED stops with continue-update-rollback and touches nothing', async () => {
    cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_ROLLBACK_FAILED'));
    const { error } = await runError();
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain(`aws cloudformation continue-update-rollback --stack-name ${STACK}`);
    expect(operations()).toEqual(['DescribeStacks']);
  });

  test('DELETE_FAILED stops with what to do', async () => {
    cfnMock.on(C.DescribeStacksCommand).resolves(stack('DELETE_FAILED'));
    const { error } = await runError();
    expect(error.message).toMatch(/DELETE_FAILED.*delete-stack/);
    expect(operations()).toEqual(['DescribeStacks']);
  });

  test('*_IN_PROGRESS is waited for (events of that operation streamed), then the update goes on', async () => {
    const other = event('Service', 'UPDATE_IN_PROGRESS', undefined, 'AWS::ECS::Service');
    cfnMock
      .on(C.DescribeStacksCommand)
      .resolvesOnce(stack('UPDATE_IN_PROGRESS'))
      .resolvesOnce(stack('UPDATE_IN_PROGRESS'))
      .resolves(stack('UPDATE_COMPLETE'));
    cfnMock.on(C.DescribeStackEventsCommand).resolvesOnce({ StackEvents: [] }).resolvesOnce({ StackEvents: [other] }).resolves({ StackEvents: [other] });
    cfnMock.on(C.CreateChangeSetCommand).resolves({});
    cfnMock.on(C.DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: "didn't contain changes" });

    const { result, err, clock } = await run();

    expect(result.action).toBe('none');
    expect(err).toContain('is UPDATE_IN_PROGRESS; waiting up to 3600s');
    expect(err.match(/Service AWS::ECS::Service UPDATE_IN_PROGRESS/g)).toHaveLength(1);
    expect(clock.sleeps.length).toBeGreaterThanOrEqual(1);
  });

  test('*_IN_PROGRESS beyond --timeout fails with exit 1 and changes nothing', async () => {
    cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const { error, clock } = await runError({ timeoutSeconds: 5 });
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/still UPDATE_IN_PROGRESS after 5s.*--timeout/);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(operations()).not.toContain('CreateChangeSet');
  });

  test('REVIEW_IN_PROGRESS (a never-executed change set) is deleted, then the stack is created', async () => {
    cfnMock
      .on(C.DescribeStacksCommand)
      .resolvesOnce(stack('REVIEW_IN_PROGRESS'))
      .rejectsOnce(missing())
      .resolves(stack('CREATE_COMPLETE'));
    cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfnMock.on(C.CreateStackCommand).resolves({ StackId: STACK_ID });
    const { result, err } = await run();
    expect(result.action).toBe('create');
    expect(operations().filter((o) => /^(Delete|Create)/.test(o))).toEqual(['DeleteStack', 'CreateStack']);
    expect(err).toContain('REVIEW_IN_PROGRESS');
  });
});

describe('failure', () => {
  test('a failed update prints the failing resources, not the cancelled ones, and exits 1', async () => {
    const bad = event('Service', 'UPDATE_FAILED', 'Resource handler returned message: "Invalid image"', 'AWS::ECS::Service');
    const cancelled = event('Rule', 'UPDATE_FAILED', 'Resource update cancelled', 'AWS::ElasticLoadBalancingV2::ListenerRule');
    const summary = event(STACK, 'UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [Service]', 'AWS::CloudFormation::Stack');
    cfnMock.on(C.DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolves(stack('UPDATE_ROLLBACK_COMPLETE'));
    cfnMock.on(C.CreateChangeSetCommand).resolves({});
    cfnMock.on(C.DescribeChangeSetCommand).resolves(changeSetReady([{ Action: 'Modify', LogicalResourceId: 'Service', ResourceType: 'AWS::ECS::Service' }]));
    cfnMock.on(C.DescribeStackEventsCommand).resolvesOnce({ StackEvents: [] }).resolves({ StackEvents: [summary, cancelled, bad] });

    const { error, err } = await runError();

    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/update failed \(UPDATE_ROLLBACK_COMPLETE\)/);
    expect(error.details).toEqual(['Service (AWS::ECS::Service) UPDATE_FAILED: Resource handler returned message: "Invalid image"']);
    expect(err).toContain('Invalid image');
  });

  test('a failed create without resource events falls back to the stack reason', async () => {
    cfnMock
      .on(C.DescribeStacksCommand)
      .rejectsOnce(missing())
      .resolves(stack('ROLLBACK_COMPLETE', { StackStatusReason: 'The following resource(s) failed to create: [Db]' }));
    cfnMock.on(C.CreateStackCommand).resolves({ StackId: STACK_ID });
    cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const { error } = await runError();
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('create failed (ROLLBACK_COMPLETE)');
    expect(error.details).toEqual(['The following resource(s) failed to create: [Db]']);
  });

  test('an AWS error from CreateStack is one line naming the stack', async () => {
    cfnMock.on(C.DescribeStacksCommand).rejects(missing());
    cfnMock.on(C.CreateStackCommand).rejects(Object.assign(new Error('Template format error: bad'), { name: 'ValidationError' }));
    const { error } = await runError();
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(`create stack ${STACK}: ValidationError: Template format error: bad`);
  });
});

describe('throttling', () => {
  test('polling backs off while throttled and carries on', async () => {
    cfnMock
      .on(C.DescribeStacksCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves(stack('UPDATE_COMPLETE'));
    cfnMock.on(C.CreateChangeSetCommand).resolves({});
    cfnMock.on(C.DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: 'No updates are to be performed.' });
    const { result, clock } = await run();
    expect(result.action).toBe('none');
    // interval 1000 doubles per throttle, capped at maxIntervalMs 8000
    expect(clock.sleeps).toEqual([2000, 4000, 8000, 8000]);
  });

  test('throttling past the deadline surfaces as an error', async () => {
    cfnMock.on(C.DescribeStacksCommand).rejects(throttled());
    const { error } = await runError({ timeoutSeconds: 10 });
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('Throttling');
  });
});

/**
 * The change-safety guard over recorded change-set descriptions (aws-sdk-client-mock):
 * moto reports no replacements or details, so these paths are proven here. Each blocked
 * case stops with exit 2, deletes the change set and executes nothing; the override, a
 * harmless replacement and the dry-run verdict pass; an imported export refuses.
 */
import { applyStack } from '../../src/stacks';
import { blockedChanges, changedExports, referencedIds } from '../../src/stacks/guard';
import { isCyclopsError, type CyclopsError } from '../../src/errors';
import { EventLog } from '../../src/events';
import { INPUT, STACK, cfnMock, fakeAws, fakeClock, operations, sdk, stack } from './stacks-fakes';

const C = sdk.cfn;
beforeEach(() => cfnMock.reset());

/** Recorded from a real DescribeChangeSet: a zone change that replaces the hosted zone. */
const ZONE_REPLACED: sdk.cfn.Change = {
  Type: 'Resource',
  ResourceChange: {
    Action: 'Modify',
    LogicalResourceId: 'HostedZone',
    PhysicalResourceId: 'Z0123456789',
    ResourceType: 'AWS::Route53::HostedZone',
    Replacement: 'True',
    Scope: ['Properties'],
    Details: [
      { Target: { Attribute: 'Properties', Name: 'HostedZoneTags', RequiresRecreation: 'Never' }, Evaluation: 'Static', ChangeSource: 'DirectModification' },
      { Target: { Attribute: 'Properties', Name: 'Name', RequiresRecreation: 'Always' }, Evaluation: 'Static', ChangeSource: 'DirectModification' },
    ],
  },
};
const DB_CONDITIONAL: sdk.cfn.Change = {
  Type: 'Resource',
  ResourceChange: {
    Action: 'Modify',
    LogicalResourceId: 'Database',
    ResourceType: 'AWS::RDS::DBInstance',
    Replacement: 'Conditional',
    Scope: ['Properties'],
    Details: [{ Target: { Attribute: 'Properties', Name: 'DBSubnetGroupName', RequiresRecreation: 'Conditionally' }, Evaluation: 'Dynamic', ChangeSource: 'ResourceReference', CausingEntity: 'DbSubnets' }],
  },
};
const SUBNET_REMOVED: sdk.cfn.Change = { Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: 'PrivateSubnet3', ResourceType: 'AWS::EC2::Subnet', PhysicalResourceId: 'subnet-3' } };
const RULE_REPLACED: sdk.cfn.Change = {
  Type: 'Resource',
  ResourceChange: {
    Action: 'Modify',
    LogicalResourceId: 'WebRule',
    ResourceType: 'AWS::ElasticLoadBalancingV2::ListenerRule',
    Replacement: 'True',
    Details: [{ Target: { Attribute: 'Properties', Name: 'Priority', RequiresRecreation: 'Always' }, ChangeSource: 'ParameterReference', CausingEntity: 'Priority' }],
  },
};
const SG_MODIFIED_IN_PLACE: sdk.cfn.Change = {
  Type: 'Resource',
  ResourceChange: { Action: 'Modify', LogicalResourceId: 'ServiceSg', ResourceType: 'AWS::EC2::SecurityGroup', Replacement: 'False', Details: [{ Target: { Attribute: 'Properties', Name: 'SecurityGroupIngress', RequiresRecreation: 'Never' } }] },
};

function updateWith(changes: sdk.cfn.Change[], stackExtra: Record<string, unknown> = {}) {
  cfnMock.on(C.DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE', stackExtra));
  cfnMock.on(C.CreateChangeSetCommand).resolves({});
  cfnMock.on(C.DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', Changes: changes });
  cfnMock.on(C.DescribeStackEventsCommand).resolves({ StackEvents: [] });
}

async function refused(extra: Record<string, unknown> = {}): Promise<CyclopsError> {
  try {
    await applyStack(fakeAws(), new EventLog(), { ...INPUT, poll: fakeClock().poll, ...extra });
  } catch (e) {
    if (isCyclopsError(e)) return e;
    throw e;
  }
  throw new Error('expected the guard to refuse');
}

const nothingExecuted = () => {
  expect(operations()).toContain('DeleteChangeSet');
  expect(operations()).not.toContain('ExecuteChangeSet');
};

describe('blocked: exit 2, change set deleted, nothing executed', () => {
  test('a hosted zone replacement names the resource, the property that forces it, and the override', async () => {
    updateWith([ZONE_REPLACED]);
    const e = await refused();
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      `stack ${STACK}: the update would replace a stateful resource: HostedZone (AWS::Route53::HostedZone, replace); nothing was changed; ` +
        'revert the config change that causes it, or re-run with --allow-replace HostedZone if losing it is intended',
    );
    expect(e.message).not.toContain('\n');
    expect(e.details).toEqual([
      'HostedZone (AWS::Route53::HostedZone) would be replaced by the change to Name, HostedZoneTags; re-run with --allow-replace HostedZone if losing it is intended',
    ]);
    nothingExecuted();
    const describe = cfnMock.commandCalls(C.DescribeChangeSetCommand)[0].args[0].input;
    expect(describe.StackName).toBe(STACK);
  });

  test('a conditional DB replacement and a removed subnet are both listed', async () => {
    updateWith([DB_CONDITIONAL, SUBNET_REMOVED, RULE_REPLACED]);
    const e = await refused();
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('Database (AWS::RDS::DBInstance, replace), PrivateSubnet3 (AWS::EC2::Subnet, remove)');
    expect(e.message).toContain('--allow-replace Database --allow-replace PrivateSubnet3');
    expect(e.message).not.toContain('WebRule');
    expect(e.details).toEqual([
      'Database (AWS::RDS::DBInstance) would be replaced (conditionally) by the change to DBSubnetGroupName; re-run with --allow-replace Database if losing it is intended',
      'PrivateSubnet3 (AWS::EC2::Subnet) would be deleted (it is no longer in the template); re-run with --allow-replace PrivateSubnet3 if losing it is intended',
    ]);
    nothingExecuted();
  });

  test('allowing one resource still blocks the other', async () => {
    updateWith([DB_CONDITIONAL, SUBNET_REMOVED]);
    const e = await refused({ allowReplace: ['Database'] });
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('PrivateSubnet3');
    expect(e.message).not.toContain('Database');
    nothingExecuted();
  });
});

describe('allowed', () => {
  test('--allow-replace for every blocked resource lets the update run', async () => {
    updateWith([ZONE_REPLACED, SUBNET_REMOVED]);
    cfnMock.on(C.DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolves(stack('UPDATE_COMPLETE'));
    cfnMock.on(C.ExecuteChangeSetCommand).resolves({});
    const r = await applyStack(fakeAws(), new EventLog(), { ...INPUT, poll: fakeClock().poll, allowReplace: ['HostedZone', 'PrivateSubnet3'] });
    expect(r.action).toBe('update');
    expect(operations()).toContain('ExecuteChangeSet');
  });

  test('a replaced listener rule and an in-place security group change pass without any override', async () => {
    updateWith([RULE_REPLACED, SG_MODIFIED_IN_PLACE]);
    cfnMock.on(C.ExecuteChangeSetCommand).resolves({});
    const r = await applyStack(fakeAws(), new EventLog(), { ...INPUT, poll: fakeClock().poll });
    expect(r.action).toBe('update');
    expect(r.changes[0]).toMatchObject({ logicalId: 'WebRule', replacement: 'True', details: [{ name: 'Priority', requiresRecreation: 'Always', changeSource: 'ParameterReference' }] });
    expect(operations()).toContain('ExecuteChangeSet');
    // no exports on the stack: no template read, no ListImports
    expect(operations()).not.toContain('GetTemplate');
    expect(operations()).not.toContain('ListImports');
  });
});

test('a dry run returns the same verdict in its result, shows it, and throws nothing', async () => {
  updateWith([ZONE_REPLACED, RULE_REPLACED]);
  const log = new EventLog();
  const r = await applyStack(fakeAws(), log, { ...INPUT, poll: fakeClock().poll, dryRun: true });
  expect(r.action).toBe('dry-run');
  expect(r.blocked).toEqual([{ logicalId: 'HostedZone', resourceType: 'AWS::Route53::HostedZone', action: 'replace', replacement: 'True', properties: ['Name', 'HostedZoneTags'] }]);
  expect(log.of('warning').map((w) => w.message)).toEqual([expect.stringMatching(/^blocked: HostedZone \(AWS::Route53::HostedZone\) would be replaced .*--allow-replace HostedZone/)]);
  nothingExecuted();
});

describe('exports another stack imports', () => {
  const exported = {
    Outputs: [
      { OutputKey: 'HttpsListenerArn', OutputValue: 'arn:listener', ExportName: 'acme-staging:HttpsListenerArn' },
      { OutputKey: 'ClusterName', OutputValue: 'acme-staging', ExportName: 'acme-staging:ClusterName' },
      { OutputKey: 'ServiceSgId', OutputValue: 'sg-1', ExportName: 'acme-staging:ServiceSgId' },
    ],
  };
  /** TLS switched off: the HTTPS listener output is gone; the service SG is replaced. */
  const newTemplate = JSON.stringify({
    Resources: {},
    Outputs: {
      ClusterName: { Value: { Ref: 'Cluster' }, Export: { Name: 'acme-staging:ClusterName' } },
      ServiceSgId: { Value: { 'Fn::GetAtt': ['ServiceSg', 'GroupId'] }, Export: { Name: 'acme-staging:ServiceSgId' } },
    },
  });
  const SG_REPLACED: sdk.cfn.Change = {
    Type: 'Resource',
    ResourceChange: { Action: 'Modify', LogicalResourceId: 'ServiceSg', ResourceType: 'AWS::EC2::SecurityGroup', Replacement: 'True', Details: [{ Target: { Attribute: 'Properties', Name: 'GroupDescription', RequiresRecreation: 'Always' } }] },
  };
  const LISTENER_REMOVED: sdk.cfn.Change = { Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: 'HttpsListener', ResourceType: 'AWS::ElasticLoadBalancingV2::Listener' } };

  test('an export that is dropped while app stacks import it refuses, naming them and the order that works', async () => {
    updateWith([LISTENER_REMOVED], exported);
    cfnMock.on(C.GetTemplateCommand).resolves({ TemplateBody: newTemplate });
    cfnMock.on(C.ListImportsCommand, { ExportName: 'acme-staging:HttpsListenerArn' }).resolves({ Imports: ['acme-staging-web', 'acme-staging-api'] });
    const e = await refused();
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      `stack ${STACK}: the update would change exports other stacks import: acme-staging:HttpsListenerArn (dropped; imported by acme-staging-web, acme-staging-api); nothing was changed; ` +
        'update or destroy the importing apps first so that they no longer import it, then run this again, or keep the output as it is',
    );
    // only the export that changes is looked up; the template came from the change set
    expect(cfnMock.commandCalls(C.ListImportsCommand).map((c) => c.args[0].input.ExportName)).toEqual(['acme-staging:HttpsListenerArn']);
    expect(cfnMock.commandCalls(C.GetTemplateCommand)[0].args[0].input).toMatchObject({ StackName: STACK, TemplateStage: 'Original' });
    nothingExecuted();
  });

  test('an export whose resource is replaced counts as changed, even when the replacement itself is allowed', async () => {
    updateWith([SG_REPLACED], exported);
    cfnMock.on(C.ListImportsCommand).rejects(Object.assign(new Error("Export 'x' is not imported by any stack."), { name: 'ValidationError' }));
    cfnMock.on(C.ListImportsCommand, { ExportName: 'acme-staging:ServiceSgId' }).resolves({ Imports: ['acme-staging-web'] });
    const e = await refused({ templateBody: newTemplate, allowReplace: ['ServiceSg'] });
    expect(e.exitCode).toBe(2);
    expect(e.details).toEqual(['acme-staging:ServiceSgId (output ServiceSgId) would be changed; imported by acme-staging-web']);
    // the body was passed in: no GetTemplate
    expect(operations()).not.toContain('GetTemplate');
    nothingExecuted();
  });

  test('a changed export nobody imports passes', async () => {
    updateWith([LISTENER_REMOVED], exported);
    cfnMock.on(C.ListImportsCommand).rejects(Object.assign(new Error("Export 'acme-staging:HttpsListenerArn' is not imported by any stack."), { name: 'ValidationError' }));
    cfnMock.on(C.ExecuteChangeSetCommand).resolves({});
    const r = await applyStack(fakeAws(), new EventLog(), { ...INPUT, poll: fakeClock().poll, templateBody: newTemplate });
    expect(r.action).toBe('update');
    expect(operations()).toContain('ExecuteChangeSet');
  });

  test('a dry run reports the imported export in its result instead of throwing', async () => {
    updateWith([LISTENER_REMOVED], exported);
    cfnMock.on(C.ListImportsCommand).resolves({ Imports: ['acme-staging-web'] });
    const r = await applyStack(fakeAws(), new EventLog(), { ...INPUT, poll: fakeClock().poll, templateBody: newTemplate, dryRun: true });
    expect(r.blockedExports).toEqual([{ exportName: 'acme-staging:HttpsListenerArn', outputKey: 'HttpsListenerArn', change: 'removed', importers: ['acme-staging-web'] }]);
    nothingExecuted();
  });
});

describe('pure decisions', () => {
  test('only stateful types are blocked, and only on Remove or a True/Conditional replacement', () => {
    const rows = [
      { action: 'Remove', logicalId: 'Logs', resourceType: 'AWS::Logs::LogGroup' },
      { action: 'Modify', logicalId: 'Repo', resourceType: 'AWS::ECR::Repository', replacement: 'False' },
      { action: 'Modify', logicalId: 'Vpc', resourceType: 'AWS::EC2::VPC', replacement: 'True' },
      { action: 'Remove', logicalId: 'Rule', resourceType: 'AWS::ElasticLoadBalancingV2::ListenerRule' },
      { action: 'Add', logicalId: 'Bucket', resourceType: 'AWS::S3::Bucket' },
    ];
    expect(blockedChanges(rows).map((b) => `${b.logicalId}:${b.action}`)).toEqual(['Logs:remove', 'Vpc:replace']);
    expect(blockedChanges(rows, ['Vpc', 'Logs'])).toEqual([]);
  });

  test('references are found in Ref, GetAtt (both forms) and Fn::Sub', () => {
    expect([...referencedIds({ 'Fn::Join': [':', [{ Ref: 'A' }, { 'Fn::GetAtt': 'B.Arn' }, { 'Fn::GetAtt': ['C', 'Endpoint.Address'] }, { 'Fn::Sub': '${D}-${E.Port}-${AWS::Region}' }]] })]).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  test('an export renamed or stripped of its Export counts as dropped; an unchanged one not at all', () => {
    const summary = { name: 's', id: 's', status: 'UPDATE_COMPLETE', parameters: {}, tags: {}, outputs: { A: 'a', B: 'b', C: 'c' }, exports: { A: 's:A', B: 's:B', C: 's:C' } };
    const body = JSON.stringify({ Outputs: { A: { Value: { Ref: 'X' }, Export: { Name: 's:A2' } }, B: { Value: { Ref: 'Y' } }, C: { Value: { Ref: 'Z' }, Export: { Name: 's:C' } } } });
    expect(changedExports(summary, body, [])).toEqual([
      { exportName: 's:A', outputKey: 'A', change: 'removed' },
      { exportName: 's:B', outputKey: 'B', change: 'removed' },
    ]);
  });

  test('an output renamed under the same export name is kept: importers see export names', () => {
    const summary = { name: 's', id: 's', status: 'UPDATE_COMPLETE', parameters: {}, tags: {}, outputs: { Old: 'v' }, exports: { Old: 's:X' } };
    const body = JSON.stringify({ Outputs: { New: { Value: { Ref: 'R' }, Export: { Name: 's:X' } } } });
    expect(changedExports(summary, body, [])).toEqual([]);
    expect(changedExports(summary, body, [{ action: 'Remove', logicalId: 'R', resourceType: 'AWS::EC2::SecurityGroup' }])).toEqual([{ exportName: 's:X', outputKey: 'Old', change: 'changed' }]);
  });
});

/** Change sets: create one, wait for it, read its changes, delete it. */
import { changeSetName } from '../naming';
import { failure } from '../errors';
import type { ApplyInput, ChangeSummary } from './types';
import { isNoChangeReason } from './status';
import { guard, type Run } from './wait';

export interface ChangeSet {
  name: string;
  stackId?: string;
  /** FAILED because nothing would change */
  empty: boolean;
  changes: ChangeSummary[];
}

export async function createChangeSet(run: Run, input: ApplyInput, type: 'CREATE' | 'UPDATE'): Promise<ChangeSet> {
  const { aws, stackName } = run;
  const name = changeSetName(stackName);
  const out = await guard(run, `create change set for stack ${stackName}`, () =>
    aws.cfn.send(
      new aws.sdk.cfn.CreateChangeSetCommand({
        StackName: stackName,
        ChangeSetName: name,
        ChangeSetType: type,
        TemplateURL: input.templateUrl,
        Parameters: input.parameters,
        Tags: input.tags,
        Capabilities: input.capabilities,
      }),
    ),
  );
  return { name, stackId: out.StackId, empty: false, changes: [] };
}

/**
 * Wait until the change set is ready and read all its changes (every page). A change set
 * that FAILED because it changes nothing comes back `empty`; any other failure is an error
 * (the caller deletes the change set either way).
 */
export async function describeChangeSet(run: Run, cs: ChangeSet): Promise<ChangeSet | 'interrupted'> {
  const { aws, stackName, poller } = run;
  const changes: ChangeSummary[] = [];
  let token: string | undefined;
  for (;;) {
    const out = await guard(run, `describe change set ${cs.name}`, () =>
      poller.call(() => aws.cfn.send(new aws.sdk.cfn.DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: cs.name, NextToken: token }))),
    );
    const status = out.Status ?? '';
    if (status === 'FAILED') {
      if (isNoChangeReason(out.StatusReason)) return { ...cs, empty: true };
      throw failure(`stack ${stackName}: change set failed: ${out.StatusReason ?? 'no reason given'}; fix the template or parameters and try again`);
    }
    if (status === 'CREATE_COMPLETE') {
      for (const c of out.Changes ?? []) {
        const r = c.ResourceChange;
        if (!r) continue;
        changes.push({
          action: r.Action ?? '?',
          logicalId: r.LogicalResourceId ?? '?',
          resourceType: r.ResourceType ?? '?',
          ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}),
          ...(r.Replacement ? { replacement: r.Replacement } : {}),
        });
      }
      token = out.NextToken;
      if (!token) return { ...cs, changes };
      continue;
    }
    if (poller.aborted) return 'interrupted';
    if (poller.timedOut) {
      throw failure(`stack ${stackName}: change set ${cs.name} still ${status} after ${poller.timeoutSeconds}s; try again later or raise --timeout`);
    }
    await poller.wait();
    if (poller.aborted) return 'interrupted';
  }
}

/** Delete a change set we made; a failure here only warns, so it never hides the real error. */
export async function deleteChangeSet(run: Run, cs: ChangeSet): Promise<void> {
  const { aws, stackName } = run;
  try {
    await aws.cfn.send(new aws.sdk.cfn.DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: cs.name }));
  } catch (e) {
    run.reporter.warn(`could not delete change set ${cs.name} of stack ${stackName} (${(e as Error).message}); delete it in the CloudFormation console`);
  }
}

export async function executeChangeSet(run: Run, cs: ChangeSet): Promise<void> {
  const { aws, stackName } = run;
  await guard(run, `execute change set ${cs.name}`, () =>
    aws.cfn.send(new aws.sdk.cfn.ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: cs.name })),
  );
}

const MARK: Record<string, string> = { Add: '+', Modify: '~', Remove: '-', Import: '>', Dynamic: '?' };

/** One line per change, for humans: "+ Db (AWS::RDS::DBInstance)", "~ Service (...) replace: True". */
export function formatChange(c: ChangeSummary): string {
  const replace = c.action === 'Modify' && c.replacement && c.replacement !== 'False' ? ` replace: ${c.replacement}` : '';
  return `${MARK[c.action] ?? '?'} ${c.logicalId} (${c.resourceType})${replace}`;
}

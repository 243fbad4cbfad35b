/**
 * Fakes for the stack engine's unit tests: an Aws whose CloudFormation client is the real
 * SDK class (mocked by aws-sdk-client-mock), a reporter that records stderr, and a clock
 * whose sleep moves time forward instead of waiting.
 */
import { Writable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import type { Aws } from '../../src/aws/client';
import * as sdk from '../../src/aws/sdk';
import { Reporter } from '../../src/report/reporter';

export { sdk };
export const cfnMock = mockClient(sdk.cfn.CloudFormationClient);

const CREDENTIALS = { region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };

/** An Aws with real SDK clients of the given services (each mocked by its test with aws-sdk-client-mock). */
export function fakeAwsOf(...services: ('s3' | 'ecs' | 'elbv2' | 'acm')[]): Aws {
  const make = { s3: () => new sdk.s3.S3Client(CREDENTIALS), ecs: () => new sdk.ecs.ECSClient(CREDENTIALS), elbv2: () => new sdk.elbv2.ElasticLoadBalancingV2Client(CREDENTIALS), acm: () => new sdk.acm.ACMClient(CREDENTIALS) };
  return { sdk, region: 'eu-west-1', calls: () => 0, ...Object.fromEntries(services.map((s) => [s, make[s]()])) } as unknown as Aws;
}

export function fakeAws(): Aws {
  const cfn = new sdk.cfn.CloudFormationClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  return { sdk, region: 'eu-west-1', cfn, calls: () => 0 } as unknown as Aws;
}

export function recordingReporter(): { reporter: Reporter; err: () => string } {
  let text = '';
  const stderr = new Writable({
    write(chunk, _enc, cb) {
      text += chunk;
      cb();
    },
  });
  const stdout = new Writable({ write: (_c, _e, cb) => cb() });
  return { reporter: new Reporter({ stderr, stdout, color: false }), err: () => text };
}

/** A virtual clock: sleep(ms) advances it at once; every sleep is recorded. */
export function fakeClock(onSleep?: (ms: number) => void) {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    poll: {
      intervalMs: 1000,
      maxIntervalMs: 8000,
      now: () => t,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        t += ms;
        onSleep?.(ms);
      },
    },
  };
}

export const STACK = 'acme-staging';
export const STACK_ID = `arn:aws:cloudformation:eu-west-1:123456789012:stack/${STACK}/1111`;

export function stack(status: string, extra: Record<string, unknown> = {}) {
  return { Stacks: [{ StackName: STACK, StackId: STACK_ID, StackStatus: status as sdk.cfn.StackStatus, CreationTime: new Date(), ...extra }] };
}

export const missing = () => Object.assign(new Error(`Stack with id ${STACK} does not exist`), { name: 'ValidationError' });
export const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });

let seq = 0;
export function event(logicalId: string, status: string, reason?: string, type = 'AWS::EC2::VPC'): sdk.cfn.StackEvent {
  seq++;
  return {
    EventId: `ev-${seq}`,
    StackName: STACK,
    StackId: STACK_ID,
    LogicalResourceId: logicalId,
    ResourceType: type,
    ResourceStatus: status as sdk.cfn.ResourceStatus,
    ResourceStatusReason: reason,
    Timestamp: new Date(),
  };
}

export const INPUT = {
  stackName: STACK,
  templateUrl: 'https://b.s3.eu-west-1.amazonaws.com/templates/cluster/staging/abc.json',
  parameters: [{ ParameterKey: 'P', ParameterValue: 'v' }],
  tags: [{ Key: 'cyclops:platform', Value: 'acme' }],
  capabilities: ['CAPABILITY_IAM' as const],
};

/** The names of the CloudFormation operations sent, in order. */
export function operations(): string[] {
  return cfnMock.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
}

/** A stable stack whose next change set comes back as `changeSet`. */
export function existingStack(status: string, changeSet: sdk.cfn.DescribeChangeSetOutput): void {
  cfnMock.on(sdk.cfn.DescribeStacksCommand).resolves(stack(status));
  cfnMock.on(sdk.cfn.CreateChangeSetCommand).resolves({});
  cfnMock.on(sdk.cfn.DescribeChangeSetCommand).resolves(changeSet);
}

/**
 * What the end-to-end tests read back from AWS (moto) to check where things landed, with
 * whichever account's and region's clients they are given.
 */
import type { Aws } from '../../src/aws/client';

/** The stack, or null when it does not exist. */
export async function stackOf(aws: Aws, name: string) {
  try {
    return (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: name }))).Stacks?.[0] ?? null;
  } catch (e) {
    if (/does not exist/.test(String((e as Error).message))) return null;
    throw e;
  }
}

/**
 * Every stack DescribeStacks lists, all pages (deleted ones included, as CloudFormation lists them
 * for a while). moto pages at 50 stacks, and the test files share one moto: a first page alone
 * may not hold a file's own stacks, nor prove one absent.
 */
export async function allStacks(aws: Aws) {
  const stacks = [];
  let NextToken: string | undefined;
  do {
    const page = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ NextToken }));
    stacks.push(...(page.Stacks ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return stacks;
}

export const stackParam = async (aws: Aws, name: string, key: string) => (await stackOf(aws, name))?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;

export const secretNames = async (aws: Aws) => ((await aws.secrets.send(new aws.sdk.secrets.ListSecretsCommand({}))).SecretList ?? []).map((s) => s.Name!);

export const logGroupNames = async (aws: Aws, prefix: string) =>
  ((await aws.logs.send(new aws.sdk.logs.DescribeLogGroupsCommand({ logGroupNamePrefix: prefix }))).logGroups ?? []).map((g) => g.logGroupName!);

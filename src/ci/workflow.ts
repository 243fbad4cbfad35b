/** What `ci show` prints for one repository: its role, the subjects it trusts, and the workflow lines to paste. */
import { subjects, type GithubTrust } from './github';

export function workflowLines(region: string, repo: string, roleArn: string | null, trust: GithubTrust): string {
  const role = roleArn ?? '<not created yet: run "cyclops bootstrap">';
  const env = trust.environments[0];
  return [
    `${repo}`,
    `  role:     ${role}`,
    `  trusts:   ${subjects(trust).join(', ')}`,
    ...(trust.environments.length ? ['  note:     a job with "environment:" gets the subject repo:ORG/REPO:environment:NAME, never a ref'] : []),
    '  workflow:',
    '    permissions:',
    '      id-token: write   # lets the job ask GitHub for its OIDC token',
    '      contents: read',
    ...(env ? [`    environment: ${env}`] : []),
    '    steps:',
    '      - uses: actions/checkout@v4',
    `      - uses: ${ACTION_REPO}@main`,
    '        with:',
    `          role-arn: ${role}`,
    `          aws-region: ${region}`,
    '          image: ${{ env.IMAGE }}',
    '          app: APP',
    '          env: ENV',
  ].join('\n');
}

/** What `ci show` prints for the environments in other accounts: the role cyclops assumes in each. */
export function environmentLines(envs: { env: string; account: string | null; region: string; deployRoleArn: string | null; problem: string | null }[]): string[] {
  if (!envs.length) return [];
  return [
    [
      'environments in other accounts (cyclops assumes their deploy role from the CI role; "cyclops bootstrap --env NAME" makes it):',
      ...envs.map((e) => `  ${e.env}: account ${e.account ?? '?'} (${e.region}), role ${e.deployRoleArn ?? '-'}${e.problem ? `\n    ${e.problem}` : ''}`),
    ].join('\n'),
  ];
}

/** The action is this repository (action.yml at its root): OWNER is where you publish or fork it. */
export const ACTION_REPO = 'OWNER/cyclops';

/**
 * The suite's IAM evaluation (test/support/iam-wire.ts) names the CodeBuild project a remote
 * build's requests act on: StartBuild by its projectName, BatchGetBuilds and StopBuild by build
 * ids (<project>:<uuid>). Without it they would be judged on "*", which the deploy policy
 * (scoped to the platform's builder projects) rightly denies.
 */
import { iamRequestsOf, MOTO_ACCOUNT, type Lookups, type Recorded } from '../support/iam-wire';

const lookups: Lookups = { resourceTags: async () => ({}), taskDefinitionRoles: async () => [], mountTargetFileSystem: async () => undefined };
const project = (name: string) => `arn:aws:codebuild:eu-west-1:${MOTO_ACCOUNT}:project/${name}`;
const wire = (target: string, fields: Recorded['fields']): Recorded => ({ command: 'deploy', service: 'codebuild', region: 'eu-west-1', method: 'POST', path: '/', target: `CodeBuild_20161006.${target}`, fields });

test.each([
  ['StartBuild', { projectName: 'acme-builder-arm64' }, 'codebuild:StartBuild'],
  ['BatchGetBuilds', { ids: ['acme-builder-arm64:0a1b2c3d-0000-4000-8000-0123456789ab'] }, 'codebuild:BatchGetBuilds'],
  ['StopBuild', { id: 'acme-builder-arm64:0a1b2c3d-0000-4000-8000-0123456789ab' }, 'codebuild:StopBuild'],
])('%s is authorised on the project it names', async (op, fields, action) => {
  const out = await iamRequestsOf(wire(op, fields), lookups);
  expect(out.map((r) => [r.action, r.resource])).toEqual([[action, project('acme-builder-arm64')]]);
});

/**
 * docs/security.md: the page to hand to a security team, with the three operator policies
 * for a config rendered in it. test/templates/security-doc.test.ts fails when the page is
 * stale; `UPDATE_DOCS=1 npx jest test/templates/security-doc.test.ts` rewrites it.
 */
import type { Config } from '../config/model';
import { cfnServiceRole, platformStack } from '../naming';
import { ACCOUNT_PLACEHOLDER, operatorPolicy, whereFor } from './operator';
import type { Level } from './ops-map';

const WHO: Record<Level, string> = {
  admin: 'the people who run `cyclops bootstrap` and `cyclops env create|update|delete`',
  deploy: 'CI jobs and developers: `deploy` (previews included), `rollback`, `scale`, `vars`, `secrets`, `logs`, `run`, `destroy`, `previews prune`',
  read: 'dashboards and on-call: `status`, `apps list`, `logs`, `releases`, `previews list`',
};

export function securityDoc(config: Config, configFile: string): string {
  const platform = config.platform.name;
  const policy = (level: Level) => JSON.stringify(operatorPolicy(config, level, whereFor(config, ACCOUNT_PLACEHOLDER)), null, 2);
  return `# Security: give this to your security team

<!-- Generated from src/iam for ${configFile} (platform "${platform}"); do not edit by hand:
     UPDATE_DOCS=1 npx jest test/templates/security-doc.test.ts -->

cyclops needs three kinds of access. None of them may create VPCs, databases, load balancers or
IAM roles directly: CloudFormation does that, as a **service role** that cyclops's own platform stack
creates. Operators only pass that role to CloudFormation.

## The CloudFormation service role

- \`cyclops bootstrap\` creates the role \`${cfnServiceRole(platform)}\` in the platform stack (\`${platformStack(platform)}\`)
  and outputs its ARN (\`ServiceRoleArn\`).
- Trust: only \`cloudformation.amazonaws.com\`, and only for this account (\`aws:SourceAccount\`).
- Every create, change set and delete of an environment or app stack passes the role (\`RoleARN\`).
  cyclops reads the platform stack's output once per command.
- Its permissions are generated from the resource types the templates use (\`src/iam/resource-actions.ts\`).
  A template test fails when a template uses a type the table lacks.
- Where AWS allows names in ARNs, resources are narrowed to the platform's names:
  - IAM roles and instance profiles \`${platform}-*\` (generated names start with the stack name);
  - log groups \`/cyclops/${platform}/*\`, ECS clusters and services \`${platform}-*\`;
  - buckets \`${platform}-*\`, scheduled rules \`${platform}-*\`, secrets \`cyclops/*\` (and RDS's own \`rds!*\`).
- EC2, load balancers, RDS, ElastiCache, ACM and Route 53 records are named by generated ids, so those
  statements use \`*\`.
- \`iam:PassRole\` is limited to \`${platform}-*\` roles, and to the services that run them
  (\`iam:PassedToService\`: ECS tasks, EventBridge, EC2, VPC flow logs).
- The role may never change or pass itself: an explicit Deny.
- The platform stack itself runs with the admin's own credentials, never as the role. An update of the role
  therefore cannot take away the permissions it needs to finish or roll back. That is also why only admin
  may create ECR repositories and the role.

**Known limit.** Anyone who may pass the role can have CloudFormation create \`${platform}-*\` roles with any
policy in a stack of their own making. Treat \`deploy\` as trusted with the platform's resources. A
permissions boundary on the roles the templates create would close this; it is not in place yet.

## The operator policies

Print them for your own account with \`cyclops iam-policy --for admin|deploy|read\`. The account comes from STS,
or from \`--account ID\`. Offline (\`--offline\`, or when AWS cannot be reached) the command prints
\`${ACCOUNT_PLACEHOLDER}\` placeholders, and says so on stderr.

Resources are scoped:
- the config bucket \`${config.platform.bucket}\` and its keys (deploy writes only app templates, locks,
  release records and \`ports.json\`);
- stacks \`${platform}-*\`, ECS services and tasks in the \`${platform}-*\` clusters;
- secrets \`cyclops/*\` (app database logins), and the database master secret (\`rds!*\`) that creating an app
  database needs;
- \`iam:PassRole\` for the service role (to CloudFormation) and for the app roles (to ECS tasks) only.

A unit test (\`test/unit/iam-coverage.test.ts\`) reads every SDK call in \`src/aws\` and fails when a level that
uses it lacks the action. A new AWS call cannot ship without its policy line.

${(['admin', 'deploy', 'read'] as Level[]).map((l) => `### ${l}\n\nFor ${WHO[l]}.\n\n\`\`\`json\n${policy(l)}\n\`\`\`\n`).join('\n')}`;
}

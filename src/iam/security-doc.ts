/**
 * docs/security.md: the page to hand to a security team, with the three operator policies
 * for a config rendered in it. test/templates/security-doc.test.ts fails when the page is
 * stale; `UPDATE_DOCS=1 npx jest test/templates/security-doc.test.ts` rewrites it.
 */
import type { Config } from '../config/model';
import { boundaryPolicyName, cfnServiceRole, iamPath, legacyCfnServiceRole, platformStack, TAG_PLATFORM } from '../naming';
import { ACCOUNT_PLACEHOLDER, MANAGED_POLICIES_PER_ROLE, MANAGED_POLICY_CHARS, masterSecretPlaceholder, operatorPolicies, whereFor } from './operator';
import { EXTRA_REQUIREMENTS, type Level } from './ops-map';

const WHO: Record<Level, string> = {
  admin: 'the people who run `cyclops bootstrap` and `cyclops env create|update|delete`',
  deploy: 'CI jobs and developers: `deploy` (previews included), `promote`, `rollback`, `abort`, `scale`, `vars`, `secrets`, `logs`, `run`, `destroy`, `previews prune`',
  read: 'dashboards and on-call: `status`, `apps list`, `logs`, `releases`, `images`, `previews list`',
};

export function securityDoc(config: Config, configFile: string): string {
  const platform = config.platform.name;
  const policies = (level: Level) => {
    const docs = operatorPolicies(config, level, whereFor(config, ACCOUNT_PLACEHOLDER));
    const block = (d: unknown) => `\`\`\`json\n${JSON.stringify(d, null, 2)}\n\`\`\`\n`;
    if (docs.length === 1) return block(docs[0]);
    return `Too large for one managed policy: ${docs.length} parts, to be created and attached together.\n\n${docs.map((d, i) => `Part ${i + 1} of ${docs.length} (\`cyclops iam-policy --for ${level} --part ${i + 1}\`):\n\n${block(d)}`).join('\n')}`;
  };
  return `# Security: give this to your security team

<!-- Generated from src/iam for ${configFile} (platform "${platform}"); do not edit by hand:
     UPDATE_DOCS=1 npx jest test/templates/security-doc.test.ts -->

cyclops needs three kinds of access. None of them may create VPCs, databases, load balancers or
IAM roles directly: CloudFormation does that, as a **service role** that cyclops's own platform stack
creates. Operators only pass that role to CloudFormation.

## The CloudFormation service role

- \`cyclops bootstrap\` creates the role \`${cfnServiceRole(platform)}\` under the path \`${iamPath(platform)}\` in the platform
  stack (\`${platformStack(platform)}\`) and outputs its ARN (\`ServiceRoleArn\`). It may be passed to CloudFormation only
  (an explicit Deny in every policy that may pass roles under the path, and its trust).
- Trust: only \`cloudformation.amazonaws.com\`, and only for this account (\`aws:SourceAccount\`).
- Every create, change set and delete of an environment or app stack passes the role (\`RoleARN\`).
  cyclops reads the platform stack's output once per command.
- Its permissions are derived from AWS's own data: the CloudFormation registry's handler permissions of every
  resource type the templates can contain (\`src/iam/data/cfn-handler-permissions.json\`, with its source, commit and
  the actions left out and why), narrowed by the Service Authorization Reference. A template test renders every
  variant and proves with an IAM evaluator that each type's create/read/update/delete permissions are allowed.
- Where AWS allows names in ARNs, resources are narrowed to the platform's names:
  - IAM roles and instance profiles under the path \`${iamPath(platform)}\` (never another platform's, whatever its name);
  - log groups \`/cyclops/${platform}/*\`, ECS clusters and services \`${platform}-*\`;
  - buckets \`${platform}-*\`, scheduled rules \`${platform}-*\`; of secrets only the generated Redis token and RDS's own
    \`rds!db-*\`: never an app's secrets or database login.
- EC2, load balancers, RDS, ElastiCache, ACM and Route 53 records are named by generated ids, so those
  statements use \`*\`.
- It may create and change roles only with the permissions boundary \`${iamPath(platform)}${boundaryPolicyName(platform)}\`
  attached (\`iam:PermissionsBoundary\`), which the platform stack owns; it may never remove a boundary, change the
  boundary policy, or change or pass itself (explicit Denies). The boundary lets a role run tasks and instances, pull
  images, write logs, open ECS Exec channels, mount EFS and read the platform's secrets and those config names:
  no IAM writes, no other data.
- \`iam:PassRole\` is limited to the platform's path, and to the services that run them
  (\`iam:PassedToService\`: ECS tasks, EventBridge, EC2, VPC flow logs); \`iam:CreateServiceLinkedRole\` to the
  services the types need (\`iam:AWSServiceName\`).
- The platform stack itself runs with the admin's own credentials, never as the role. An update of the role
  therefore cannot take away the permissions it needs to finish or roll back. That is also why only admin
  may create ECR repositories and the role.

**Known limits.** Anyone who may pass the role can have CloudFormation create resources of the platform in a stack
of their own making: treat \`deploy\` as trusted with the platform's resources, but not with the account (every role
they could make is capped by the boundary). In the service role, stacks, buckets, rules and alarms are still matched
by the name prefix \`${platform}-*\`, which a platform whose name starts with \`${platform}-\` shares; the operator
policies tell such platforms apart by tag or by environment (below).

**Moving off the role of earlier versions.** Earlier versions made the service role \`${legacyCfnServiceRole(platform)}\` at
path \`/\`. IAM cannot change a role's path, and CloudFormation keeps using the role a stack was last given for its
updates, rollbacks and deletes, so \`cyclops bootstrap\` moves side by side, and a rerun carries on from any step:
1. the platform stack gets the new role next to the old one (which keeps the same policies); \`ServiceRoleArn\` names
   the new role, so every command from then on (deploy, env create and update, destroy, previews) passes it;
2. every env and app stack (previews included) of the environments in this account, in every region config names,
   that still records the old role is updated onto the new one with its template and parameters unchanged
   (UpdateStack with \`UsePreviousTemplate\` and each parameter's previous value), app stacks under their lock;
3. only when no stack records the old role do two further updates of the platform stack detach the policies from it
   and then remove it (IAM deletes a role only once no policy is attached).
Upgrade in this order: run \`cyclops bootstrap\` with the admin policy of the new version first, then attach the new
deploy and read policies. Until bootstrap has run, the platform's output still names the old role, which the new
deploy policy no longer lets anyone pass (the whole-suite IAM evaluation shows exactly that denial).
A stack that cannot be moved (a failed state, a deploy holding its lock, a region that cannot be reached) keeps the
old role; bootstrap names it, exits 1 and keeps the old role; the rerun finishes. Environments in another account have
their own service role there: \`cyclops bootstrap --env NAME\` does the same in that account, and \`cyclops bootstrap\`
warns about those still on the old role. Deleting a stack still on the old role passes the new role too, which
CloudFormation then uses. The admin policy may remove the old role (what CloudFormation's role read and delete
handlers call, on that one ARN); no level may create, change or pass it.

## The operator policies

Print them for your own account with \`cyclops iam-policy --for admin|deploy|read\`. The account comes from STS,
or from \`--account ID\`. Offline (\`--offline\`, or when AWS cannot be reached) the command prints
\`${ACCOUNT_PLACEHOLDER}\` placeholders, and says so on stderr.

A customer managed policy holds at most ${MANAGED_POLICY_CHARS.toLocaleString('en-US')} characters, whitespace not counted
([IAM quotas](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)). A level whose policy is
longer comes in parts: \`iam-policy\` then says so on stderr and prints a JSON array of the parts (\`--json\`: \`parts\`
and \`policies\`), and \`--part N\` prints part N alone. Create one managed policy per part and attach **all** of them to
the same role, user or group: each part grants a disjoint share of the level, none works alone. A role takes
${MANAGED_POLICIES_PER_ROLE} managed policies by default. For example:

\`\`\`sh
for n in $(seq 1 "$(cyclops iam-policy --for admin --json | jq .parts)"); do
  cyclops iam-policy --for admin --part "$n" > "admin-$n.json"
  arn=$(aws iam create-policy --policy-name "cyclops-${platform}-admin-$n" --policy-document "file://admin-$n.json" --query Policy.Arn --output text)
  aws iam attach-role-policy --role-name platform-admins --policy-arn "$arn"
done
\`\`\`

Resources are scoped:
- the config bucket \`${config.platform.bucket}\` and its keys (deploy writes only app templates, locks,
  release records and \`ports.json\`);
- stacks \`${platform}-*\`, but never one tagged \`${TAG_PLATFORM}\` with another platform (that pattern also matches a platform
  named \`${platform}-eu\`; a create may not tag a stack for another platform either); ECS clusters, services, tasks
  and task definitions likewise: \`${platform}-*\` names, never one tagged \`${TAG_PLATFORM}\` with another platform,
  and new task definitions and tasks only tagged as this platform's (the templates tag every cluster, service and task
  definition, services propagate their tags to their tasks, and \`run\`, \`db\` and releases tag what they register and
  start). ECS authorises every action cyclops calls on them by \`aws:ResourceTag\` and creates by \`aws:RequestTag\`
  ([Service Authorization Reference, ECS](https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html)).
  A resource with no tag at all (created by hand) is matched by name alone;
- the web services' deployment alarms of each environment in config, \`cyclops-${platform}-<env>-*-web-*\`:
  \`DescribeAlarms\` takes no condition key ([Service Authorization Reference, CloudWatch](https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html)),
  so the environment in the name keeps another platform's alarms out (run \`iam-policy\` again after adding an environment);
- secrets \`cyclops/${platform}/*\` (app secrets and database logins; those an older cyclops kept under
  \`cyclops/<env>/...\` only when tagged \`${TAG_PLATFORM}=${platform}\`), and each environment's own database master secret, read from its env
  stack (\`${masterSecretPlaceholder('<env>')}\` until the environment exists: run \`iam-policy\` again after \`env create\`),
  never every \`rds!\` secret of the account; an external database's admin secret by its ARN and \`-??????\`, which
  matches the six characters Secrets Manager appends when config gives the ARN without them;
  \`secretsmanager:DescribeSecret\` (metadata: name, tags, dates; never a value) on every \`cyclops/*\` name, since the lookup
  of a pre-namespace name that does not exist has no tag to match, and such a name cannot be told from another
  platform's namespace by its pattern;
- EFS deletes (\`destroy --delete-volumes\`) only of file systems tagged \`${TAG_PLATFORM}=${platform}\`;
- \`iam:PassRole\` for the service role (to CloudFormation) and for the app roles (to ECS tasks) only.

What AWS checks beyond each call's own action:

| action | levels | why | AWS page |
| --- | --- | --- | --- |
${EXTRA_REQUIREMENTS.map((r) => `| \`${r.action}\` | ${r.levels.join(', ')} | ${r.because} | ${r.doc} |`).join('\n')}

A unit test (\`test/unit/iam-coverage.test.ts\`) reads every SDK call in \`src/aws\` and fails when a level that
uses it lacks the action. A new AWS call cannot ship without its policy line. An integration test
(\`test/integration/iam-eval.test.ts\`) records the requests a representative set of commands makes, maps each to its
action, resource ARN and request context (tags, \`iam:PassedToService\`) from AWS's Service Authorization Reference,
and proves with an IAM evaluator that the level each command needs (\`src/iam/commands.ts\`) allows all of them,
tag-on-create and \`iam:PassRole\` included, that \`read\` denies every write, and that \`deploy\` denies every
write of an admin command but those on the stacks and the service role both levels use.

The same evaluation then covers everything the whole integration suite makes cyclops do (\`test/iam-suite/\`, run
by \`npm test\` after the integration project). Every moto proxy of the run records each request it sees, with what
IAM reads from the account at that moment (a resource's tags, a user's path, a task definition's roles), and every
cyclops run records its arguments and its config; the run's id travels in the SDK's user agent
(\`AWS_SDK_UA_APP_ID\`, which also lets CloudTrail tell one command's calls apart: set it in CI to the job's id).
Each request is decided against the policies \`iam-policy --for <level>\` renders for the config that run used,
in the account its credentials act in: allowed at the command's level and above, and every write denied at
\`read\`. The tests' own set-up calls are counted, not judged; calls made in an environment's own account with
its roles are left to the cross-account evaluation (\`test/integration/iam-eval-accounts.test.ts\`), which
decides them against the role as the account stack holds it. One write is allowed at \`read\` on purpose:
\`sts:AssumeRole\`, which read commands need to reach environments in other accounts. It names only the read
role \`bootstrap --env\` makes there beside the deploy role (\`<platform>-read\` under \`/cyclops-ci/<platform>/\`,
in the account of \`environments.<env>.aws.roleArn\`), whose policy is this read level for that account and
holds no write: read commands (\`src/iam/commands.ts\`) assume it, every other command the deploy role, so an
operator with \`read\` cannot deploy in another account. \`deploy\` and \`admin\` may assume both (they run read
commands too). An account stack made before the read role has none: a read command there fails with one line
saying to run \`cyclops bootstrap --env ENV\` with administrator credentials of that account (exit 1).

${(['admin', 'deploy', 'read'] as Level[]).map((l) => `### ${l}\n\nFor ${WHO[l]}.\n\n${policies(l)}`).join('\n')}`;
}

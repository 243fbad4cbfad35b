/**
 * The move off the service role of earlier versions, end to end against moto. The platform is
 * put in the state the previous release leaves: its platform stack has only the role
 * "<platform>-cloudformation" at path "/" (the previous template: this release's, rendered with
 * that role alone), and env, app and preview stacks created by cyclops while that was the role
 * (RoleARN on DescribeStacks). One `cyclops bootstrap` then leaves every stack on the role under
 * /cyclops/<platform>/ and the old role gone (GetTemplate of the platform stack, IAM GetRole 404);
 * a rerun has nothing left to do.
 *
 * moto completes an update at once and never refuses a RoleARN, so what happens when a stack
 * cannot be moved (the old role kept, exit 1, the rerun finishing) is shown on the unit fakes
 * (test/unit/service-role-move.test.ts) and the UpdateStack request on a mocked CloudFormation
 * (test/unit/stacks-role-move.test.ts). The suite's moto proxy passes moto such an UpdateStack
 * without its unchanged parameters (test/support/moto-proxy.mjs: moto answers "No updates" otherwise).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/config/load';
import { cfnServiceRole, iamPath, legacyCfnServiceRole, SERVICE_ROLE_ID } from '../../src/naming';
import { renderPlatform, templateBody } from '../../src/plan';
import { motoIam, motoPlatform, outcome, OK, type MotoPlatform } from '../support/moto-platform';
import { TEST_REGION } from '../support/store-env';

const PLATFORM = 'rolemv';
let p: MotoPlatform;
let account = '';
const STACKS = [`${PLATFORM}-staging`, `${PLATFORM}-qa`, `${PLATFORM}-staging-site`, `${PLATFORM}-staging-site-pr-7`];

/** The previous release's platform template: the same resources, with the service role at path "/" alone. */
function previousTemplate(): string {
  const config = parseConfig(JSON.parse(readFileSync(path.join(p.dir, 'config.json'), 'utf8')), 'config.json');
  const t = renderPlatform(config, undefined, { legacyServiceRole: true }) as unknown as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>; Outputs: Record<string, { Value: unknown }> };
  delete t.Resources[SERVICE_ROLE_ID.current];
  for (const r of Object.values(t.Resources)) if (r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties.Roles) r.Properties.Roles = [{ Ref: SERVICE_ROLE_ID.legacy }];
  t.Outputs.ServiceRoleArn.Value = { 'Fn::GetAtt': [SERVICE_ROLE_ID.legacy, 'Arn'] };
  return templateBody(t as never);
}

const roleOf = async (stack: string) => (await p.stack(stack))?.RoleARN;

beforeAll(async () => {
  p = await motoPlatform({ platform: PLATFORM, database: 'none', envs: ['qa'], apps: { site: { processes: { web: { port: 8080 } } } } });
  // what the previous release made: the config bucket, and the platform stack from its template
  await p.aws.s3.send(new p.aws.sdk.s3.CreateBucketCommand({ Bucket: p.bucket, CreateBucketConfiguration: { LocationConstraint: TEST_REGION as never } }));
  const created = await p.aws.cfn.send(new p.aws.sdk.cfn.CreateStackCommand({ StackName: `${PLATFORM}-platform`, TemplateBody: previousTemplate(), Capabilities: ['CAPABILITY_NAMED_IAM'] }));
  account = created.StackId!.split(':')[4];
  for (const args of [
    ['env', 'create', 'staging'],
    ['env', 'create', 'qa'],
    ['deploy', 'nginx:1.27', 'site', 'staging'],
    ['deploy', 'nginx:1.28', 'site', 'staging', '--preview', 'pr-7'],
  ]) expect(outcome(await p.run(...args, '--json'))).toEqual(OK);
}, 180000);
afterAll(() => p.close());

const OLD = () => `arn:aws:iam::${account}:role/${legacyCfnServiceRole(PLATFORM)}`;
const NEW = () => `arn:aws:iam::${account}:role${iamPath(PLATFORM)}${cfnServiceRole(PLATFORM)}`;

describe('moving a platform of the previous release onto the service role under its path', () => {
  test('before: the old role exists and every env, app and preview stack records it', async () => {
    expect((await motoIam('GetRole', { RoleName: legacyCfnServiceRole(PLATFORM) })).status).toBe(200);
    expect((await motoIam('GetRole', { RoleName: cfnServiceRole(PLATFORM) })).status).toBe(404);
    for (const s of STACKS) expect({ s, role: await roleOf(s) }).toEqual({ s, role: OLD() });
  });

  test('bootstrap moves every stack, then removes the old role', async () => {
    const r = await p.run('bootstrap', '--json');
    expect(outcome(r)).toEqual(OK);
    expect(r.json().serviceRole).toEqual({ moved: expect.arrayContaining(STACKS), oldRoleRemoved: true });
    for (const s of STACKS) expect({ s, role: await roleOf(s) }).toEqual({ s, role: NEW() });
    // the stacks kept their template and parameters: the app still runs the image it ran
    expect((await p.stack(`${PLATFORM}-staging-site`))?.StackStatus).toBe('UPDATE_COMPLETE');
    // the old role is out of the platform stack and out of IAM; the new one is there, under the path
    const template = JSON.parse((await p.aws.cfn.send(new p.aws.sdk.cfn.GetTemplateCommand({ StackName: `${PLATFORM}-platform` }))).TemplateBody!);
    expect(Object.keys(template.Resources)).not.toContain(SERVICE_ROLE_ID.legacy);
    // ServiceRoleArn names the new role (moto does not re-evaluate an output whose value changes on a
    // change set's execution, so the template is read rather than the output's value)
    expect(template.Outputs.ServiceRoleArn.Value).toEqual({ 'Fn::GetAtt': [SERVICE_ROLE_ID.current, 'Arn'] });
    expect((await motoIam('GetRole', { RoleName: legacyCfnServiceRole(PLATFORM) })).status).toBe(404);
    const role = await motoIam('GetRole', { RoleName: cfnServiceRole(PLATFORM) });
    expect(role.status).toBe(200);
    expect(role.body).toContain(`<Path>${iamPath(PLATFORM)}</Path>`);
    // progress came as coded events
    expect(r.stderr).toMatch(/moving \d stack\(s\) onto role/);
  });

  test('a rerun has nothing left to do, and the stacks work on the new role', async () => {
    const r = await p.run('bootstrap', '--json');
    expect(outcome(r)).toEqual(OK);
    expect(r.json().serviceRole).toEqual({ moved: [], oldRoleRemoved: false });
    expect(outcome(await p.run('destroy', 'site-pr-7', 'staging', '--yes', '--json'))).toEqual(OK);
    expect(await p.stack(`${PLATFORM}-staging-site-pr-7`)).toBeNull();
  });
});

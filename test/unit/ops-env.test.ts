/** env show warnings, env delete --dry-run and the VPC DependencyViolation message, over fakes. */
import { CyclopsError, ExitCode } from '../../src/errors';
import { deploy } from '../../src/ops/deploy';
import { deleteEnv, planEnvDelete, previewEnvDelete, showEnv, vpcInUse } from '../../src/ops/env';
import { parseImage } from '../../src/plan/inputs';
import { failure, fakeOps, testConfig } from './fakes/ops';

const env = { platform: 'acme', env: 'staging' };

test('env delete --dry-run lists the resources by type and the apps that block it, and writes nothing', async () => {
  const f = fakeOps();
  await deploy(f.ops, { target: { ...env, app: 'web' }, image: 'nginx:1.27', ref: parseImage('nginx:1.27') });
  f.calls.length = 0;
  const p = await previewEnvDelete(f.ops, env, {});
  expect(p).toEqual({
    env: 'staging',
    stack: 'acme-staging',
    exists: true,
    resources: { 'AWS::EC2::Subnet': ['PublicSubnet0', 'PublicSubnet1'], 'AWS::EC2::VPC': ['Vpc'], 'AWS::ECS::Cluster': ['Cluster'] },
    apps: ['web'],
    blockedBy: ['web'],
  });
  expect((await previewEnvDelete(f.ops, env, { force: true })).blockedBy).toEqual([]);
  expect(f.calls.filter((c) => !/describe|listAppStacks|resources/.test(c))).toEqual([]);
  expect(f.stacks.has('acme-staging')).toBe(true);
});

test('a VPC DependencyViolation on delete says what is left and the way forward', async () => {
  const f = fakeOps();
  f.ops.stacks.delete = async () => {
    throw new CyclopsError('stack acme-staging: delete ended DELETE_FAILED; fix or remove the resources named below (e.g. empty a bucket), then run the delete again', {
      exitCode: ExitCode.FAILED,
      details: ['Vpc: The vpc \'vpc-0abc123\' has dependencies and cannot be deleted. (Service: Ec2, Status Code: 400, Error Code: DependencyViolation)'],
    });
  };
  const e = await failure(deleteEnv(f.ops, env, await planEnvDelete(f.ops, env, {}), {}));
  expect(e.exitCode).toBe(1);
  expect(e.message).toMatch(/^environment staging: stack acme-staging could not delete its VPC vpc-0abc123: something outside the stack still uses it .*Name=vpc-id,Values=vpc-0abc123.* then run "cyclops env delete staging" again$/);
  expect(e.details.join('\n')).toMatch(/has dependencies/);
  // any other failure is left as it was
  const other = new CyclopsError('stack acme-staging: delete ended DELETE_FAILED', { details: ['Bucket: not empty'] });
  expect(vpcInUse(env, 'acme-staging', other)).toBeNull();
});

test('env show carries the config warnings for its environment (and the region), and prints them as warnings', async () => {
  const apps = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a${i}`, { processes: { web: { port: 8080 } }, database: false }]));
  const config = testConfig({
    apps,
    environments: {
      staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' } },
      other: { dns: { domain: 'other.acme.dev', hostedZoneId: 'Z2' }, database: { type: 'none' } },
    },
  });
  const f = fakeOps(config);
  const view = await showEnv(f.ops, env);
  expect(view.warnings).toHaveLength(1);
  expect(view.warnings[0]).toMatch(/^environment staging: 101 web apps, more than the 100 target groups/);
  expect(f.events.of('warning').map((w) => w.message)).toEqual(view.warnings);
});

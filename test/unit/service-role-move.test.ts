/**
 * bootstrap's move off the service role of earlier versions (src/ops/service-role-move.ts) on the
 * unit fakes: which stacks move, under which lock, when the old role goes, and that a stack that
 * cannot be moved keeps it until a rerun. moto completes every update at once and never refuses a
 * RoleARN, so a stack that fails to move, or an account that cannot be read, is shown here; the
 * end state on moto is test/integration/service-role-move.test.ts.
 */
import { isCyclopsError } from '../../src/errors';
import { envStack, appStack, legacyCfnServiceRole, cfnServiceRole, iamPath, TAG_APP, TAG_ENV, TAG_PLATFORM } from '../../src/naming';
import { finishRoleMove, hasLegacyRole, legacyRoleArn } from '../../src/ops/service-role-move';
import { failure, fakeOps, testConfig, type Fake } from './fakes/ops';

const NEW = `arn:aws:iam::123456789012:role${iamPath('acme')}${cfnServiceRole('acme')}`;
const OLD = `arn:aws:iam::123456789012:role/${legacyCfnServiceRole('acme')}`;
const config = testConfig({
  environments: {
    staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' } },
    production: { dns: { domain: 'acme.dev', hostedZoneId: 'Z2' }, database: { type: 'none' } },
  },
});

function put(f: Fake, name: string, env: string, app: string, roleArn: string | undefined, extra: Record<string, string> = {}) {
  const tags = { [TAG_PLATFORM]: 'acme', [TAG_ENV]: env, [TAG_APP]: app, ...extra };
  f.stacks.set(name, { name, id: `id-${name}`, status: 'UPDATE_COMPLETE', outputs: {}, parameters: { Image: 'x' }, tags, ...(roleArn ? { roleArn } : {}) });
}

/** staging on the old role (env, app and a preview), production's env already moved by a deploy. */
function platform(): Fake {
  const f = fakeOps(config);
  put(f, envStack('acme', 'staging'), 'staging', '-', OLD);
  put(f, appStack('acme', 'staging', 'web'), 'staging', 'web', OLD);
  put(f, appStack('acme', 'staging', 'web-pr-7'), 'staging', 'web-pr-7', OLD, { 'cyclops:preview-of': 'web' });
  put(f, envStack('acme', 'production'), 'production', '-', NEW);
  put(f, appStack('acme', 'production', 'web'), 'production', 'web', OLD);
  return f;
}

const run = (f: Fake, removeLegacy: (step: 'detached' | false) => Promise<unknown>, opsIn = async () => f.ops) =>
  finishRoleMove(f.ops, { stackName: 'acme-platform', legacyInTemplate: true, roleArn: NEW, envs: ['production', 'staging'], opsIn, removeLegacy });
const roles = (f: Fake) => Object.fromEntries([...f.stacks.values()].map((s) => [s.name, s.roleArn]));

test('the old role is the same name at path "/" in the same account', () => {
  expect(legacyRoleArn(NEW, 'acme')).toBe(OLD);
  expect(legacyRoleArn('arn:aws-us-gov:iam::222222222222:role/cyclops/acme/x', 'acme')).toBe(`arn:aws-us-gov:iam::222222222222:role/${legacyCfnServiceRole('acme')}`);
});

test('every env and app stack (previews too) on the old role moves, apps under their lock; then, and only then, the old role is removed', async () => {
  const f = platform();
  const removed: { step: 'detached' | false; stillOld: number }[] = [];
  const r = await run(f, async (step) => removed.push({ step, stillOld: Object.values(roles(f)).filter((x) => x === OLD).length }));
  expect(Object.values(roles(f))).toEqual(Array(5).fill(NEW));
  expect(r.moved.sort()).toEqual(['acme-production-web', 'acme-staging', 'acme-staging-web', 'acme-staging-web-pr-7']);
  // when no stack used the old role any more: its policies detached, then the role removed
  expect(removed).toEqual([{ step: 'detached', stillOld: 0 }, { step: false, stillOld: 0 }]);
  expect(r.removed).toBe(true);
  // each app stack moved while its lock was held (no deploy changes it meanwhile), and the locks are let go
  expect(f.calls.filter((c) => /acquireLock|moveRole|releaseLock/.test(c)).slice(0, 3)).toEqual(['store.acquireLock', 'stacks.moveRole', 'store.releaseLock']);
  expect(f.locks.size).toBe(0);
  expect(f.events.coded('bootstrap.service-role.moved').map((e) => e.data.stack).sort()).toEqual(r.moved.sort());
});

test('an output that still names the old role (read before it changed) never makes it the target: the stacks move onto the role under the path', async () => {
  const f = platform();
  const r = await finishRoleMove(f.ops, { stackName: 'acme-platform', legacyInTemplate: true, roleArn: OLD, envs: ['production', 'staging'], opsIn: async () => f.ops, removeLegacy: async () => undefined });
  expect(r.moved).toHaveLength(4);
  expect(Object.values(roles(f))).toEqual(Array(5).fill(NEW));
});

test('a stack that cannot be moved keeps the old role: bootstrap fails naming it and does not remove the role; the rerun finishes', async () => {
  const f = platform();
  let failOnce = true;
  f.onCall('stacks.moveRole', () => {
    if (failOnce && roles(f)['acme-staging-web'] === OLD && roles(f)['acme-production-web'] === NEW) {
      failOnce = false;
      throw new Error('stack acme-staging-web is UPDATE_ROLLBACK_FAILED; it cannot be updated');
    }
  });
  let removals = 0;
  const e = await failure(run(f, async () => (removals += 1)));
  expect(isCyclopsError(e, 'service-role-kept')).toBe(true);
  expect(e.exitCode).toBe(1);
  expect(e.details).toEqual(['acme-staging-web: stack acme-staging-web is UPDATE_ROLLBACK_FAILED; it cannot be updated']);
  expect(removals).toBe(0);
  expect(roles(f)['acme-staging-web']).toBe(OLD);
  expect(roles(f)['acme-staging-web-pr-7']).toBe(NEW); // the others went on
  // the rerun: only what is left moves, then the old role goes
  const again = await run(f, async () => (removals += 1));
  expect(again.moved).toEqual(['acme-staging-web']);
  expect(removals).toBe(2); // detached, then removed
  expect(Object.values(roles(f))).toEqual(Array(5).fill(NEW));
});

test('an environment whose stacks cannot be read counts as not moved: the old role stays', async () => {
  const f = platform();
  const opsIn = async (env: string) => {
    if (env === 'production') throw new Error('environment production: AccessDenied on sts:AssumeRole');
    return f.ops;
  };
  let removals = 0;
  const e = await failure(run(f, async () => (removals += 1), opsIn as never));
  expect(e.details).toEqual(['acme-production (and its apps): environment production: AccessDenied on sts:AssumeRole']);
  expect(removals).toBe(0);
});

test('Ctrl-C stops at once (exit 130): nothing is reported as stuck and the old role stays', async () => {
  const f = platform();
  f.onCall('stacks.moveRole', () => f.abort.abort());
  let removals = 0;
  const e = await failure(run(f, async () => (removals += 1)));
  expect(e.exitCode).toBe(130);
  expect(removals).toBe(0);
});

test('an output that is not a role ARN stops before anything moves or is removed', async () => {
  const f = platform();
  let removals = 0;
  const e = await failure(finishRoleMove(f.ops, { stackName: 'acme-platform', legacyInTemplate: true, roleArn: 'x', envs: ['staging'], opsIn: async () => f.ops, removeLegacy: async () => (removals += 1) }));
  expect(e.message).toMatch(/ServiceRoleArn output is "x", not a role ARN; nothing was moved/);
  expect(removals).toBe(0);
  expect(f.calls).not.toContain('stacks.moveRole');
});

test('an old role already detached (a run stopped before removing it) is removed in one step', async () => {
  const f = fakeOps(config);
  put(f, envStack('acme', 'staging'), 'staging', '-', NEW);
  const steps: ('detached' | false)[] = [];
  const r = await finishRoleMove(f.ops, { stackName: 'acme-platform', legacyInTemplate: 'detached', roleArn: NEW, envs: ['staging'], opsIn: async () => f.ops, removeLegacy: async (step) => steps.push(step) });
  expect(steps).toEqual([false]);
  expect(r.removed).toBe(true);
});

test('with no stack on the old role and none in the template, nothing moves and nothing is removed', async () => {
  const f = fakeOps(config);
  put(f, envStack('acme', 'staging'), 'staging', '-', NEW);
  let removals = 0;
  const r = await finishRoleMove(f.ops, { stackName: 'acme-platform', legacyInTemplate: false, roleArn: NEW, envs: ['staging'], opsIn: async () => f.ops, removeLegacy: async () => (removals += 1) });
  expect(r).toEqual({ moved: [], stuck: [], removed: false });
  expect(removals).toBe(0);
});

test('the live platform template tells whether the old role is still there', async () => {
  const f = fakeOps(config);
  f.stacks.set('acme-platform', { name: 'acme-platform', id: 'p', status: 'UPDATE_COMPLETE', outputs: {}, parameters: {}, tags: {} });
  const policy = (roles: string[]) => ({ Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: roles.map((Ref) => ({ Ref })) } });
  f.templates.set('live:acme-platform', JSON.stringify({ Resources: { ServiceRole: { Type: 'AWS::IAM::Role' }, P1: policy(['CloudFormationServiceRole', 'ServiceRole']) } }));
  expect(await hasLegacyRole(f.ops, 'acme-platform')).toBe(true);
  f.templates.set('live:acme-platform', JSON.stringify({ Resources: { ServiceRole: { Type: 'AWS::IAM::Role' }, P1: policy(['CloudFormationServiceRole']) } }));
  expect(await hasLegacyRole(f.ops, 'acme-platform')).toBe('detached');
  f.templates.set('live:acme-platform', JSON.stringify({ Resources: { CloudFormationServiceRole: { Type: 'AWS::IAM::Role' } } }));
  expect(await hasLegacyRole(f.ops, 'acme-platform')).toBe(false);
  expect(await hasLegacyRole(f.ops, 'acme-missing')).toBe(false);
});

test('environments in another account: those still on the old role there, or unreadable, are named with "bootstrap --env"', async () => {
  const { reportOtherAccounts } = await import('../../src/ops/service-role-move');
  const f = fakeOps(config);
  put(f, envStack('acme', 'production'), 'production', '-', `arn:aws:iam::222222222222:role/${legacyCfnServiceRole('acme')}`);
  put(f, appStack('acme', 'production', 'web'), 'production', 'web', `arn:aws:iam::222222222222:role${iamPath('acme')}${cfnServiceRole('acme')}`);
  const opsIn = async (env: string) => {
    if (env === 'eu') throw new Error('environment eu: AccessDenied on sts:AssumeRole');
    return f.ops;
  };
  await reportOtherAccounts(f.ops, opsIn, [{ env: 'production', account: '222222222222' }, { env: 'eu', account: '333333333333' }]);
  const warned = f.events.coded('bootstrap.service-role.other-account');
  expect(warned.map((e) => e.data)).toEqual([
    { env: 'production', account: '222222222222', stacks: ['acme-production'] },
    { env: 'eu', account: '333333333333', stacks: [], reason: 'environment eu: AccessDenied on sts:AssumeRole' },
  ]);
  for (const e of warned) expect(e.message).toContain(`cyclops bootstrap --env ${e.data.env}`);
  // no stack of theirs was touched: their old role is their account's, moved by bootstrap --env
  expect(f.calls).not.toContain('stacks.moveRole');
});

test('bootstrap on a platform of the previous release: the new role beside the old, the stacks moved, the old role detached, then removed', async () => {
  const { bootstrap } = await import('../../src/ops/env');
  const { renderPlatform, templateBody } = await import('../../src/plan');
  const f = platform();
  // the previous release's platform stack: the old role alone, with the policies
  const previous = JSON.parse(templateBody(renderPlatform(config, undefined, { legacyServiceRole: true }))) as { Resources: Record<string, { Type: string; Properties: { Roles?: unknown } }> };
  delete previous.Resources.CloudFormationServiceRole;
  for (const r of Object.values(previous.Resources)) if (r.Properties.Roles) r.Properties.Roles = [{ Ref: 'ServiceRole' }];
  f.stacks.set('acme-platform', { name: 'acme-platform', id: 'p', status: 'UPDATE_COMPLETE', outputs: { ServiceRoleArn: OLD }, parameters: {}, tags: {} });
  f.templates.set('live:acme-platform', JSON.stringify(previous));
  const r = await bootstrap(f.ops, {});
  // three platform stack updates: both roles (policies on both), the old one detached, the old one gone
  const bodies = f.applied.map((a) => JSON.parse(f.templates.get(a.templateUrl)!) as { Resources: Record<string, { Properties: { Roles?: unknown } }> });
  expect(bodies.map((b) => [Boolean(b.Resources.ServiceRole), JSON.stringify(b.Resources.ServiceRolePolicy1.Properties.Roles)])).toEqual([
    [true, JSON.stringify([{ Ref: 'CloudFormationServiceRole' }, { Ref: 'ServiceRole' }])],
    [true, JSON.stringify([{ Ref: 'CloudFormationServiceRole' }])],
    [false, JSON.stringify([{ Ref: 'CloudFormationServiceRole' }])],
  ]);
  expect(r.serviceRole).toEqual({ moved: expect.arrayContaining(['acme-staging', 'acme-staging-web', 'acme-staging-web-pr-7', 'acme-production-web']), oldRoleRemoved: true });
  expect(r.result.outputs.ServiceRoleArn).toBe(NEW);
  const { 'acme-platform': platformRole, ...stacks } = roles(f);
  expect(platformRole).toBeUndefined(); // the platform stack runs with the operator's credentials
  expect(Object.entries(stacks).filter(([, x]) => x !== NEW)).toStrictEqual([]);
  expect(Object.keys(stacks)).toHaveLength(5);
  // the rerun converges: one update with nothing to change, nothing moved
  f.applied.length = 0;
  const again = await bootstrap(f.ops, {});
  expect(again.serviceRole).toEqual({ moved: [], oldRoleRemoved: false });
  expect(f.applied).toHaveLength(1);
});

/**
 * Re-creating what was deleted: env delete → env create, and an app removed from config and added
 * back (bootstrap), over the unit fakes. The fake stack engine behaves as CloudFormation does with
 * named resources (test/unit/fakes/ops.ts): DeletionPolicy Retain keeps them in the account when the
 * stack goes or drops them, and a create that names one again fails "already exists" unless the
 * change set imports it. The stack engine's side (the CREATE change set with ImportExistingResources)
 * is in stacks-adopt.test.ts; moto cannot import (see test/integration/env-adopt-moto.test.ts).
 */
import { ExitCode } from '../../src/errors';
import { adoptable } from '../../src/ops/adopt';
import { applyEnv, bootstrap, deleteEnv, planEnvDelete } from '../../src/ops/env';
import { pushClusterTemplates } from '../../src/ops/config-bucket';
import { failure, fakeOps, testConfig, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging' };
const FLOW = 'AWS::Logs::LogGroup /cyclops/acme/staging/_vpc-flow-logs';
const DBADMIN = 'AWS::Logs::LogGroup /cyclops/acme/staging/_dbadmin';
const TAGS = { 'cyclops:platform': 'acme', 'cyclops:env': 'staging', 'cyclops:app': '-' };

/** staging with its own zone (no hostedZoneId) and an RDS database: both fixed-name log groups. */
function fresh(): Fake {
  const f = fakeOps(testConfig({ environments: { staging: { dns: { domain: 'staging.acme.dev' }, database: { type: 'rds', deletionProtection: false } } } }));
  f.stacks.delete('acme-staging'); // the fake starts with an env stack; this environment is not created yet
  return f;
}

const lastBody = (f: Fake) => JSON.parse(f.templates.get(f.applied.at(-1)!.templateUrl)!) as { Resources: Record<string, { Type: string }>; Outputs: Record<string, { Value: unknown }>; Metadata?: Record<string, unknown> };
const codes = (f: Fake, code: string) => f.events.events.filter((e) => e.code === code).map((e) => ('data' in e ? e.data : e) as Record<string, unknown>);

test('the env template names its two retained log groups with literal names, which auto-import needs', () => {
  const f = fresh();
  return applyEnv(f.ops, t, { dryRun: true }, 'create').then(() => {
    const found = adoptable(f.templates.get(f.applied[0].templateUrl)!);
    expect(found.sort((a, b) => a.logicalId.localeCompare(b.logicalId))).toEqual([
      { logicalId: 'DbAdminLogGroup', resourceType: 'AWS::Logs::LogGroup', name: '/cyclops/acme/staging/_dbadmin' },
      { logicalId: 'FlowLogGroup', resourceType: 'AWS::Logs::LogGroup', name: '/cyclops/acme/staging/_vpc-flow-logs' },
    ]);
  });
});

test('env delete → env create: the retained log groups are imported and the retained zone is used again', async () => {
  const f = fresh();
  const first = await applyEnv(f.ops, t, {}, 'create');
  expect(first.result.action).toBe('create');
  expect(f.applied[0].importExisting).toBeUndefined(); // nothing was there: a plain create
  expect(first.adopted).toEqual({ resources: [], hostedZone: null });
  expect(f.zones).toHaveLength(1); // the stack made the zone, tagged as this environment's
  const zone = f.zones[0];
  expect(zone).toMatchObject({ name: 'staging.acme.dev', tags: TAGS });

  await deleteEnv(f.ops, t, await planEnvDelete(f.ops, t, {}), {});
  expect(f.stacks.has('acme-staging')).toBe(false);
  // Retain: the groups and the zone outlive the stack
  expect([...f.retained].sort()).toEqual([DBADMIN, FLOW]);

  // what happened before this fix: the same template, created plainly, fails "already exists"
  const body = f.templates.get(f.applied[0].templateUrl)!;
  const plain = await failure(f.ops.stacks.apply({ ...f.applied[0], templateUrl: f.applied[0].templateUrl, templateBody: body }));
  expect(plain.details.join('\n')).toMatch(/_(vpc-flow-logs|dbadmin) already exists/);

  f.events.events.length = 0;
  f.calls.length = 0;
  const again = await applyEnv(f.ops, t, {}, 'create');
  expect(again.result).toMatchObject({ action: 'create', status: 'CREATE_COMPLETE' });
  const applied = f.applied.at(-1)!;
  expect(applied.importExisting).toBe(true);
  expect(again.adopted.resources.map((a) => a.logicalId).sort()).toEqual(['DbAdminLogGroup', 'FlowLogGroup']);
  expect(again.adopted.hostedZone).toEqual({ id: zone.id, nameServers: zone.nameServers });
  // no second zone; the stack uses the kept one, and says so in its outputs (delegation unchanged)
  expect(f.zones).toHaveLength(1);
  const tpl = lastBody(f);
  expect(tpl.Resources.HostedZone).toBeUndefined();
  expect(tpl.Outputs.HostedZoneId.Value).toBe(zone.id);
  expect(tpl.Outputs.NameServers.Value).toBe(zone.nameServers.join(','));
  expect(f.stacks.get('acme-staging')?.outputs.NameServers).toBe(zone.nameServers.join(','));
  // every adoption is an event, before the stack changes
  expect(codes(f, 'stack.adopting').map((d) => d.name).sort()).toEqual(['/cyclops/acme/staging/_dbadmin', '/cyclops/acme/staging/_vpc-flow-logs']);
  expect(codes(f, 'env.zone.adopting')).toEqual([{ env: 'staging', domain: 'staging.acme.dev', zoneId: zone.id, nameServers: zone.nameServers, dryRun: false }]);
  // every look-up before the first write
  const firstWrite = f.calls.indexOf('store.pushTemplate');
  expect(firstWrite).toBeGreaterThan(f.calls.lastIndexOf('retained.publicZones'));
  expect(f.calls.slice(firstWrite).some((c) => c.startsWith('retained.'))).toBe(false);
  // nothing is left outside the stack
  expect(f.retained.size).toBe(0);
});

test('config push cluster pushes the template the adopted environment runs (the kept zone, no zone of its own)', async () => {
  const f = fresh();
  await applyEnv(f.ops, t, {}, 'create');
  await deleteEnv(f.ops, t, await planEnvDelete(f.ops, t, {}), {});
  await applyEnv(f.ops, t, {}, 'create');
  const running = f.templates.get(f.applied.at(-1)!.templateUrl)!;
  const [pushed] = await pushClusterTemplates(f.ops, [t]);
  const body = JSON.parse(f.templates.get(pushed.url)!) as { Resources: Record<string, unknown>; Outputs: Record<string, { Value: unknown }> };
  expect(body.Resources.HostedZone).toBeUndefined();
  expect(body.Outputs.HostedZoneId.Value).toBe(f.zones[0].id);
  expect(f.templates.get(pushed.url)).toBe(running); // byte for byte what the stack was given
});

test('the next update keeps the adopted zone (from the live template), without looking it up again', async () => {
  const f = fresh();
  await applyEnv(f.ops, t, {}, 'create');
  await deleteEnv(f.ops, t, await planEnvDelete(f.ops, t, {}), {});
  await applyEnv(f.ops, t, {}, 'create');
  const zoneId = f.zones[0].id;
  f.calls.length = 0;
  f.events.events.length = 0;
  const upd = await applyEnv(f.ops, t, {}, 'update');
  expect(f.calls).not.toContain('retained.publicZones');
  expect(lastBody(f).Resources.HostedZone).toBeUndefined();
  expect(lastBody(f).Outputs.HostedZoneId.Value).toBe(zoneId);
  expect(upd.result.action).toBe('none'); // the same template: no change at all
  expect(f.applied.at(-1)!.importExisting).toBeUndefined(); // the groups are the stack's own now
  expect(codes(f, 'env.zone.adopting')).toEqual([]);
  expect(f.zones).toHaveLength(1);
});

test('a dry run says what it would adopt and asks the change set to import, changing nothing', async () => {
  const f = fresh();
  f.retained.add(FLOW);
  const r = await applyEnv(f.ops, t, { dryRun: true }, 'create');
  expect(r.result.action).toBe('dry-run');
  expect(f.applied[0]).toMatchObject({ dryRun: true, importExisting: true });
  expect(codes(f, 'stack.adopting')).toEqual([{ stack: 'acme-staging', logicalId: 'FlowLogGroup', resourceType: 'AWS::Logs::LogGroup', name: '/cyclops/acme/staging/_vpc-flow-logs', dryRun: true }]);
  expect(f.retained.has(FLOW)).toBe(true);
  expect(f.stacks.has('acme-staging')).toBe(false);
});

test('zones of that name that are not this environment\'s are left alone: the stack creates its own', async () => {
  const f = fresh();
  f.zones.push({ id: 'ZUSER', name: 'staging.acme.dev', tags: {}, nameServers: ['ns-1'] });
  f.zones.push({ id: 'ZOTHER', name: 'staging.acme.dev', tags: { ...TAGS, 'cyclops:env': 'prod' }, nameServers: ['ns-2'] });
  const r = await applyEnv(f.ops, t, {}, 'create');
  expect(r.adopted.hostedZone).toBeNull();
  expect(lastBody(f).Resources.HostedZone.Type).toBe('AWS::Route53::HostedZone');
  expect(codes(f, 'env.zone.adopting')).toEqual([]);
});

test('two zones tagged as this environment\'s: exit 2 naming both, before anything is written', async () => {
  const f = fresh();
  f.zones.push({ id: 'ZA', name: 'staging.acme.dev', tags: TAGS, nameServers: ['ns-a'] });
  f.zones.push({ id: 'ZB', name: 'staging.acme.dev', tags: TAGS, nameServers: ['ns-b'] });
  const e = await failure(applyEnv(f.ops, t, {}, 'create'));
  expect(e.exitCode).toBe(ExitCode.USAGE);
  expect(e.message).toBe(
    'environment staging: 2 hosted zones named staging.acme.dev are tagged as this environment\'s (ZA, ZB); set environments.staging.dns.hostedZoneId in config.json to the one the parent domain delegates to (its NS records), then run the command again',
  );
  expect(f.calls.filter((c) => /pushTemplate|apply/.test(c))).toEqual([]);
});

test('a config that names its zone never looks for a kept one', async () => {
  const f = fakeOps();
  f.stacks.delete('acme-staging');
  f.zones.push({ id: 'ZKEPT', name: 'staging.acme.dev', tags: TAGS, nameServers: ['ns-a'] });
  await applyEnv(f.ops, t, {}, 'create');
  expect(f.calls).not.toContain('retained.publicZones');
  expect(lastBody(f).Outputs.HostedZoneId.Value).toBe('Z1');
});

test('an app removed from config, bootstrap, then added back: its kept repository is imported', async () => {
  const withWeb = testConfig();
  const f = fakeOps(withWeb);
  await bootstrap(f.ops, {});
  const repo = 'AWS::ECR::Repository acme/web';
  expect(f.applied.at(-1)!.importExisting).toBeUndefined();

  f.ops.config = testConfig({ apps: {} });
  await bootstrap(f.ops, {});
  expect(f.retained.has(repo)).toBe(true); // Retain: removing it from the template keeps it (and its images)

  f.ops.config = withWeb;
  f.events.events.length = 0;
  const back = await bootstrap(f.ops, {});
  expect(back.result.action).toBe('update');
  expect(f.applied.at(-1)!.importExisting).toBe(true);
  expect(back.adopted).toEqual([expect.objectContaining({ resourceType: 'AWS::ECR::Repository', name: 'acme/web' })]);
  expect(codes(f, 'stack.adopting')).toEqual([expect.objectContaining({ stack: 'acme-platform', name: 'acme/web', dryRun: false })]);
  expect(f.retained.size).toBe(0);

  // a repository the stack already has is never imported again
  f.calls.length = 0;
  await bootstrap(f.ops, {});
  expect(f.applied.at(-1)!.importExisting).toBeUndefined();
  expect(f.calls.filter((c) => c.startsWith('retained.exists'))).toEqual([]);
});

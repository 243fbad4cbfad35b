/**
 * env update refuses a config change that would replace live subnets before any change set,
 * naming the config key: rendered templates (the real renderer) against a "live" template.
 */
import { applyEnv } from '../../src/ops/env';
import { networkChange } from '../../src/plan/network';
import { renderCluster, templateBody } from '../../src/plan';
import { failure, fakeOps, testConfig } from './fakes/ops';

const env = (network: Record<string, unknown>) =>
  testConfig({ environments: { staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' }, network } } });
const body = (network: Record<string, unknown>) => templateBody(renderCluster(env(network), 'staging'));
const t = { platform: 'acme', env: 'staging' };

test('the same network passes; adding a zone in the slot layout keeps every live subnet', () => {
  expect(networkChange('staging', body({ azs: 2 }), body({ azs: 2 }))).toBeNull();
  expect(networkChange('staging', body({ azs: 2 }), body({ azs: 3 }))).toBeNull();
});

test('network.cidr changed: the VPC and its subnets would go; the message gives the old value', () => {
  const e = networkChange('staging', body({ cidr: '10.0.0.0/16' }), body({ cidr: '10.1.0.0/16' }))!;
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/network\.cidr changed from 10\.0\.0\.0\/16 to 10\.1\.0\.0\/16.*set network\.cidr back to "10\.0\.0\.0\/16"/);
});

test('network.azs lowered: the dropped zone\'s subnets would be deleted', () => {
  const e = networkChange('staging', body({ azs: 3 }), body({ azs: 2 }))!;
  expect(e.message).toMatch(/network\.azs changed from 3 to 2: subnets PrivateSubnet3, PublicSubnet3 would be deleted.*keep network\.azs at 3/);
});

test('a legacy-split environment rendered with the slot layout: says network.layout "legacy"', () => {
  const e = networkChange('staging', body({ azs: 2, layout: 'legacy' }), body({ azs: 2 }))!;
  expect(e.message).toMatch(/network\.layout: subnets .*PublicSubnet1.* were split the legacy way.*set network\.layout to "legacy"/);
  expect(networkChange('staging', body({ azs: 2, layout: 'legacy' }), body({ azs: 2, layout: 'legacy' }))).toBeNull();
});

test('legacy layout and azs 2 → 3: every subnet would be re-split', () => {
  const e = networkChange('staging', body({ azs: 2, layout: 'legacy' }), body({ azs: 3, layout: 'legacy' }))!;
  expect(e.message).toMatch(/network\.azs changed from 2 to 3: subnets PrivateSubnet1, PrivateSubnet2, PublicSubnet1, PublicSubnet2 would be replaced\); nothing was changed; keep network\.azs at 2 \(with network\.layout "legacy" it re-splits every subnet\)/);
});

test('env update checks before anything is written: no template upload, no change set', async () => {
  const config = env({ azs: 2 });
  const f = fakeOps(config);
  f.templates.set('live:acme-staging', body({ azs: 3 }));
  f.calls.length = 0;
  const e = await failure(applyEnv(f.ops, t, {}, 'update'));
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/network\.azs changed from 3 to 2/);
  expect(f.calls).toEqual(['stacks.describe', 'stacks.template']);
});

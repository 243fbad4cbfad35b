/**
 * `apps list` and `previews list` find an env's apps through cyclops's own registry (the
 * ports file), then describe each stack by name: their cost follows the apps of the env, not
 * the stacks of the region, and a stack that is not cyclops's under that name is left out.
 */
import { TAG_APP, TAG_ENV, TAG_PLATFORM, TAG_PREVIEW_OF } from '../../src/naming';
import { listApps } from '../../src/ops/apps';
import { listPreviews } from '../../src/ops/previews';
import type { StackSummary } from '../../src/stacks';
import { fakeOps } from './fakes/ops';

const t = { platform: 'acme', env: 'staging' };
const stack = (app: string, extra: Record<string, string> = {}, env = 'staging'): StackSummary => ({
  name: `acme-${env}-${app}`,
  id: `id-${app}`,
  status: 'CREATE_COMPLETE',
  outputs: {},
  parameters: { Image: `img/${app}:1` },
  tags: { [TAG_PLATFORM]: 'acme', [TAG_ENV]: env, [TAG_APP]: app, ...extra },
  lastUpdated: new Date('2030-01-01T00:00:00Z'),
});

function world() {
  const f = fakeOps();
  // Three apps with ports in staging (one without a stack yet), one in production.
  f.ports = { version: 1, range: [20000, 20099], environments: { staging: { web: 20000, 'web-pr-7': 20001, pending: 20002 }, production: { web: 20000 } } };
  for (const s of [stack('web'), stack('web-pr-7', { [TAG_PREVIEW_OF]: 'web' }), stack('web', {}, 'production')]) f.stacks.set(s.name, s);
  // A stack under an app's name that someone else made (no cyclops tags): not listed.
  f.ports.environments.staging.impostor = 20003;
  f.stacks.set('acme-staging-impostor', { ...stack('impostor'), tags: {} });
  // Many stacks of the region that are no app of this env.
  for (let i = 0; i < 200; i++) f.stacks.set(`other-${i}`, { ...stack(`other-${i}`), name: `other-${i}`, tags: {} });
  return f;
}

test('apps list: one ports read and one describe per app of the env, whatever else the region holds', async () => {
  const f = world();
  f.calls.length = 0;
  const apps = await listApps(f.ops, t);
  expect(apps.map((a) => [a.app, a.port, a.image])).toEqual([
    ['web', 20000, 'img/web:1'],
    ['web-pr-7', 20001, 'img/web-pr-7:1'],
  ]);
  expect(f.calls.filter((c) => c === 'stacks.describe')).toHaveLength(4);
  expect(f.calls).not.toContain('stacks.listAppStacks');
});

test('previews list: only the stacks tagged as previews, found the same way', async () => {
  const f = world();
  f.calls.length = 0;
  const previews = await listPreviews(f.ops, t);
  expect(previews.map((p) => [p.app, p.previewOf])).toEqual([['web-pr-7', 'web']]);
  expect(f.calls).not.toContain('stacks.listAppStacks');
});

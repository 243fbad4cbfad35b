/** The preview mapping (src/plan/preview.ts): APP's config as APP-NAME, capped and checked. */
import { previewDeployment } from '../../src/plan/preview';
import { appParameters, renderApp } from '../../src/plan';
import { tags } from '../../src/naming';
import { testConfig } from './fakes/ops';

const config = testConfig({
  apps: {
    shop: {
      processes: { web: { port: 3000, count: 4 }, worker: { count: 3 }, cron: { command: ['rake', 'x'], schedule: 'rate(1 day)' } },
      healthCheckPath: '/up',
      env: { RAILS_ENV: 'production' },
      secrets: { KEY: '/acme/shop/key' },
    },
    'shop-pr-9': {},
  },
});

test('APP-NAME with APP\'s processes, env, secrets and health check; counts capped at 1; no cron; database of its own', () => {
  const { config: c, target } = previewDeployment(config, 'shop', 'staging', 'pr-1');
  expect(target).toEqual({ platform: 'acme', env: 'staging', app: 'shop-pr-1', previewOf: 'shop' });
  const a = c.apps['shop-pr-1'];
  expect(a.processes.map((p) => [p.kind, p.count, p.port])).toEqual([['web', 1, 3000], ['worker', 1, undefined]]);
  expect(a).toMatchObject({ name: 'shop-pr-1', healthCheckPath: '/up', env: { RAILS_ENV: 'production' }, secrets: { KEY: '/acme/shop/key' }, database: true });
  expect(c.apps.shop.processes[0].count).toBe(4); // the real app is untouched
  expect(tags(target)).toContainEqual({ Key: 'cyclops:preview-of', Value: 'shop' });
});

test('--with-cron keeps cron; --preview-database none drops the database', () => {
  const a = previewDeployment(config, 'shop', 'staging', 'pr-1', { withCron: true, database: 'none' }).config.apps['shop-pr-1'];
  expect(a.processes.map((p) => p.kind)).toEqual(['web', 'worker', 'cron']);
  expect(a.database).toBe(false);
});

test('names: a DNS label of at most 63, never a configured app', () => {
  expect(() => previewDeployment(config, 'shop', 'staging', 'pr-9')).toThrow(/"shop-pr-9" is an app in config.json; a preview may never take a real app's name/);
  expect(() => previewDeployment(config, 'shop', 'staging', 'x'.repeat(60))).toThrow(/is 65 characters; an app name is a DNS label of at most 63/);
  expect(() => previewDeployment(config, 'shop', 'staging', 'PR_1')).toThrow(/--preview PR_1: not a valid preview name/);
});

test('an autoscaled process runs one task in a preview: no scalable target, no Min/Max parameters, WebCount 1', () => {
  const scaled = testConfig({ apps: { shop: { processes: { web: { port: 3000, count: { min: 2, max: 10, cpu: 60 } }, worker: { count: { min: 0, max: 4, cpu: 70 } } } } } });
  const { config: c, target } = previewDeployment(scaled, 'shop', 'staging', 'pr-7');
  const params = Object.fromEntries(appParameters(c, 'staging', target.app, 'nginx:1').map((p) => [p.ParameterKey, p.ParameterValue]));
  expect(params).toEqual({ Image: 'nginx:1', WebCount: '1', WorkerCount: '1' });
  const resources = Object.values((renderApp(c, 'staging', target.app, { port: 20001 }) as { Resources: Record<string, { Type: string }> }).Resources);
  expect(resources.filter((r) => r.Type.startsWith('AWS::ApplicationAutoScaling::'))).toEqual([]);
  expect(scaled.apps.shop.processes[0].autoscaling).toMatchObject({ min: 2, max: 10 }); // the real app keeps its bounds
});

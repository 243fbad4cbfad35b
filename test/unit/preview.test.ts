/** The preview mapping (src/plan/preview.ts): APP's config as APP-NAME, capped and checked. */
import { previewDeployment, withPreviewedSettings } from '../../src/plan/preview';
import { deploy } from '../../src/ops/deploy';
import { planPrune, prunePreviews, withAppSettings } from '../../src/ops/previews';
import { setSecret } from '../../src/ops/secrets';
import { setVars } from '../../src/ops/vars';
import { parseImage } from '../../src/plan/inputs';
import { appParameters, renderApp } from '../../src/plan';
import { tags } from '../../src/naming';
import { fakeOps, testConfig } from './fakes/ops';

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

describe("a preview carries the app's CLI-set variables and secret references", () => {
  test('the fold: stored variables over config env, stored secrets by ARN over both', () => {
    const base = previewDeployment(config, 'shop', 'staging', 'pr-1').config.apps['shop-pr-1'];
    const a = withPreviewedSettings(base, { vars: { RAILS_ENV: 'staging', FEATURE: 'on', TOKEN: 'plain' }, secrets: { TOKEN: { arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cyclops/acme/staging/shop/TOKEN-AbCdEf' } } });
    expect(a.env).toEqual({ RAILS_ENV: 'staging', FEATURE: 'on' });
    expect(a.secrets).toEqual({ KEY: '/acme/shop/key', TOKEN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cyclops/acme/staging/shop/TOKEN-AbCdEf' });
    expect(base.env).toEqual({ RAILS_ENV: 'production' }); // the input is untouched
  });

  test('deploy --preview renders them into the preview stack (ops over the fakes)', async () => {
    const f = fakeOps();
    const web = { platform: 'acme', env: 'staging', app: 'web' };
    await deploy(f.ops, { target: web, image: 'nginx:1', ref: parseImage('nginx:1') });
    await setVars(f.ops, web, { FEATURE_X: 'on' });
    await setSecret(f.ops, web, 'API_TOKEN', 'value-1234');
    const arn = f.settings.get('staging/web')!.secrets.API_TOKEN.arn;
    const { config: c, target } = previewDeployment(f.ops.config, 'web', 'staging', 'pr-1');
    const ops = await withAppSettings({ ...f.ops, config: c }, target);
    await deploy(ops, { target, image: 'nginx:2', ref: parseImage('nginx:2') });
    const body = f.templates.get('live:acme-staging-web-pr-1')!;
    expect(body).toMatch(/"Name":\s*"FEATURE_X",\s*"Value":\s*"on"/);
    expect(JSON.stringify(JSON.parse(body))).toContain(JSON.stringify({ Name: 'API_TOKEN', ValueFrom: arn }).slice(1, -1));
    // the execution role may read exactly that secret
    expect(body).toContain(JSON.stringify(arn));
    expect(body).not.toContain('value-1234');
  });
});

test("previews prune deletes a preview's volumes too (its data is disposable), and never the app's", async () => {
  const f = fakeOps();
  const { config: c, target } = previewDeployment(f.ops.config, 'web', 'staging', 'pr-1');
  const ops = { ...f.ops, config: c };
  await deploy(ops, { target, image: 'nginx:2', ref: parseImage('nginx:2') });
  f.volumes.set('staging/web-pr-1', [{ id: 'fs-preview', sizeBytes: 10 }]);
  f.volumes.set('staging/web', [{ id: 'fs-app', sizeBytes: 10 }]);
  const plan = await planPrune(ops, target, 0);
  expect(plan.prune.map((p) => p.app)).toEqual(['web-pr-1']);
  const [r] = await prunePreviews(ops, target, plan);
  expect(r).toMatchObject({ app: 'web-pr-1', deleted: true, volumes: { kept: [], deleted: ['fs-preview'] } });
  expect(f.volumes.get('staging/web-pr-1')).toEqual([]);
  expect(f.volumes.get('staging/web')).toEqual([{ id: 'fs-app', sizeBytes: 10 }]);
  expect(f.calls).toContain('volumes.delete fs-preview');
});

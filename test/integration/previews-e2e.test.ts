/**
 * Preview apps end to end against moto and the test PostgreSQL: deploy a real app and a
 * preview of it; the preview's stack (tagged as a preview), its host rule and its own fresh
 * database exist; `previews list` shows it; `previews prune --older-than 0s --yes` removes it
 * with its database and leaves the real app alone. No elbv2 client is installed, so the host
 * rule is checked on the stack's resources and its template (GetTemplate).
 */
import { Client } from 'pg';
import { motoPlatform, outcome, OK, setUp, type MotoPlatform } from '../support/moto-platform';

let p: MotoPlatform;
beforeAll(async () => {
  p = await motoPlatform({
    platform: 'prev',
    database: 'external',
    apps: { shop: { processes: { web: { port: 3000, count: 2 } }, healthCheckPath: '/up', env: { MODE: 'x' } }, 'shop-live': { database: false } },
  });
  await setUp(p);
  // moto reports a finished rollout only for services of one task (MOTO_ECS_SERVICE_RUNNING=1): the real app runs two
  expect(outcome(await p.run('deploy', 'registry.example.com/shop:1.0', 'shop', 'staging', '--no-wait', '--json'))).toEqual(OK);
}, 120000);
afterAll(() => p.close());

async function databases(): Promise<string[]> {
  const c = new Client({ connectionString: process.env.PG_ADMIN_URL });
  await c.connect();
  try {
    return (await c.query('SELECT datname FROM pg_database')).rows.map((r) => r.datname);
  } finally {
    await c.end();
  }
}

const PREVIEW_STACK = 'prev-staging-shop-pr-7';

describe('preview apps', () => {
  test('deploy --preview makes APP-NAME: its stack (tagged), host rule and fresh database', async () => {
    const r = await p.run('deploy', 'registry.example.com/shop:pr-7', 'shop', 'staging', '--preview', 'pr-7', '--timeout', '60', '--json');
    expect(outcome(r)).toEqual(OK);
    expect(r.json()).toMatchObject({ app: 'shop-pr-7', stack: PREVIEW_STACK, url: `http://shop-pr-7.${p.domain}`, database: { dbname: 'app_shop_pr_7' } });
    const stack = await p.stack(PREVIEW_STACK);
    expect(stack?.Tags).toEqual(expect.arrayContaining([{ Key: 'cyclops:preview-of', Value: 'shop' }, { Key: 'cyclops:app', Value: 'shop-pr-7' }]));
    const res = await p.aws.cfn.send(new p.aws.sdk.cfn.ListStackResourcesCommand({ StackName: PREVIEW_STACK }));
    expect(res.StackResourceSummaries?.map((x) => x.ResourceType)).toContain('AWS::ElasticLoadBalancingV2::ListenerRule');
    const body = (await p.aws.cfn.send(new p.aws.sdk.cfn.GetTemplateCommand({ StackName: PREVIEW_STACK }))).TemplateBody!;
    expect(body).toContain(`shop-pr-7.${p.domain}`);
    expect(await databases()).toContain('app_shop_pr_7');
    // counts capped at 1: the web count parameter the stack runs with
    expect(stack && (await p.aws.cfn.send(new p.aws.sdk.cfn.DescribeStacksCommand({ StackName: PREVIEW_STACK }))).Stacks![0].Parameters?.find((x) => /Count$/.test(x.ParameterKey!))?.ParameterValue).toBe('1');
  });

  test('a preview name that is a configured app is refused, nothing touched', async () => {
    const r = await p.run('deploy', 'registry.example.com/shop:1.0', 'shop', 'staging', '--preview', 'live', '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"shop-live" is an app in .*config.json; a preview may never take a real app's name/);
    expect(await p.stack('prev-staging-shop-live')).toBeNull();
  });

  test('previews list shows it with its image and age; the real app is not a preview', async () => {
    const r = await p.run('previews', 'list', 'staging', '--json');
    expect(outcome(r)).toEqual(OK);
    const rows = r.json().previews;
    expect(rows).toEqual([expect.objectContaining({ app: 'shop-pr-7', previewOf: 'shop', image: 'registry.example.com/shop:pr-7' })]);
    expect(rows[0].ageSeconds).toBeGreaterThanOrEqual(0);
  });

  test('prune --older-than 0s --yes destroys the preview and its database, and leaves the real app alone', async () => {
    const dry = await p.run('previews', 'prune', 'staging', '--older-than', '0s', '--dry-run', '--json');
    expect(dry.json()).toMatchObject({ dryRun: true, wouldPrune: ['shop-pr-7'] });
    expect(await p.stack(PREVIEW_STACK)).not.toBeNull();
    const r = await p.run('previews', 'prune', 'staging', '--older-than', '0s', '--yes', '--json');
    expect(outcome(r)).toEqual(OK);
    expect(r.json().pruned).toEqual([expect.objectContaining({ app: 'shop-pr-7', deleted: true, database: 'dropped' })]);
    expect(await p.stack(PREVIEW_STACK)).toBeNull();
    expect(await databases()).not.toContain('app_shop_pr_7');
    expect((await p.stack('prev-staging-shop'))?.StackStatus).toMatch(/COMPLETE$/);
    expect(await databases()).toContain('app_shop');
    expect((await p.run('previews', 'list', 'staging', '--json')).json().previews).toEqual([]);
  });
});

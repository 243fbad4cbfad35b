/**
 * Two platforms in one account (one moto), with the same environment and app names, keep
 * separate secrets through set, unset and restore: each platform's secrets live under
 * cyclops/<platform>/..., each app stack references its own, and one platform's unset and
 * restore never touch the other's value. Checked on Secrets Manager and the stacks' templates.
 */
import { motoPlatform, outcome, OK, type MotoPlatform } from '../support/moto-platform';

const apps = { shop: { processes: { web: { port: 8080 } } } };
let a: MotoPlatform;
let b: MotoPlatform;
beforeAll(async () => {
  a = await motoPlatform({ platform: 'seca', database: 'none', apps });
  b = await motoPlatform({ platform: 'secb', database: 'none', apps });
  for (const p of [a, b]) {
    expect(outcome(await p.run('bootstrap', '--json'))).toEqual(OK);
    expect(outcome(await p.run('env', 'create', 'staging', '--json'))).toEqual(OK);
    expect(outcome(await p.run('deploy', 'nginx:1.27', 'shop', 'staging', '--json'))).toEqual(OK);
  }
}, 240_000);
afterAll(() => {
  a.close();
  b.close();
});

const value = async (p: MotoPlatform, id: string) => (await p.aws.secrets.send(new p.aws.sdk.secrets.GetSecretValueCommand({ SecretId: id }))).SecretString;
const describe_ = async (p: MotoPlatform, id: string) => p.aws.secrets.send(new p.aws.sdk.secrets.DescribeSecretCommand({ SecretId: id }));
const template = async (p: MotoPlatform) => (await p.aws.cfn.send(new p.aws.sdk.cfn.GetTemplateCommand({ StackName: `${p.platform}-staging-shop` }))).TemplateBody ?? '';
const runWith = (p: MotoPlatform, v: string) => p.runInput(v, 'secrets', 'set', 'shop', 'staging', 'STRIPE_KEY', '--json');

describe('two platforms, one account, same env and app names', () => {
  test('set: each platform stores its own value under its own namespace, and its stack references only that', async () => {
    const ra = await runWith(a, 'sk_a_value');
    const rb = await runWith(b, 'sk_b_value');
    expect([outcome(ra), outcome(rb)]).toEqual([OK, OK]);
    expect(ra.json()).toMatchObject({ action: 'created', deployed: true });
    expect(await value(a, 'cyclops/seca/staging/shop/STRIPE_KEY')).toBe('sk_a_value');
    expect(await value(b, 'cyclops/secb/staging/shop/STRIPE_KEY')).toBe('sk_b_value');
    expect(ra.json().arn).toContain(':secret:cyclops/seca/staging/shop/STRIPE_KEY');
    expect(await template(a)).toContain(ra.json().arn);
    expect(await template(a)).not.toContain('cyclops/secb/');
    expect(await template(b)).toContain(rb.json().arn);
    // the values are in no output
    expect(ra.stdout + ra.stderr + rb.stdout + rb.stderr).not.toMatch(/sk_[ab]_value/);
  });

  test('unset on one platform schedules only its own secret for deletion (recoverable); the other keeps its value', async () => {
    const r = await b.run('secrets', 'unset', 'shop', 'staging', 'STRIPE_KEY', '--recovery-days', '10', '--json');
    expect(outcome(r)).toEqual(OK);
    expect(r.json()).toMatchObject({ action: 'removed', deployed: true });
    expect((await describe_(b, 'cyclops/secb/staging/shop/STRIPE_KEY')).DeletedDate).toBeInstanceOf(Date);
    expect((await describe_(a, 'cyclops/seca/staging/shop/STRIPE_KEY')).DeletedDate).toBeUndefined();
    expect(await value(a, 'cyclops/seca/staging/shop/STRIPE_KEY')).toBe('sk_a_value');
    expect(await template(b)).not.toContain('STRIPE_KEY');
    expect(await template(a)).toContain('STRIPE_KEY');
  });

  test('restore brings back that platform\'s value and injects it again; the other platform is untouched', async () => {
    const r = await b.run('secrets', 'restore', 'shop', 'staging', 'STRIPE_KEY', '--json');
    expect(outcome(r)).toEqual(OK);
    expect(r.json()).toMatchObject({ action: 'restored', deployed: true });
    expect((await describe_(b, 'cyclops/secb/staging/shop/STRIPE_KEY')).DeletedDate).toBeUndefined();
    expect(await value(b, 'cyclops/secb/staging/shop/STRIPE_KEY')).toBe('sk_b_value');
    expect(await template(b)).toContain(r.json().arn);
    expect(await value(a, 'cyclops/seca/staging/shop/STRIPE_KEY')).toBe('sk_a_value');
    // a second restore has nothing to do
    expect((await b.run('secrets', 'restore', 'shop', 'staging', 'STRIPE_KEY', '--json')).json()).toMatchObject({ action: 'none' });
  });
});

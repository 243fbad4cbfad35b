import { appStack, changeSetName, dbIdentifier, envStack, platformStack, tags, templateUrl } from '../../src/naming';

test('stack names follow <platform>-platform, <platform>-<env>, <platform>-<env>-<app>', () => {
  expect([platformStack('acme'), envStack('acme', 'staging'), appStack('acme', 'staging', 'web')]).toEqual(['acme-platform', 'acme-staging', 'acme-staging-web']);
});

test('every tag level is present; "-" marks a level that does not apply', () => {
  expect(tags({ platform: 'acme', env: 'staging' })).toEqual([
    { Key: 'cyclops:platform', Value: 'acme' },
    { Key: 'cyclops:env', Value: 'staging' },
    { Key: 'cyclops:app', Value: '-' },
  ]);
});

test('template URLs use the virtual-hosted form CloudFormation accepts', () => {
  expect(templateUrl('acme-config', 'eu-west-1', 'templates/app/staging/web/ab.json')).toBe('https://acme-config.s3.eu-west-1.amazonaws.com/templates/app/staging/web/ab.json');
});

test('change set names are unique and within 128 characters', () => {
  const long = 'x'.repeat(200);
  const a = changeSetName(long, 1000, 0.1);
  const b = changeSetName(long, 1000, 0.2);
  expect(a).not.toBe(b);
  expect(a.length).toBeLessThanOrEqual(128);
  expect(a).toMatch(/^[a-zA-Z][-a-zA-Z0-9]*$/);
});

describe('database identifiers', () => {
  test('are app_<name> with dashes as underscores', () => {
    expect(dbIdentifier('my-shop')).toBe('app_my_shop');
  });

  test('stay within 63 bytes and tell long names apart', () => {
    const a = 'a'.repeat(58) + '-one';
    const b = 'a'.repeat(58) + '-two';
    expect(dbIdentifier(a).length).toBeLessThanOrEqual(63);
    expect(dbIdentifier(a)).not.toBe(dbIdentifier(b));
    expect(dbIdentifier(a)).toMatch(/^app_a+_[0-9a-f]{8}$/);
  });

  test('never carry characters outside [a-z0-9_], whatever the input', () => {
    expect(dbIdentifier('x"; DROP DATABASE postgres; --')).toMatch(/^[a-z0-9_]+$/);
  });
});

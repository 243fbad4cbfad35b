import { parseConfig } from '../../src/config/load';
import { appStack, changeSetName, dbIdentifier, envStack, isImageReference, isName, NAME_MAX, platformStack, tags, templateUrl } from '../../src/naming';
import { parseImage } from '../../src/plan/inputs';
import { previewDeployment } from '../../src/plan/preview';

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

describe('one name rule and one image grammar', () => {
  const raw = (sidecarImage: string) => ({
    platform: { name: 'acme', region: 'eu-west-1', bucket: 'acme-config' },
    environments: { staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' } } },
    apps: { web: { processes: { web: { port: 8080, sidecars: [{ name: 'proxy', image: sidecarImage }] } }, database: false } },
  });

  test.each([
    ['web', true],
    ['a', true],
    ['web-2', true],
    ['2web', false],
    ['web-', false],
    ['Web', false],
    ['w'.repeat(63), true],
    ['w'.repeat(64), false],
  ])('app name %s: %s', (name, ok) => expect(isName(name, NAME_MAX.app)).toBe(ok));

  test('a sidecar image and a deployed image follow the same grammar (a registry host may have capitals)', () => {
    const image = 'Registry.Example.com/shop:1';
    expect(isImageReference(image)).toBe(true);
    expect(parseImage(image)).toEqual({ repository: 'Registry.Example.com/shop', tag: '1', digest: undefined });
    expect(parseConfig(raw(image), 'config.json').apps.web.processes[0].sidecars?.[0].image).toBe(image);
    expect(() => parseConfig(raw('Nginx Latest'), 'config.json')).toThrow(/not an image reference/);
  });

  test('a preview NAME may start with a digit; the preview app name follows the name rule', () => {
    const config = parseConfig(raw('redis:7'), 'config.json');
    expect(previewDeployment(config, 'web', 'staging', '123').target.app).toBe('web-123');
    for (const bad of ['-x', 'x-', 'PR', '']) expect(() => previewDeployment(config, 'web', 'staging', bad)).toThrow(/not a valid preview name/);
    expect(() => previewDeployment(config, 'web', 'staging', 'x'.repeat(60))).toThrow(/at most 63/);
  });
});

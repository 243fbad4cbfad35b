/**
 * apps.<app>.deployment: the strategies and their limits (AWS's CanaryConfiguration and
 * LinearConfiguration references, cited in src/config/deployment.ts). Each bad value is one
 * line naming the key, the problem and the fix, exit 2.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/config/load';
import { appConfig } from '../../src/config/model';
import { CyclopsError } from '../../src/errors';

const example = JSON.parse(readFileSync(path.join(__dirname, '../../config.example.json'), 'utf8'));
const withDeployment = (d: unknown, mutate: (c: any) => void = () => {}) => {
  const c = JSON.parse(JSON.stringify(example));
  c.apps.api.deployment = d;
  mutate(c);
  return c;
};

function problems(d: unknown, mutate?: (c: any) => void): string[] {
  try {
    parseConfig(withDeployment(d, mutate), 'config.json');
  } catch (e) {
    expect(e).toBeInstanceOf(CyclopsError);
    expect((e as CyclopsError).exitCode).toBe(2);
    return (e as CyclopsError).details.length ? (e as CyclopsError).details : [(e as CyclopsError).message];
  }
  throw new Error('expected the config to be rejected');
}

test('absent: rolling with the defaults; every app gets them', () => {
  const config = parseConfig(JSON.parse(JSON.stringify(example)), 'config.json');
  expect(appConfig(config, 'api', 'production').deployment).toEqual({ strategy: 'rolling', bakeMinutes: 10, canaryPercent: 5, canaryBakeMinutes: 10, stepPercent: 10, stepBakeMinutes: 6, testTraffic: false });
  expect(appConfig(config, 'unlisted', 'production').deployment.strategy).toBe('rolling');
});

test('a canary with its own percent and bake keeps the other defaults', () => {
  const config = parseConfig(withDeployment({ strategy: 'canary', canaryPercent: 12.5, canaryBakeMinutes: 20, testTraffic: true }), 'config.json');
  expect(appConfig(config, 'api', 'production').deployment).toMatchObject({ strategy: 'canary', canaryPercent: 12.5, canaryBakeMinutes: 20, bakeMinutes: 10, testTraffic: true });
});

test.each([
  ['an unknown strategy', { strategy: 'red-black' }, /apps\.api\.deployment\.strategy.*must be one of "rolling", "blue-green", "canary", "linear"/],
  ['a canary percent below 0.1', { strategy: 'canary', canaryPercent: 0.05 }, /canaryPercent.*at least 0\.1/],
  ['a canary percent not a multiple of 0.1', { strategy: 'canary', canaryPercent: 5.55 }, /canaryPercent.*multiple of 0\.1/],
  ['a linear step below 3 percent', { strategy: 'linear', stepPercent: 2 }, /stepPercent.*at least 3/],
  ['a bake over 24 hours', { strategy: 'blue-green', bakeMinutes: 1441 }, /bakeMinutes.*at most 1440/],
  ['a fractional bake', { strategy: 'blue-green', bakeMinutes: 1.5 }, /bakeMinutes.*whole number/],
  ['canary keys on a linear app', { strategy: 'linear', canaryPercent: 5 }, /canaryPercent.*applies only to strategy "canary"/],
  ['linear keys on a canary app', { strategy: 'canary', stepPercent: 5 }, /stepPercent.*applies only to strategy "linear"/],
  ['strategy keys on a rolling app', { bakeMinutes: 5 }, /bakeMinutes.*no effect with strategy "rolling"/],
  ['a canary over CloudFormation\'s 33 hours', { strategy: 'canary', bakeMinutes: 1440, canaryBakeMinutes: 600 }, /2040 minutes, more than the 1980/],
  ['a misspelt key', { strategy: 'canary', canaryPercentage: 5 }, /canaryPercentage/],
])('%s is refused', (_what, d, message) => {
  expect(problems(d).join('\n')).toMatch(message);
});

test('blue/green on a web process with a writable volume is refused (two copies would write it)', () => {
  const lines = problems({ strategy: 'blue-green' }, (c) => (c.apps.api.processes.web.volumes = { data: { path: '/data' } }));
  expect(lines.join('\n')).toMatch(/apps\.api\.deployment\.strategy.*writable volume.*use "rolling"/);
});

test('canary on an app without a web process is refused', () => {
  const lines = problems({ strategy: 'canary' }, (c) => (c.apps.api.processes = { worker: { command: ['run'] } }));
  expect(lines.join('\n')).toMatch(/applies only to an app with a "web" process/);
});

test('test traffic needs room for its rule priority below the ports range', () => {
  const lines = problems({ strategy: 'blue-green', testTraffic: true }, (c) => (c.ports.range = [100, 30000]));
  expect(lines.join('\n')).toMatch(/testTraffic.*ports\.range/);
});

test('a progressive strategy with custom domains that fit its one production rule renders them all in it', () => {
  const config = parseConfig(withDeployment({ strategy: 'blue-green' }, (c) => (c.apps.api.domains = ['api.acme.com', 'www.acme.com'])), 'config.json');
  expect(appConfig(config, 'api', 'production').deployment.strategy).toBe('blue-green');
});

test('a progressive strategy whose host names need more than one listener rule is refused (ECS shifts only one)', () => {
  const domains = ['a.acme.com', 'b.acme.com', 'c.acme.com', 'd.acme.com', 'e.acme.com'];
  const lines = problems({ strategy: 'blue-green' }, (c) => (c.apps.api.domains = domains));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/apps\.api\.deployment\.strategy.*single listener rule.*6 condition values.*use "rolling", or fewer custom domains/);
  // The test header takes a value too: four host names fit alone, not with test traffic.
  expect(() => parseConfig(withDeployment({ strategy: 'canary' }, (c) => (c.apps.api.domains = domains.slice(0, 4))), 'config.json')).not.toThrow();
  expect(problems({ strategy: 'canary', testTraffic: true }, (c) => (c.apps.api.domains = domains.slice(0, 4))).join('\n')).toMatch(/and the test header need 6 condition values/);
});

test('deployment is set per environment: production canary, staging rolling', () => {
  const config = parseConfig(withDeployment(undefined, (c) => (c.apps.api.environments = { production: { deployment: { strategy: 'canary', canaryPercent: 20 } } })), 'config.json');
  expect(appConfig(config, 'api', 'production').deployment).toMatchObject({ strategy: 'canary', canaryPercent: 20 });
  expect(appConfig(config, 'api', 'staging').deployment.strategy).toBe('rolling');
});

test('a refusal only one environment has is reported under that environment', () => {
  const lines = problems(undefined, (c) => (c.apps.api.environments = { production: { deployment: { strategy: 'blue-green' }, domains: ['a.acme.com', 'b.acme.com', 'c.acme.com', 'd.acme.com', 'e.acme.com'] } }));
  expect(lines.join('\n')).toMatch(/apps\.api\.environments\.production\.deployment\.strategy.*single listener rule/);
});

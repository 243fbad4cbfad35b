/** Deploy applies the patched template (the change-safety guard judges the change set of exactly that). */
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { fakeOps, testConfig } from './fakes/ops';

const target = { platform: 'acme', env: 'staging', app: 'web' };
const run = (f: ReturnType<typeof fakeOps>) => deploy(f.ops, { target, image: 'nginx:1.27', ref: parseImage('nginx:1.27') });

test('the template deploy hands the stack engine carries the overrides', async () => {
  const f = fakeOps(testConfig({ apps: { web: { processes: { web: { port: 8080 } }, database: false, overrides: [{ op: 'add', path: '/Resources/WebService/Properties/PlatformVersion', value: '1.4.0' }] } } }));
  await run(f);
  const body = JSON.parse(f.applied.at(-1)!.templateBody!);
  expect(body.Resources.WebService.Properties.PlatformVersion).toBe('1.4.0');
});

test('a failing operation is refused with the config, before deploy could write anything', () => {
  const e = (() => {
    try {
      testConfig({ apps: { web: { processes: { web: { port: 8080 } }, database: false, overrides: [{ op: 'remove', path: '/Resources/Missing' }] } } });
    } catch (err) {
      return err as import('../../src/errors').CyclopsError;
    }
    throw new Error('expected a refusal');
  })();
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/^config\.json: apps\.web\.overrides\[0\]: operation "remove \/Resources\/Missing": its path does not exist/);
});

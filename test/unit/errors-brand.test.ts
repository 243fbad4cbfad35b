/**
 * The start-up bundle (dist/cli.cjs) and the action chunks each hold their own copy of
 * src/errors.ts (scripts/build.mjs). Two copies of the module stand in for the two bundles:
 * an error made by one must be recognised by the other, which `instanceof` cannot do.
 */
import * as here from '../../src/errors';

function otherCopy(): typeof here {
  let mod!: typeof here;
  jest.isolateModules(() => {
    mod = require('../../src/errors');
  });
  return mod;
}

test('an error from the other copy of src/errors is a cyclops error, with its code and exit code', () => {
  const other = otherCopy();
  expect(other.CyclopsError).not.toBe(here.CyclopsError);
  const e = other.usageError('deploy: missing <env>');
  expect(e instanceof here.CyclopsError).toBe(false); // why the brand exists
  expect(here.isCyclopsError(e)).toBe(true);
  expect(here.isCyclopsError(e, 'usage')).toBe(true);
  expect(here.isCyclopsError(e, 'conflict')).toBe(false);
  expect(other.isCyclopsError(here.conflictError('lock held'), 'conflict')).toBe(true);
});

test('plain errors and look-alikes are not cyclops errors', () => {
  expect(here.isCyclopsError(new Error('x'))).toBe(false);
  expect(here.isCyclopsError({ message: 'x', code: 'usage', exitCode: 2 })).toBe(false);
  expect(here.isCyclopsError(null)).toBe(false);
  expect(here.isCyclopsError('usage')).toBe(false);
});

test('the brand stays out of JSON and of the own keys', () => {
  const e = here.failure('stack failed');
  expect(Object.getOwnPropertySymbols(e)).toEqual([]);
  expect(JSON.stringify({ ...e })).not.toMatch(/cyclops\.error/);
});

/**
 * The JSON Schema of config.json (src/config/json-schema.ts, generated from the zod schema):
 * every config the tests render validates against it with ajv, and configs zod's shapes refuse
 * it refuses too. Also the built schema.json the package ships and `cyclops init`'s "$schema".
 */
import Ajv from 'ajv';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configJsonSchema, SCHEMA_REF } from '../../src/config/json-schema';
import { configSchema } from '../../src/config/schema';
import { starterConfig } from '../../src/config/starter';
import { rawExample, rawStateful, rawVariants } from './fixtures';
import { rawScenario } from './scenario-fixture';
import { runCli } from '../support/run-cli';

// formats (uri) are not checked: ajv-formats is not a dependency, and zod checks the URL
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validate = ajv.compile(configJsonSchema());
const ok = (raw: unknown) => {
  const valid = validate(raw);
  return valid ? 'valid' : ajv.errorsText(validate.errors);
};

describe('the JSON Schema of config.json', () => {
  const fixtures: [string, () => unknown][] = [
    ['config.example.json', rawExample],
    ['the template variants', rawVariants],
    ['the stateful options', rawStateful],
    ['production differs from staging', rawScenario],
    ['the starter config of cyclops init', () => starterConfig({ name: 'acme', region: 'eu-west-1', domain: 'acme.dev' })],
  ];
  test.each(fixtures)('%s validates', (_name, raw) => {
    expect(ok(raw())).toBe('valid');
  });

  const bad: [string, (c: Record<string, any>) => void][] = [
    ['an unknown top-level key', (c) => (c.extra = 1)],
    ['a misspelt app key', (c) => (c.apps.api.healthcheckPath = '/x')],
    ['a misspelt key in an environment of an app', (c) => (c.apps.api.environments = { production: { procesess: {} } })],
    ['an unknown architecture', (c) => (c.apps.api.arch = 'aarch64')],
    ['a CPU size Fargate has not', (c) => (c.apps.api.processes.web.cpu = 300)],
    ['a count above 100', (c) => (c.apps.api.processes.web.count = 101)],
    ['a fractional count', (c) => (c.apps.api.processes.web.count = 1.5)],
    ['an upper-case platform name', (c) => (c.platform.name = 'Acme')],
    ['a region that is not one', (c) => (c.platform.region = 'europe')],
    ['a database type cyclops has not', (c) => (c.environments.staging.database.type = 'mysql')],
    ['a domain with a trailing dot', (c) => (c.environments.staging.dns.domain = 'staging.acme.dev.')],
    ['a command that is a string', (c) => (c.apps.shop.processes.web.command = 'npm start')],
    ['a number as an environment variable', (c) => (c.apps.api.env.LOG_LEVEL = 3)],
    ['a schedule that is not one', (c) => (c.apps.shop.processes.cron.schedule = 'every day')],
    ['a missing platform', (c) => delete c.platform],
    ['a port range with one port', (c) => (c.ports.range = [20000])],
  ];
  test.each(bad)('%s: refused by zod and by the schema', (_name, spoil) => {
    const raw = rawExample();
    spoil(raw);
    expect(configSchema.safeParse(raw).success).toBe(false);
    expect(ok(raw)).not.toBe('valid');
  });

  test('cyclops schema prints it; the build ships it as schema.json; init points "$schema" at it', async () => {
    const printed = await runCli(['schema']);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(configJsonSchema());
    const shipped = path.resolve(__dirname, '../../schema.json');
    expect(existsSync(shipped)).toBe(true);
    expect(JSON.parse(readFileSync(shipped, 'utf8'))).toEqual(configJsonSchema());
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    expect(pkg.files).toContain('schema.json');
    expect(SCHEMA_REF).toBe(`./node_modules/${pkg.name}/schema.json`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-init-'));
    expect((await runCli(['init', '--name', 'acme', '--domain', 'acme.dev'], { cwd: dir })).code).toBe(0);
    const written = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(written.$schema).toBe(SCHEMA_REF);
    expect(ok(written)).toBe('valid');
    expect((await runCli(['validate'], { cwd: dir })).code).toBe(0);
  });
});

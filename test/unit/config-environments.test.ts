/**
 * apps.<app>.environments.<env>: settings deep-merged over the app's own for that environment,
 * checked there, rendered there, and layered under `scale` and `vars` as before.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load';
import { appConfig } from '../../src/config/model';
import { deepMerge } from '../../src/config/merge';
import { appParameters, renderApp, templateBody } from '../../src/plan';
import { CyclopsError } from '../../src/errors';
import { runCli as cyclops } from '../support/run-cli';

const example = () => JSON.parse(readFileSync(path.resolve(__dirname, '../../config.example.json'), 'utf8'));

/** The example with api sized per environment. */
function perEnv() {
  const raw = example();
  raw.apps.api = {
    ...raw.apps.api,
    processes: { web: { count: { min: 1, max: 4, cpu: 60 }, port: 8080, cpu: 256, memory: 512 }, worker: { count: 1 } },
    env: { LOG_LEVEL: 'info', FEATURE: 'on' },
    allow: ['10.0.0.0/8'],
    environments: {
      production: {
        processes: { web: { count: { min: 4, max: 10 }, cpu: 1024, memory: 2048 } },
        env: { LOG_LEVEL: 'warn' },
        secrets: { API_KEY: '/acme/api/key' },
        allow: ['203.0.113.0/24', '198.51.100.0/24'],
        healthCheckPath: '/ready',
        alarms: { http5xxPercent: 2 },
      },
    },
  };
  return raw;
}

const problems = (raw: unknown): string[] => {
  try {
    parseConfig(raw, 'config.json');
  } catch (e) {
    const err = e as CyclopsError;
    return err.details?.length ? (err.details as string[]) : [err.message];
  }
  throw new Error('expected the config to be refused');
};

describe('deepMerge', () => {
  test('objects merge at every depth; lists and scalars are replaced whole', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3] }, e: true })).toEqual({ a: { b: 1, c: [3] }, d: 'x', e: true });
    expect(deepMerge({ count: 2 }, { count: { min: 1, max: 3 } })).toEqual({ count: { min: 1, max: 3 } });
  });
});

describe('apps.<app>.environments.<env>', () => {
  const config = parseConfig(perEnv(), 'config.json');
  const prod = appConfig(config, 'api', 'production');
  const staging = appConfig(config, 'api', 'staging');

  test('production gets its own sizes, autoscaling bounds (keeping the app-level target), variables, secrets, allow list, health check and alarms', () => {
    const web = prod.processes.find((p) => p.name === 'web')!;
    expect(web).toMatchObject({ cpu: 1024, memory: 2048, count: 4, autoscaling: { min: 4, max: 10, cpu: 60 } });
    expect(prod.env).toEqual({ LOG_LEVEL: 'warn', FEATURE: 'on' });
    expect(prod.secrets).toEqual({ API_KEY: '/acme/api/key' });
    expect(prod.allow).toEqual(['203.0.113.0/24', '198.51.100.0/24']);
    expect(prod.healthCheckPath).toBe('/ready');
    expect(prod.alarms).toMatchObject({ http5xxPercent: 2, unhealthyHosts: 1 });
    // processes the environment does not mention are the app's
    expect(prod.processes.find((p) => p.name === 'worker')).toMatchObject({ count: 1, cpu: 256 });
  });

  test('an environment without settings of its own gets the app settings unchanged', () => {
    expect(staging.processes.find((p) => p.name === 'web')).toMatchObject({ cpu: 256, memory: 512, autoscaling: { min: 1, max: 4, cpu: 60 } });
    expect(staging.env).toEqual({ LOG_LEVEL: 'info', FEATURE: 'on' });
    expect(staging.healthCheckPath).toBe('/healthz');
  });

  test('the templates differ per environment; the environment without settings renders as if the key were absent', () => {
    const prodTpl = renderApp(config, 'production', 'api', { port: 20001 }) as any;
    expect(prodTpl.Resources.WebTaskDefinition.Properties).toMatchObject({ Cpu: '1024', Memory: '2048' });
    expect(prodTpl.Resources.WebTargetGroup.Properties.HealthCheckPath).toBe('/ready');
    expect(prodTpl.Parameters.WebMin.Default).toBe(4);
    const without = perEnv();
    delete without.apps.api.environments;
    const plain = parseConfig(without, 'config.json');
    expect(templateBody(renderApp(config, 'staging', 'api', { port: 20001 }))).toBe(templateBody(renderApp(plain, 'staging', 'api', { port: 20001 })));
  });

  test('stack parameters follow the environment; scale counts and ranges still layer over them', () => {
    const params = (env: string, counts = {}, ranges = {}) =>
      Object.fromEntries(appParameters(config, env, 'api', 'img', counts, ranges).map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(params('production')).toMatchObject({ WebMin: '4', WebMax: '10', WorkerCount: '1' });
    expect(params('staging')).toMatchObject({ WebMin: '1', WebMax: '4' });
    expect(params('production', { worker: 3 }, { web: { min: 6, max: 12 } })).toMatchObject({ WebMin: '6', WebMax: '12', WorkerCount: '3' });
  });

  test('a key naming an unknown environment is an error with the closest name', () => {
    const raw = perEnv();
    raw.apps.api.environments = { prodution: { processes: { web: { count: { min: 2, max: 3 } } } } };
    expect(problems(raw)).toEqual([
      'config.json: apps.api.environments.prodution: is not an environment of this config; did you mean production?; use one of: staging, production',
    ]);
  });

  test('a problem only the merged settings have is reported under the environment, once', () => {
    const raw = perEnv();
    raw.apps.api.environments.production.processes.web = { cpu: 1024, memory: 512 };
    raw.apps.api.environments.staging = { processes: { web: { cpu: 2048 } } };
    const lines = problems(raw);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^config\.json: apps\.api\.environments\.production\.processes\.web\.memory: is 512 MiB, which 1024 CPU units cannot have/),
        expect.stringMatching(/^config\.json: apps\.api\.environments\.staging\.processes\.web\.memory: is 512 MiB, which 2048 CPU units cannot have/),
      ]),
    );
    expect(lines).toHaveLength(2);
  });

  test('the environment settings are as strict as the app: a misspelt key is an error', () => {
    const raw = perEnv();
    raw.apps.api.environments.production.healthcheckPath = '/x';
    expect(problems(raw).join('\n')).toMatch(/apps\.api\.environments\.production.*healthcheckPath/);
  });

  test('cyclops validate shows each app as it is in each environment', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-envs-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(perEnv()));
    const r = await cyclops(['validate', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const rows = r.json().deployments as { app: string; env: string; merged: boolean; processes: { name: string; count: unknown; cpu: number }[]; secrets: string[] }[];
    const api = (env: string) => rows.find((d) => d.app === 'api' && d.env === env)!;
    expect(api('production')).toMatchObject({ merged: true, secrets: ['API_KEY'], processes: [{ name: 'web', count: { min: 4, max: 10 }, cpu: 1024 }, { name: 'worker', count: 1 }] });
    expect(api('staging')).toMatchObject({ merged: false, processes: [{ name: 'web', count: { min: 1, max: 4 }, cpu: 256 }, { name: 'worker' }] });
    const text = await cyclops(['validate'], { cwd: dir });
    expect(text.stdout).toMatch(/api +production \* +web 4\.\.10×1024\/2048, worker 1×256\/512 +\/ready/);
  });
});

/**
 * The escape hatch: `overrides` (RFC 6902 JSON Patch) on the rendered app and environment
 * templates. The patched templates pass cfn-lint; a failing operation is exit 2 naming it;
 * synth prints the patched template and deploy applies it (the change-safety guard judges the
 * change set of what is applied).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load';
import { renderApp, renderCluster, templateBody, templateDigest } from '../../src/plan';
import type { CyclopsError } from '../../src/errors';
import { rawExample } from './fixtures';
import { runCli } from '../support/run-cli';
import { findCfnLint } from './cfn-lint-path';

function withOverrides() {
  const raw = rawExample();
  raw.apps.api.overrides = [
    { op: 'add', path: '/Resources/WebService/Properties/PlatformVersion', value: '1.4.0' },
    { op: 'replace', path: '/Resources/WebTargetGroup/Properties/HealthCheckIntervalSeconds', value: 30 },
  ];
  raw.apps.api.environments = {
    production: { overrides: [{ op: 'add', path: '/Resources/WebTargetGroup/Properties/TargetGroupAttributes/-', value: { Key: 'stickiness.enabled', Value: 'true' } }] },
  };
  raw.environments.staging.overrides = [{ op: 'replace', path: '/Resources/LoadBalancer/Properties/LoadBalancerAttributes/0/Value', value: '120' }];
  return raw;
}

const refused = (fn: () => unknown): CyclopsError => {
  try {
    fn();
  } catch (e) {
    return e as CyclopsError;
  }
  throw new Error('expected a refusal');
};

describe('overrides', () => {
  const config = parseConfig(withOverrides(), 'config.json');
  const plain = parseConfig(rawExample(), 'config.json');

  test('the app\'s operations apply in every environment, an environment\'s after them', () => {
    const staging = renderApp(config, 'staging', 'api', { port: 20001 }) as any;
    const production = renderApp(config, 'production', 'api', { port: 20001 }) as any;
    for (const t of [staging, production]) {
      expect(t.Resources.WebService.Properties.PlatformVersion).toBe('1.4.0');
      expect(t.Resources.WebTargetGroup.Properties.HealthCheckIntervalSeconds).toBe(30);
    }
    expect(production.Resources.WebTargetGroup.Properties.TargetGroupAttributes.at(-1)).toEqual({ Key: 'stickiness.enabled', Value: 'true' });
    expect(staging.Resources.WebTargetGroup.Properties.TargetGroupAttributes).toHaveLength(1);
    // the digest deploy compares covers the patch: a patched template is a changed template
    expect(templateDigest(staging)).not.toBe(templateDigest(renderApp(plain, 'staging', 'api', { port: 20001 })));
  });

  test('environments.<env>.overrides patch the environment template', () => {
    const t = renderCluster(config, 'staging') as any;
    const before = renderCluster(plain, 'staging') as any;
    const attrs = before.Resources.LoadBalancer.Properties.LoadBalancerAttributes;
    expect(t.Resources.LoadBalancer.Properties.LoadBalancerAttributes[0]).toEqual({ ...attrs[0], Value: '120' });
    expect(templateBody(renderCluster(config, 'production'))).toBe(templateBody(renderCluster(plain, 'production')));
  });

  test('an operation whose path does not exist is a config error (exit 2) naming it, found before any command writes', () => {
    const raw = withOverrides();
    raw.apps.api.environments.production.overrides.push({ op: 'replace', path: '/Resources/NoSuchThing/Properties/X', value: 1 });
    const e = refused(() => parseConfig(raw, 'config.json'));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      'config.json: apps.api.environments.production.overrides[1]: operation "replace /Resources/NoSuchThing/Properties/X": its path does not exist in the rendered template of api in production; fix the operation ("cyclops synth" prints the template it patches), or remove it',
    );
  });

  test('a malformed operation is a config error', () => {
    const raw = rawExample();
    raw.apps.api.overrides = [{ op: 'replace', path: 'Resources/WebService' }];
    const e = refused(() => parseConfig(raw, 'config.json'));
    expect(e.exitCode).toBe(2);
    expect((e.details as string[]).join('\n')).toMatch(/apps\.api\.overrides\[0\]\.path: is not a JSON Pointer/);
  });

  test('synth prints the patched template; validate and synth refuse a failing operation with exit 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cyclops-overrides-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(withOverrides()));
    const synth = await runCli(['synth', 'app', 'api', 'production'], { cwd: dir });
    expect(synth.code).toBe(0);
    expect(JSON.parse(synth.stdout).Resources.WebService.Properties.PlatformVersion).toBe('1.4.0');
    const raw = withOverrides();
    raw.environments.staging.overrides = [{ op: 'remove', path: '/Resources/Nope' }];
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(raw));
    for (const args of [['validate'], ['synth', 'cluster', 'staging']]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('config.json: environments.staging.overrides[0]: operation "remove /Resources/Nope": its path does not exist in the rendered template of environment staging');
    }
  });

  test('the patched templates pass cfn-lint with no errors and no warnings', () => {
    const lint = findCfnLint();
    if (!lint) throw new Error('cfn-lint is not on PATH; install it with "pip install cfn-lint" — this test does not skip');
    const dir = mkdtempSync(path.join(tmpdir(), 'cyclops-lint-overrides-'));
    const files = [
      ['app-production-api.json', renderApp(config, 'production', 'api', { port: 20001 })],
      ['app-staging-api.json', renderApp(config, 'staging', 'api', { port: 20001 })],
      ['cluster-staging.json', renderCluster(config, 'staging')],
    ].map(([name, t]) => {
      const file = path.join(dir, name as string);
      writeFileSync(file, templateBody(t as Record<string, unknown>));
      return file;
    });
    const res = spawnSync(lint, ['--format', 'parseable', '--', ...files], { encoding: 'utf8' });
    expect(`${res.stdout}${res.stderr}`.trim()).toBe('');
    expect(res.status).toBe(0);
  });
});

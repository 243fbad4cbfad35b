/** Global option values and AWS profiles, checked before any AWS call. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkConnection, checkProfile, iniProfiles } from '../../src/aws/profiles';
import { validateGlobalOptions } from '../../src/config/options';
import { runCli as cyclops } from '../support/run-cli';

const example = path.resolve(__dirname, '../../config.example.json');

function awsDir(config: string, credentials: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-aws-'));
  writeFileSync(path.join(dir, 'config'), config);
  writeFileSync(path.join(dir, 'credentials'), credentials);
  return { AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials') };
}

test('regions, endpoints and profile names are checked like config values', () => {
  expect(() => validateGlobalOptions({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:5000' })).not.toThrow();
  expect(() => validateGlobalOptions({ region: 'us-gov-west-1' })).not.toThrow();
  expect(() => validateGlobalOptions({ region: 'mars-north-9' })).toThrow('--region "mars-north-9": is not an AWS region; use a region code such as eu-west-1');
  expect(() => validateGlobalOptions({ region: 'EU-WEST-1' })).toThrow(/is not an AWS region/);
  for (const url of ['not-a-url', 'ftp://example.com', 'http://', '127.0.0.1:5000']) {
    expect(() => validateGlobalOptions({ endpointUrl: url })).toThrow(`--endpoint-url "${url}": is not an http(s) URL`);
  }
  expect(() => validateGlobalOptions({ profile: 'a b' })).toThrow(/--profile "a b": is not a profile name/);
});

test('profile sections: [profile x] and [default] in config, [x] in credentials; sso sessions are not profiles', () => {
  expect(iniProfiles('[default]\nregion=eu-west-1\n[profile acme-admin]\n[sso-session corp]\n  [ profile spaced ] ; note\n', true)).toEqual([
    'default',
    'acme-admin',
    'spaced',
  ]);
  expect(iniProfiles('[ci]\naws_access_key_id=AKIA\n', false)).toEqual(['ci']);
});

test('an unknown profile names itself and the files looked in, never their contents', () => {
  const env = awsDir('[profile dev]\nregion = eu-west-1\n', '[ci]\naws_secret_access_key = SECRETSECRET\n');
  expect(() => checkProfile('dev', '--profile', env)).not.toThrow();
  expect(() => checkProfile('ci', '--profile', env)).not.toThrow();
  let message = '';
  try {
    checkProfile('nosuchprofile', '--profile', env);
  } catch (e) {
    message = (e as Error).message;
    expect((e as { exitCode: number }).exitCode).toBe(2);
  }
  expect(message).toBe(
    `AWS profile "nosuchprofile" (from --profile): not found in ${env.AWS_CONFIG_FILE} (AWS_CONFIG_FILE) and ${env.AWS_SHARED_CREDENTIALS_FILE} (AWS_SHARED_CREDENTIALS_FILE); use a profile that exists (ci, dev), or add [profile nosuchprofile] to ${env.AWS_CONFIG_FILE}`,
  );
  expect(message).not.toContain('SECRET');
});

test('AWS_PROFILE with no such profile says so, and does not advise setting AWS_PROFILE', () => {
  const env = { ...awsDir('', ''), AWS_PROFILE: 'acme-admin' };
  expect(() => checkConnection({ endpoint: 'http://127.0.0.1:1' }, env)).toThrow(/^AWS profile "acme-admin" \(from AWS_PROFILE\): not found in .*; unset AWS_PROFILE or set it to a profile that exists$/);
  expect(() => checkConnection({ endpoint: 'nope' }, { AWS_ENDPOINT_URL: 'nope' })).toThrow('AWS_ENDPOINT_URL "nope": is not an http(s) URL');
  expect(() => checkConnection({}, {})).not.toThrow();
});

describe('the whole program in-process: exit 2 before any AWS call', () => {
  // The endpoint is a closed port: reaching AWS at all would be a different (exit 1) error.
  const base = ['-c', example, '--endpoint-url', 'http://127.0.0.1:9'];
  const env = { ...awsDir('[profile dev]\n', ''), AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_ENDPOINT_URL: '', AWS_PROFILE: '' };

  test.each([
    [['env', 'list', '--region', 'mars-north-9'], /^error: --region "mars-north-9": is not an AWS region/],
    [['env', 'list', '--endpoint-url', 'not-a-url'], /^error: --endpoint-url "not-a-url": is not an http\(s\) URL/],
    [['env', 'list', '--profile', 'nosuchprofile'], /^error: AWS profile "nosuchprofile" \(from --profile\): not found in /],
    [['status', 'web', 'staging', '--profile', 'nosuchprofile', '--json'], /^error: AWS profile "nosuchprofile"/],
  ])('%j', async (args, line) => {
    const r = await cyclops([...base, ...args], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(line)]);
    if (args.includes('--json')) expect(r.json()).toMatchObject({ ok: false, error: { code: 'usage', exitCode: 2 } });
  });

  test('AWS_PROFILE naming a missing profile: exit 2 at connect, offline commands unaffected', async () => {
    const r = await cyclops([...base, 'env', 'list'], { env: { ...env, AWS_PROFILE: 'acme-admin' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: AWS profile "acme-admin" \(from AWS_PROFILE\): not found in .*; unset AWS_PROFILE or set it to a profile that exists \(dev\)\n$/);
    const offline = await cyclops(['-c', example, 'synth', 'platform'], { env: { ...env, AWS_PROFILE: 'acme-admin' } });
    expect(offline.code).toBe(0);
  });
});

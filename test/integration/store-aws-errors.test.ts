/**
 * What a user sees when AWS cannot be used: no credentials, an endpoint nobody listens on.
 * One line each, exit code 1, no stack trace unless --verbose. (A wrong region needs real
 * S3's 301/redirect answers, which moto does not give; test/unit/store-cas.test.ts proves
 * that mapping with the SDK client mocked.)
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cyclops } from '../support/cli';
import { cliWorkspace } from '../support/store-env';
import { freePort } from '../support/global-setup';

const ws = cliWorkspace('store-aws-errors-test');

test('missing credentials: one line that says how to provide them, exit 1', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'cyclops-nocreds-'));
  const env = {
    ...ws.env,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_WEB_IDENTITY_TOKEN_FILE: '',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'none-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const r = await cyclops(['ports', 'list'], { cwd: ws.cwd, env });
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(
    'error: read s3://store-aws-errors-test/ports.json: no AWS credentials found; pass --profile NAME or set AWS_PROFILE to a profile in ~/.aws/config, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n',
  );
  const json = await cyclops(['ports', 'list', '--json'], { cwd: ws.cwd, env });
  expect(json.json()).toMatchObject({ ok: false, error: { code: 'credentials', exitCode: 1 } });
});

test('unreachable endpoint: one line naming it, exit 1; --verbose adds the stack', async () => {
  const port = await freePort(); // nothing listens there
  const endpoint = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const r = await cyclops(['bootstrap', '--endpoint-url', endpoint], ws);
  const ms = Date.now() - started;
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^(› .*\\n)?error: check bucket store-aws-errors-test: cannot reach ${endpoint} \\(ECONNREFUSED\\); check the network, --endpoint-url/AWS_ENDPOINT_URL and --region\\n$`));
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(ms).toBeLessThan(20_000); // the SDK's own retries are bounded

  const verbose = await cyclops(['bootstrap', '--endpoint-url', endpoint, '--verbose'], ws);
  expect(verbose.code).toBe(1);
  expect(verbose.stderr).toMatch(/\n\s+at /);
});

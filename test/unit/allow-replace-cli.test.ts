/**
 * The commands' part of --allow-replace: the flag is parsed (repeatable, checked) and handed
 * to the ops function. The ops functions are replaced by recorders here; allow-replace.test.ts
 * follows the value from the ops functions into the stack engine's ApplyInput.
 */
import { runCli } from '../support/run-cli';

jest.mock('../../src/ops/deploy', () => ({ deploy: jest.fn(async () => ({ changes: [], changed: false, stack: 's', url: 'u' })) }));
jest.mock('../../src/ops/env', () => ({
  applyEnv: jest.fn(async () => ({ stackName: 's', pushed: { key: 'k', changed: false }, result: { action: 'none', status: 'CREATE_COMPLETE', changed: false, changes: [], outputs: {} }, adopted: { resources: [], hostedZone: null } })),
  bootstrap: jest.fn(async () => ({ bucket: { bucket: 'b', created: false, settings: [] }, stackName: 's', pushed: { key: 'k' }, result: { action: 'none', status: 'CREATE_COMPLETE', changed: false, outputs: {} }, repositories: {}, adopted: [], serviceRole: { moved: [], oldRoleRemoved: false } })),
}));

describe('commands pass --allow-replace on', () => {
  const example = `${__dirname}/../../config.example.json`;
  const env = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
  const lastOpts = (fn: unknown, at: number) => (fn as jest.Mock).mock.calls.at(-1)[at];
  beforeEach(() => jest.clearAllMocks());

  test.each([
    ['deploy', ['deploy', 'nginx:1.27', 'shop', 'staging'], 'deploy', 2],
    ['env create', ['env', 'create', 'staging'], 'applyEnv', 2],
    ['env update', ['env', 'update', 'staging'], 'applyEnv', 2],
    ['bootstrap', ['bootstrap'], 'bootstrap', 1],
  ])('%s: repeatable, in order; absent unless given', async (_name, args, fn, at) => {
    const mod = fn === 'deploy' ? await import('../../src/ops/deploy') : await import('../../src/ops/env');
    const spy = (mod as unknown as Record<string, jest.Mock>)[fn];
    const r = await runCli(['--config', example, '--json', ...args, '--allow-replace', 'Database', '--allow-replace', 'HostedZone'], { env });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(lastOpts(spy, at).allowReplace).toEqual(['Database', 'HostedZone']);
    const plain = await runCli(['--config', example, '--json', ...args], { env });
    expect(plain.code).toBe(0);
    expect(lastOpts(spy, at).allowReplace).toBeUndefined();
  });

  test('a value that is not a logical id is a usage error, before anything runs', async () => {
    const r = await runCli(['--config', example, 'deploy', 'nginx:1.27', 'shop', 'staging', '--allow-replace', 'my-db'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--allow-replace "my-db": is not a logical id; use the resource name the refusal printed/);
    expect(jest.requireMock('../../src/ops/deploy').deploy).not.toHaveBeenCalled();
  });
});

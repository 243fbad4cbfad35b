/**
 * How `secrets set` takes a value: never from argv (a value there is refused and never repeated),
 * at most 64 KiB (refused before any AWS call), and on a terminal at a prompt that does not echo.
 * AWS points at a closed port: a test that reached it would fail with another error than the one asserted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Reporter } from '../../src/report/reporter';
import { runCli } from '../support/run-cli';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-secrets-input-'));
writeFileSync(
  path.join(dir, 'config.json'),
  JSON.stringify({
    platform: { name: 'acme', region: 'eu-west-1', bucket: 'acme-config' },
    ports: { range: [20000, 20009] },
    environments: { staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' } } },
    apps: { web: {} },
  }),
);
const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_MAX_ATTEMPTS: '1' };
const cli = (args: string[], input?: string) => runCli(args, { cwd: dir, env, input });

describe('secrets set: where the value comes from', () => {
  test.each([
    [['secrets', 'set', 'web', 'staging', 'STRIPE_KEY', 'sk_live_123'], 'an argument after STRIPE_KEY'],
    [['secrets', 'set', 'web', 'staging', 'STRIPE_KEY=sk_live_123'], '"STRIPE_KEY=…"'],
    [['secrets', 'set', 'web', 'staging', 'STRIPE_KEY=sk_live_123', '--json'], '"STRIPE_KEY=…"'],
  ])('a value on the command line is refused without repeating it: %j', async (args, where) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toContain('values come from stdin or --from-file');
    expect(r.stderr + r.stdout).toContain(where);
    expect(r.stderr + r.stdout).not.toContain('sk_live_123');
  });

  test('a value over 64 KiB is refused before any AWS call (exit 2, not a connection error)', async () => {
    const r = await cli(['secrets', 'set', 'web', 'staging', 'BIG'], 'x'.repeat(65537));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('65537 bytes; Secrets Manager stores at most 65536');
    expect(r.stderr).not.toMatch(/ECONNREFUSED|connect/i);
  });

  test('--recovery-days outside 7-30 is a usage error naming the option', async () => {
    for (const days of ['6', '31', 'soon']) {
      const r = await cli(['secrets', 'unset', 'web', 'staging', 'K', '--recovery-days', days]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--recovery-days ${days}: Secrets Manager keeps a deleted secret 7 to 30 days`);
    }
  });
});

describe('secrets set on a terminal', () => {
  class Sink extends Writable {
    text = '';
    override _write(chunk: Buffer, _e: BufferEncoding, done: () => void) {
      this.text += chunk.toString();
      done();
    }
  }
  const tty = () => {
    const s = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (on: boolean) => void; raw: boolean[] };
    s.isTTY = true;
    s.raw = [];
    s.setRawMode = (on) => void s.raw.push(on);
    return s;
  };

  test('prompts on stderr and echoes nothing of what is typed; backspace edits; raw mode is restored', async () => {
    const stdin = tty();
    const stderr = new Sink();
    const reporter = new Reporter({ stdin, stderr, stdout: new Sink() });
    const value = reporter.readSecret('secrets set web staging K', 'value of K');
    stdin.write('hunter2x\u007f');
    stdin.write('!\r');
    await expect(value).resolves.toBe('hunter2!');
    expect(stderr.text).toContain('value of K (input hidden');
    expect(stderr.text).not.toContain('hunter');
    expect(stdin.raw).toEqual([true, false]);
  });

  test('Ctrl-C at the prompt is an interruption that changed nothing', async () => {
    const stdin = tty();
    const reporter = new Reporter({ stdin, stderr: new Sink(), stdout: new Sink() });
    const value = reporter.readSecret('secrets set web staging K', 'value of K');
    stdin.write('abc\u0003');
    await expect(value).rejects.toMatchObject({ message: expect.stringContaining('interrupted at the prompt; nothing was changed') });
    expect(stdin.raw).toEqual([true, false]);
  });
});

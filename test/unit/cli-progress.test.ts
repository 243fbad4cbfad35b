/** --progress json: every progress event is one JSON line on stderr; the result stays on stdout. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/run-cli';

const example = path.resolve(__dirname, '../../config.example.json');

test('each stderr line is a JSON event {time, level, code, message, data}; --json still prints one document', async () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'cyclops-progress-'));
  const r = await runCli(['-c', example, '--progress', 'json', '--json', 'synth', '--all', '--out', out]);
  expect(r.code).toBe(0);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines.length).toBeGreaterThan(0);
  const events = lines.map((l) => JSON.parse(l));
  expect(events).toContainEqual({ time: expect.any(String), level: 'info', code: 'synth.written', message: expect.any(String), data: { files: expect.any(Number), out } });
  for (const e of events) expect(Object.keys(e)).toEqual(['time', 'level', 'code', 'message', 'data']);
  expect(r.json()).toMatchObject({ ok: true, files: expect.any(Array) });
});

test('without --progress the same event is a human line', async () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'cyclops-progress-'));
  const r = await runCli(['-c', example, 'synth', '--all', '--out', out]);
  expect(r.stderr).toMatch(/^✔ wrote \d+ templates to /m);
  expect(() => JSON.parse(r.stderr.split('\n')[0])).toThrow();
});

/** SIGINT, SIGTERM and SIGHUP abort the operation's signal; a second one quits at once. */
import { PassThrough } from 'node:stream';
import { SIGNAL_EXIT, watchSignals } from '../../src/cli';
import { Context } from '../../src/context';
import { Reporter } from '../../src/report/reporter';

function context() {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (d) => (text += d));
  const ctx = new Context({}, new Reporter({ stderr, stdout: new PassThrough(), color: false }));
  return { ctx, stderr: () => text };
}

test.each(Object.entries(SIGNAL_EXIT))('%s aborts the operation, then a second signal exits %i at once', (sig, code) => {
  const { ctx, stderr } = context();
  const exits: number[] = [];
  const before = process.listenerCount(sig);
  const w = watchSignals(ctx, (c) => exits.push(c));
  expect(process.listenerCount(sig)).toBe(before + 1);
  expect(w.exitCode()).toBeUndefined();
  process.emit(sig as NodeJS.Signals, sig as NodeJS.Signals);
  expect(ctx.signal.aborted).toBe(true);
  expect(w.exitCode()).toBe(code);
  expect(exits).toEqual([]);
  expect(stderr()).toMatch(sig === 'SIGINT' ? /interrupted; stopping and cleaning up \(press Ctrl-C again/ : new RegExp(`received ${sig}; stopping and cleaning up \\(send ${sig} again`));
  process.emit(sig as NodeJS.Signals, sig as NodeJS.Signals);
  expect(exits).toEqual([code]);
  w.stop();
  expect(process.listenerCount(sig)).toBe(before);
});

test('the exit code follows the first signal, whichever comes second', () => {
  const { ctx } = context();
  const exits: number[] = [];
  const w = watchSignals(ctx, (c) => exits.push(c));
  process.emit('SIGTERM', 'SIGTERM');
  process.emit('SIGINT', 'SIGINT');
  expect(exits).toEqual([143]);
  w.stop();
});

test('the codes are 128 + the signal number', () => {
  const os = require('node:os');
  for (const [sig, code] of Object.entries(SIGNAL_EXIT)) expect(code).toBe(128 + os.constants.signals[sig]);
});

/**
 * Every command of the program has its policy level in src/iam/commands.ts, which the IAM
 * evaluation of recorded requests (test/integration/iam-eval.test.ts) holds each command to.
 */
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli';
import { COMMAND_LEVELS, commandOf } from '../../src/iam/commands';

/** The runnable commands: leaves, and parents with an action of their own ("config push"). */
function commandPaths(): string[] {
  const out: string[] = [];
  const visit = (cmd: Command, path: string[]) => {
    const subs = cmd.commands.filter((c) => c.name() !== 'help');
    const hasAction = (cmd as unknown as { _actionHandler: unknown })._actionHandler != null;
    if (path.length && (subs.length === 0 || hasAction)) out.push(path.join(' '));
    for (const c of subs) visit(c, [...path, c.name()]);
  };
  visit(buildProgram(() => undefined), []);
  return out.sort();
}

describe('command levels (src/iam/commands.ts)', () => {
  const paths = commandPaths();

  test('the walk finds the program’s commands', () => {
    expect(paths).toEqual(expect.arrayContaining(['deploy', 'secrets restore', 'config push app', 'iam-policy']));
  });

  test('every command has a level, and no row names a command that is gone', () => {
    expect(paths.filter((p) => !Object.hasOwn(COMMAND_LEVELS, p))).toEqual([]);
    expect(Object.keys(COMMAND_LEVELS).filter((p) => !paths.includes(p))).toEqual([]);
  });

  test('commandOf finds the longest command among the first words of a run', () => {
    expect(commandOf(['deploy', 'registry.example.com_shop_1.0.0', 'shop'])).toBe('deploy');
    expect(commandOf(['config', 'push', 'app'])).toBe('config push app');
    expect(commandOf(['config', 'push', 'platform'])).toBe('config push platform');
    expect(commandOf(['secrets', 'set', 'shop'])).toBe('secrets set');
    expect(commandOf(['nope'])).toBeUndefined();
  });
});

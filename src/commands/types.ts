import type { Command } from 'commander';
import type { Context } from '../context';

/** A command's action; a number it returns is the exit code (`run`: the container's; `logs --follow`: 0 after Ctrl-C). */
export type Action = (ctx: Context, ...args: any[]) => Promise<void | number>;

/** A command module registers itself on the program; `run` wraps its action. */
export type Register = (program: Command, run: (fn: Action) => (...args: unknown[]) => Promise<void>) => void;

/** Help text with examples, shown after the options. */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
}

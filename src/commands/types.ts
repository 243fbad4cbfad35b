import type { Command } from 'commander';
import type { Action } from '../cli';

/** A command module registers itself on the program; `run` wraps its action. */
export type Register = (program: Command, run: (fn: Action) => (...args: unknown[]) => Promise<void>) => void;

/** Help text with examples, shown after the options. */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
}

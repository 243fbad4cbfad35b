/**
 * Argument-parser errors as one line that names the thing, the problem and the fix: the
 * closest known option or command ("did you mean --dry-run?"), or the expected form
 * ("usage: cyclops deploy <image> <app> <env> [options]"). Commander prints nothing itself;
 * every error becomes a usage error (exit 2) rendered by the Reporter like any other.
 */
import type { Command, CommanderError, Option } from 'commander';
import { usageError, type CyclopsError } from './errors';
import { isTerminal, writeFd } from './fd-write';

/** Damerau-Levenshtein (optimal string alignment) distance. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known name closest to `typed`, when it is close enough to be a likely typo (at most a
 * third of its length wrong, and at least one character right), or a name that starts with it.
 */
export function closest(typed: string, known: Iterable<string>): string | undefined {
  let best: { name: string; d: number } | undefined;
  const t = typed.toLowerCase();
  for (const name of known) {
    const d = name.startsWith(t) && t.length >= 3 ? 0.5 : editDistance(t, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  if (!best) return undefined;
  const bare = t.replace(/^-+/, '');
  return best.d <= Math.max(1, Math.floor(bare.length / 3)) && best.d < bare.length ? best.name : undefined;
}

/**
 * The first word of a command line that is not a global option or its value: the command it
 * runs (`cyclops --profile ops deploy …` → "deploy"). `options` are the program's own, so the
 * options that take a value are read off them, not listed here. undefined when there is none,
 * or when --help/-h comes before it (program help lists every command).
 */
export function commandWord(args: readonly string[], options: readonly Option[]): string | undefined {
  const takesValue = new Set(options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)));
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return args[i + 1];
    if (a === '--help' || a === '-h') return undefined;
    if (!a.startsWith('-') || a === '-') return a;
    if (!a.includes('=') && takesValue.has(a)) i++;
  }
  return undefined;
}

/** "cyclops env create" */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** "usage: cyclops deploy <image> <app> <env> [options]" */
export function usageLine(cmd: Command): string {
  const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`));
  const sub = cmd.commands.length ? [cmd.registeredArguments.length || hasAction(cmd) ? '[command]' : '<command>'] : [];
  return `usage: ${[commandPath(cmd), ...sub, ...args, '[options]'].join(' ')}`;
}

function hasAction(cmd: Command): boolean {
  return !!(cmd as unknown as { _actionHandler?: unknown })._actionHandler;
}

function subcommands(cmd: Command): string[] {
  return cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map((c) => c.name()).filter((n) => n !== 'help');
}

/**
 * Flags other tools taught people (tail, heroku, kubectl, journalctl) and what cyclops calls
 * them, for "did you mean" when the spelling is too far off for `closest`.
 */
const HABITS: Record<string, string> = {
  '--lines': '--limit',
  '--num': '--limit',
  '--number': '--limit',
  '--last': '--limit',
  '--max': '--limit',
  '--tail-lines': '--limit',
  '--grep': '--filter',
  '--pattern': '--filter',
  '--from': '--since',
  '--to': '--until',
};

/** Long and short flags of the command and of every command above it (global options). */
function knownFlags(cmd: Command): string[] {
  const flags: string[] = ['--help'];
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const o of c.options) {
      if (o.long) flags.push(o.long);
      if (o.short) flags.push(o.short);
    }
  }
  return flags;
}

/** Commands Heroku taught people, and cyclops's command for the same thing. */
const COMMAND_HABITS: Record<string, string> = {
  dyno: 'ps',
  dynos: 'ps',
  'ps:scale': 'scale',
  'ps:restart': 'restart',
  'ps:type': 'ps',
  'ps:wait': 'ps',
  'releases:info': 'releases',
  'releases:rollback': 'rollback',
  'config:set': 'vars',
  'config:unset': 'vars',
  'config:get': 'vars',
  'logs:tail': 'logs',
};

function unknownCommand(cmd: Command, typed: string): CyclopsError {
  const names = subcommands(cmd);
  const habit = COMMAND_HABITS[typed.toLowerCase()];
  const near = habit && names.includes(habit) ? habit : closest(typed, names);
  const fix = near ? `did you mean "${commandPath(cmd)} ${near}"?` : `use one of: ${names.join(', ')}`;
  return usageError(`${commandPath(cmd)}: unknown command "${typed}"; ${fix}`);
}

/** The one line for a commander error raised while parsing `cmd`'s part of the command line. */
export function parseErrorToUsage(e: CommanderError, cmd: Command): CyclopsError {
  const where = commandPath(cmd);
  const msg = e.message.replace(/^error: /, '');
  let m: RegExpExecArray | null;
  switch (e.code) {
    case 'commander.unknownOption': {
      const flag = (/unknown option '([^']*)'/.exec(msg)?.[1] ?? msg).split('=')[0];
      const known = knownFlags(cmd);
      const habit = HABITS[flag];
      const near = habit && known.includes(habit) ? habit : closest(flag, known);
      return usageError(`${where}: unknown option "${flag}"; ${near ? `did you mean ${near}?` : `${usageLine(cmd)} (options: ${where} --help)`}`);
    }
    case 'commander.unknownCommand':
      return unknownCommand(cmd, /unknown command '([^']*)'/.exec(msg)?.[1] ?? String(cmd.args[0]));
    case 'commander.excessArguments': {
      const extra = cmd.args.slice(cmd.registeredArguments.length);
      if (cmd.commands.length && cmd.registeredArguments.length === 0) return unknownCommand(cmd, String(extra[0]));
      const n = cmd.registeredArguments.length;
      return usageError(`${where}: unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => `"${a}"`).join(' ')} (it takes ${n || 'no'} argument${n === 1 ? '' : 's'}); ${usageLine(cmd)}`);
    }
    case 'commander.missingArgument': {
      const name = /missing required argument '([^']*)'/.exec(msg)?.[1] ?? 'argument';
      return usageError(`${where}: missing <${name}>; ${usageLine(cmd)}`);
    }
    case 'commander.optionMissingArgument': {
      const flags = /option '([^']*)'/.exec(msg)?.[1] ?? '';
      return usageError(`${where}: option ${flags.split(/[ ,]+/).find((f) => f.startsWith('--')) ?? flags} needs a value; give it as ${flags.replace(/^-\w, /, '')}`);
    }
    case 'commander.invalidArgument':
      if ((m = /^option '([^']*)' argument '(.*)' is invalid\. ([\s\S]*)$/.exec(msg))) {
        const flag = m[1].split(/[ ,]+/).find((f) => f.startsWith('--')) ?? m[1];
        const choices = /^Allowed choices are (.*)\.$/.exec(m[3]);
        const problem = choices ? `is not one of ${choices[1]}; use ${choices[1].split(', ').map((c) => `${flag} ${c}`).join(' or ')}` : m[3];
        return usageError(`${flag} ${JSON.stringify(m[2])}: ${problem}`);
      }
      if ((m = /^command-argument value '(.*)' is invalid for argument '([^']*)'\. ([\s\S]*)$/.exec(msg))) {
        return usageError(`${where}: <${m[2]}> ${JSON.stringify(m[1])}: ${m[3]}`);
      }
      return usageError(`${where}: ${msg}`);
    case 'commander.help': {
      // A command group run without its command (commander would print the help on stderr).
      const names = subcommands(cmd);
      return usageError(`${where}: needs a command; use one of: ${names.join(', ')} (${where} --help describes them)`);
    }
    default:
      return usageError(`${where}: ${msg.split('\n')[0]}; ${usageLine(cmd)}`);
  }
}

/**
 * Make every command report parser errors through `onError` and print nothing itself.
 * Commander copies these settings only to commands created after they are set, so this
 * walks the finished tree.
 */
export function routeParseErrors(root: Command, streams: { stdout?: NodeJS.WritableStream } = {}): void {
  const visit = (cmd: Command) => {
    cmd
      .showHelpAfterError(false)
      .showSuggestionAfterError(false)
      .configureOutput({
        writeOut: (s) => (streams.stdout ? streams.stdout.write(s) : writeFd(1, s)),
        writeErr: () => undefined,
        outputError: () => undefined,
        // commander's defaults ask process.stdout, which would load Node's streams at start-up
        getOutHelpWidth: () => (streams.stdout || !isTerminal(1) ? 80 : process.stdout.columns), // 80: commander's own width off a terminal
        getOutHasColors: () => false,
      })
      .exitOverride((e) => {
        if (e.exitCode === 0 || e.code === 'commander.executeSubCommandAsync') throw e;
        throw new ParseFailure(e, parseErrorToUsage(e, cmd));
      });
    for (const c of cmd.commands) visit(c);
  };
  visit(root);
}

/** A commander error together with its one-line usage error. */
export class ParseFailure extends Error {
  constructor(
    readonly commander: CommanderError,
    readonly usage: CyclopsError,
  ) {
    super(usage.message);
  }
}

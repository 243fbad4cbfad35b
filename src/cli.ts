/**
 * The commander program: global options, command registration, and errors → exit codes.
 * Commands are thin; they live in src/commands and register themselves through index.ts.
 *
 * Start-up: this module and what it imports statically form the start-up chunk, which
 * `--help` and parser errors use. It holds commander, the command tree and the parser-error
 * wording, nothing else: the context, the reporter (and chalk), config and every action's
 * code load with import() when a command runs. scripts/build.mjs fails the build when a
 * heavy module reaches the start-up chunk.
 */
import { Command, CommanderError, Option } from 'commander';
import { registersFor } from './commands';
import type { Action } from './commands/types';
import type { Context, GlobalOptions, Streams } from './context';
import { ExitCode, type CyclopsError } from './errors';
import { errorDocument, errorLines } from './report/error-text';
import { isTerminal, writeFd } from './fd-write';
import { commandWord, ParseFailure, routeParseErrors } from './usage';

declare const CYCLOPS_VERSION: string;

const setExitCode = (code: number) => {
  process.exitCode = code;
};

/**
 * The program. `streams` replaces the process's stdout/stderr/stdin (in-process runs and tests).
 * With `args` (the command line after `node cyclops`), only the command they name is
 * registered (src/commands/index.ts, registersFor); without, every command.
 */
export function buildProgram(onExit: (code: number) => void = setExitCode, streams: Streams = {}, args?: readonly string[]): Command {
  const program = new Command('cyclops')
    .description('Run a small application cloud on AWS: one platform, named environments, apps as CloudFormation stacks.')
    .version(typeof CYCLOPS_VERSION === 'string' ? CYCLOPS_VERSION : '0.0.0', '-V, --version', 'print the version')
    .option('-c, --config <path>', 'config file (default: config.json or .cyclopsrc* in the working directory)')
    .option('--json', 'print exactly one JSON document on stdout; progress stays on stderr')
    .addOption(new Option('--progress <format>', 'progress on stderr: human lines, or json (one JSON object per event, for CI systems)').choices(['human', 'json']).default('human'))
    .option('-v, --verbose', 'more detail on stderr, including AWS calls and stack traces')
    .option('--no-color', 'no colour (also: NO_COLOR, or stderr not a terminal)')
    .option('--region <region>', 'AWS region (default: platform.region from config)')
    .option('--profile <name>', 'AWS profile (default: the standard credential chain)')
    .addOption(new Option('--endpoint-url <url>', 'AWS endpoint, e.g. moto or LocalStack (default: AWS_ENDPOINT_URL, then config aws.endpoint)'))
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 operation failed, 2 usage or config error (nothing touched), 3 conflict (lock held), 130 interrupted (SIGINT), 143 terminated (SIGTERM), 129 hung up (SIGHUP).

Examples:
  $ cyclops init
  $ cyclops synth app web staging --image nginx:1.27
  $ cyclops deploy registry.example.com/web:1.4.2 web staging --json`,
    );

  /** Wrap a command action: checked global options, context, signals, errors → exit codes. */
  const run =
    (fn: Action) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const opts = { ...cmd.optsWithGlobals() } as GlobalOptions;
      const [{ Context }, { validateGlobalOptions }, { COMMAND_LEVELS }] = await Promise.all([import('./context'), import('./config/options'), import('./iam/commands')]);
      const ctx = new Context(opts, undefined, streams);
      ctx.level = COMMAND_LEVELS[commandPath(cmd)];
      const signals = watchSignals(ctx);
      try {
        validateGlobalOptions(opts); // bad --region/--endpoint-url/--profile: exit 2 before anything runs
        if (opts.profile !== undefined) (await import('./aws/profiles')).checkProfile(opts.profile, '--profile');
        const code = await fn(ctx, ...args.slice(0, -1));
        onExit(typeof code === 'number' ? code : (signals.exitCode() ?? ExitCode.OK));
      } catch (e) {
        const code = ctx.reporter.error(e);
        onExit(code === ExitCode.INTERRUPTED ? (signals.exitCode() ?? code) : code);
      } finally {
        signals.stop();
      }
    };

  for (const register of registersFor(args && commandWord(args, program.options))) register(program, run);
  routeParseErrors(program, streams);
  return program;
}

/** A command's path below the program ("config push app"), as src/iam/commands.ts names it. */
export function commandPath(cmd: Command): string {
  const words: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}

/**
 * SIGINT, SIGTERM and SIGHUP: the first aborts the operation (its cleanup releases locks),
 * the second quits at once. The exit code is 128 + the signal number: 130, 143, 129.
 */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type Signal = keyof typeof SIGNAL_EXIT;

export function watchSignals(ctx: Context, exit: (code: number) => void = (c) => process.exit(c)): { exitCode: () => number | undefined; stop: () => void } {
  let received: Signal | undefined;
  const handlers = (Object.keys(SIGNAL_EXIT) as Signal[]).map((sig) => {
    const handler = () => {
      if (received) return exit(SIGNAL_EXIT[received]);
      received = sig;
      const again = sig === 'SIGINT' ? 'press Ctrl-C again' : `send ${sig} again`;
      ctx.reporter.warn('cli.signal', { signal: sig }, `${sig === 'SIGINT' ? 'interrupted' : `received ${sig}`}; stopping and cleaning up (${again} to quit at once)`);
      ctx.interrupt();
    };
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  return {
    exitCode: () => (received ? SIGNAL_EXIT[received] : undefined),
    stop: () => handlers.forEach(([sig, h]) => process.off(sig, h)),
  };
}

export async function main(argv = process.argv, streams: Streams = {}, onExit: (code: number) => void = setExitCode): Promise<void> {
  const program = buildProgram(onExit, streams, argv.slice(2));
  try {
    await program.parseAsync(argv);
  } catch (e) {
    // --help and --version exit 0; a parser error is one usage line (exit 2), and with
    // --json the one document on stdout.
    if (e instanceof CommanderError && e.exitCode === 0) return;
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    if (e instanceof ParseFailure && !verbose) return onExit(reportUsage(e.usage, argv, streams));
    const { Reporter } = await import('./report/reporter');
    const reporter = new Reporter({ json: argv.includes('--json'), verbose, ...streams });
    onExit(reporter.error(e instanceof ParseFailure ? e.usage : e));
  }
}

/**
 * A parser error as the Reporter would show it, without loading it (and chalk): a usage error
 * is the commonest way to start cyclops after --help, so it stays on the start-up path.
 */
function reportUsage(e: CyclopsError, argv: string[], streams: Streams): number {
  const tty = streams.stderr ? !!(streams.stderr as { isTTY?: boolean }).isTTY : isTerminal(2);
  const color = !process.env.NO_COLOR && !argv.includes('--no-color') && tty && process.env.TERM !== 'dumb';
  const text = errorLines(e, (s) => (color ? `\x1b[31m${s}\x1b[39m` : s))
    .map((line) => `${line}\n`)
    .join('');
  if (streams.stderr) streams.stderr.write(text);
  else writeFd(2, text);
  const { doc, exitCode } = errorDocument(e);
  const json = `${JSON.stringify(doc, null, 2)}\n`;
  if (argv.includes('--json')) {
    if (streams.stdout) streams.stdout.write(json);
    else writeFd(1, json);
  }
  return exitCode;
}

/** docs/events.md, for scripts/gen-events-doc.mjs (loaded on demand: outside the start-up chunk). */
export const eventsMarkdown = async (): Promise<string> => (await import('./report/events-doc')).eventsMarkdown();

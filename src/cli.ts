/**
 * The commander program: global options, command registration, and errors → exit codes.
 * Commands are thin; they live in src/commands and register themselves through index.ts.
 */
import { Command, CommanderError, Option } from 'commander';
import { commands } from './commands';
import { Context, type GlobalOptions, type Streams } from './context';
import { ExitCode, usageError } from './errors';
import { Reporter } from './report/reporter';

declare const CYCLOPS_VERSION: string;

export type Action = (ctx: Context, ...args: any[]) => Promise<void>;

const setExitCode = (code: number) => {
  process.exitCode = code;
};

/** `streams` and `onExit` let tests run the program in-process; the binary uses the process's own. */
export function buildProgram(onExit: (code: number) => void = setExitCode, streams: Streams = {}): Command {
  const program = new Command('cyclops')
    .description('Run a small application cloud on AWS: one platform, named environments, apps as CloudFormation stacks.')
    .version(typeof CYCLOPS_VERSION === 'string' ? CYCLOPS_VERSION : '0.0.0', '-V, --version', 'print the version')
    .option('-c, --config <path>', 'config file (default: config.json or .cyclopsrc* in the working directory)')
    .option('--json', 'print exactly one JSON document on stdout; progress stays on stderr')
    .option('-v, --verbose', 'more detail on stderr, including AWS calls and stack traces')
    .option('--no-color', 'no colour (also: NO_COLOR, or stderr not a terminal)')
    .option('--region <region>', 'AWS region (default: platform.region from config)')
    .option('--profile <name>', 'AWS profile (default: the standard credential chain)')
    .addOption(new Option('--endpoint-url <url>', 'AWS endpoint, e.g. moto or LocalStack (default: AWS_ENDPOINT_URL, then config aws.endpoint)'))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (streams.stdout ?? process.stdout).write(s), writeErr: (s) => (streams.stderr ?? process.stderr).write(s) })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 operation failed, 2 usage or config error (nothing touched), 3 conflict (lock held), 130 interrupted.

Examples:
  $ cyclops init
  $ cyclops synth app web staging --image nginx:1.27
  $ cyclops deploy registry.example.com/web:1.4.2 web staging --json`,
    );

  /** Wrap a command action: context, SIGINT, errors → exit codes. */
  const run =
    (fn: Action) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const opts = { ...cmd.optsWithGlobals() } as GlobalOptions;
      const ctx = new Context(opts, undefined, streams);
      let stopping = false;
      const onSigint = () => {
        if (stopping) {
          process.exit(ExitCode.INTERRUPTED);
        }
        stopping = true;
        ctx.reporter.warn('interrupted; stopping (press Ctrl-C again to quit at once)');
        ctx.interrupt();
      };
      process.on('SIGINT', onSigint);
      try {
        await fn(ctx, ...args.slice(0, -1));
        onExit(stopping ? ExitCode.INTERRUPTED : ExitCode.OK);
      } catch (e) {
        onExit(ctx.reporter.error(e));
      } finally {
        process.off('SIGINT', onSigint);
      }
    };

  for (const register of commands) register(program, run);
  return program;
}

export async function main(argv = process.argv, streams: Streams = {}, onExit: (code: number) => void = setExitCode): Promise<void> {
  const program = buildProgram(onExit, streams);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const reporter = new Reporter({ json: argv.includes('--json'), verbose: argv.includes('--verbose') || argv.includes('-v'), ...streams });
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every other commander error is a usage error. Commander
      // has printed it on stderr; with --json the same goes to stdout as the one document.
      if (e.exitCode === 0) return;
      onExit(reporter.errorDocument(usageError(e.message.replace(/^error: /, ''))));
      return;
    }
    onExit(reporter.error(e));
  }
}

/**
 * The integration suite's record of what cyclops did, for the IAM evaluation of the whole suite
 * (test/iam-suite/). The global setup makes the directory and names it in CYCLOPS_SUITE_LOG; every
 * moto proxy writes requests-<pid>.jsonl there (request-record.mjs), and every cyclops run of the
 * test runners (runCli in-process, startCyclops spawned) appends its invocation to
 * invocations-<pid>.jsonl: its id, its arguments, and the config it ran with, so the evaluation can
 * render `iam-policy` for exactly that config. The id travels in the SDK's user agent
 * (AWS_SDK_UA_APP_ID = "cyclops_<id>~<command words>", at most 50 characters), so each request the
 * proxy sees names its invocation. Append-only, one line per write: safe with several jest workers.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cosmiconfigSync } from 'cosmiconfig';
import { buildProgram } from '../../src/cli';
import { SEARCH_PLACES } from '../../src/config/load';

/** Where the suite log goes unless CYCLOPS_SUITE_LOG names another directory. */
export const DEFAULT_SUITE_LOG = path.resolve(__dirname, '../../.suite-log');
export const FINISHED = 'finished.json';

export interface Invocation {
  id: string;
  args: string[];
  /** the config file (relative to the run's directory) and its content, as read before the run; null: none found */
  configFile: string | null;
  config: unknown;
  /** the access key id of the credentials in the run's environment (the account the proxy maps it to is the invocation's own) */
  key: string | null;
  region: string | null;
  /** "in-process" (runCli) or "spawned" (startCyclops) */
  how: 'in-process' | 'spawned';
}

/** A fresh suite log (the global setup): whatever an earlier run left is removed. */
export function startSuiteLog(dir = process.env.CYCLOPS_SUITE_LOG || DEFAULT_SUITE_LOG): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'started.json'), JSON.stringify({ started: new Date().toISOString() }));
  process.env.CYCLOPS_SUITE_LOG = dir;
  return dir;
}

/** The global teardown: the suite finished (the evaluation refuses a log without this). */
export function finishSuiteLog(): void {
  const dir = process.env.CYCLOPS_SUITE_LOG;
  if (dir && existsSync(dir)) writeFileSync(path.join(dir, FINISHED), JSON.stringify({ finished: new Date().toISOString() }));
}

/** The program's options that take a value (src/cli.ts buildProgram): their values are not command words. */
let valueOptions: string[] | undefined;
const VALUE_OPTIONS = () =>
  (valueOptions ??= buildProgram(() => {}).options.filter((o) => o.required || o.optional).flatMap((o) => [o.short, o.long].filter((x): x is string => !!x)));

/** The value of a program option (`names`: its spellings), given as "--x v" or "--x=v". */
export function optionOf(args: string[], names: string[]): string | undefined {
  const i = args.findIndex((a) => names.includes(a) || names.some((n) => a.startsWith(`${n}=`)));
  return i < 0 ? undefined : args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
}

/** A run's first three words, without options and the program options' values: src/iam/commands.ts commandOf finds the command among them. */
export function commandWords(args: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < args.length && words.length < 3; i += 1) {
    if (VALUE_OPTIONS().includes(args[i])) i += 1;
    else if (!args[i].startsWith('-')) words.push(args[i]);
  }
  return words;
}

/** The config a run in `cwd` reads (--config, else cyclops's search places), raw as in the file. */
function configOf(args: string[], cwd: string): { configFile: string | null; config: unknown } {
  const given = optionOf(args, ['-c', '--config']);
  try {
    const explorer = cosmiconfigSync('cyclops', { searchPlaces: SEARCH_PLACES, cache: false });
    const found = given ? explorer.load(path.resolve(cwd, given)) : explorer.search(cwd);
    return found && !found.isEmpty ? { configFile: path.relative(cwd, found.filepath), config: found.config } : { configFile: null, config: null };
  } catch {
    return { configFile: given ?? null, config: null }; // unreadable: the command will say so, and make no request
  }
}

/**
 * Name one cyclops run: the AWS_SDK_UA_APP_ID for its environment, recorded with its config in the
 * suite log (nothing is written when no suite log is kept).
 */
export function invocation(args: string[], opts: { cwd?: string; env: NodeJS.ProcessEnv; how: Invocation['how'] }): { appId: string } {
  const id = randomBytes(5).toString('hex');
  const words = commandWords(args).join('.').replace(/[^A-Za-z0-9_.-]/g, '_');
  const appId = `cyclops_${id}~${words}`.slice(0, 50);
  const dir = process.env.CYCLOPS_SUITE_LOG;
  if (dir && existsSync(dir)) {
    const cwd = opts.cwd ?? process.cwd();
    const record: Invocation = { id, args, ...configOf(args, cwd), key: opts.env.AWS_ACCESS_KEY_ID ?? null, region: opts.env.AWS_REGION ?? opts.env.AWS_DEFAULT_REGION ?? null, how: opts.how };
    appendFileSync(path.join(dir, `invocations-${process.pid}.jsonl`), `${JSON.stringify(record)}\n`);
  }
  return { appId };
}

/** Every line of the suite log's files whose names start with `prefix`. */
export function readSuiteLines<T>(dir: string, prefix: string): T[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T));
}

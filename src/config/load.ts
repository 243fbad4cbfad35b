/**
 * Find, parse and validate the config. Every problem is collected into one CyclopsError
 * (exit code 2) whose details hold one line per problem.
 */
import path from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { usageError } from '../errors';
import { formatIssues } from './format';
import { resolveConfig, type Config } from './model';
import { validatedConfigSchema } from './rules';

export const SEARCH_PLACES = [
  'config.json',
  'package.json',
  '.cyclopsrc',
  '.cyclopsrc.json',
  '.cyclopsrc.yaml',
  '.cyclopsrc.yml',
  'cyclops.config.json',
  'cyclops.config.yaml',
  'cyclops.config.js',
  'cyclops.config.cjs',
];

/** Validate an already-parsed object. `file` is only for messages. */
export function parseConfig(raw: unknown, file: string): Config {
  const result = validatedConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const lines = formatIssues(file, result.error.issues);
    const summary = lines.length === 1 ? lines[0] : `${file}: ${lines.length} problems in config; fix each and run again`;
    throw usageError(summary, lines.length === 1 ? [] : lines);
  }
  return resolveConfig(file, result.data);
}

export async function loadConfig(opts: { configPath?: string; cwd?: string } = {}): Promise<Config> {
  const cwd = opts.cwd ?? process.cwd();
  const explorer = cosmiconfig('cyclops', { searchPlaces: SEARCH_PLACES, cache: false });
  let found: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  try {
    found = opts.configPath ? await explorer.load(path.resolve(cwd, opts.configPath)) : await explorer.search(cwd);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const inFile = /Error in (.+?):/.exec(String(err.message ?? ''))?.[1];
    const where = opts.configPath ?? (inFile ? path.relative(cwd, inFile) : 'config');
    if (err.code === 'ENOENT') throw usageError(`${where}: file not found; check the path given to --config`);
    if (err.code === 'EISDIR') throw usageError(`${where}: is a directory; pass the config file itself to --config`);
    throw usageError(`${where}: cannot be parsed (${parseProblem(String(err.message ?? err))}); fix the syntax`);
  }
  if (!found) {
    throw usageError(`no cyclops config in ${cwd}: looked for config.json and .cyclopsrc*; run "cyclops init" or pass --config PATH`);
  }
  const file = path.relative(cwd, found.filepath) || found.filepath;
  if (found.isEmpty || found.config == null) throw usageError(`${file}: is empty; run "cyclops init" for a starter config`);
  return parseConfig(found.config, file);
}

/** The useful line of a parser's message (cosmiconfig puts a code frame around it). */
function parseProblem(message: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l && !/^[>|]|^\d+ \|/.test(l) && !/^(JSON|YAML) Error in/.test(l));
  return (lines[0] ?? message.split('\n')[0]).replace(/ while parsing .*$/, '');
}

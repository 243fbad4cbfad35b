import { InvalidArgumentError, Option } from 'commander';
import { parseTime } from '../plan/inputs';
import { examples, type Register } from './types';

/** --since/--until: 10m, 1h, 2d or an ISO 8601 time. */
export function timeOption(text: string): number {
  const ms = parseTime(text, Date.now());
  if (ms === null) throw new InvalidArgumentError('is not a time; use a duration back from now (90s, 10m, 1h, 2d) or an ISO 8601 time (2030-01-01T10:00:00Z)');
  return ms;
}

function limitOption(text: string): number {
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > 100_000) throw new InvalidArgumentError('is not an event count; use a whole number from 1 to 100000');
  return Number(text);
}

interface LogsOpts {
  process?: string;
  since?: number;
  until?: number;
  filter?: string;
  follow?: boolean;
  limit?: number;
  tail?: number;
}

export const register: Register = (program, run) => {
  examples(
    program
      .command('logs')
      .description("show the app's logs: every process's streams interleaved by time, each line prefixed with its process and task")
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name')
      .option('--process <name>', 'only this process (web, worker, cron, release)')
      .option('--since <time>', 'from this long ago (10m, 1h, 2d) or this ISO 8601 time (default 1h)', timeOption)
      .option('--until <time>', 'up to this long ago or this ISO 8601 time', timeOption)
      .option('--filter <pattern>', 'a CloudWatch Logs filter pattern, e.g. ERROR or "{ $.level = \\"error\\" }"')
      .option('-f, --follow', 'keep printing new events until Ctrl-C (exit 0); with --json one JSON object per line (NDJSON)')
      .option('-n, --limit <n>', 'the newest N events of the window, printed oldest first (default 1000, or with --since the first 1000 from it); a note on stderr says when more exist', limitOption)
      .addOption(new Option('--tail <n>', 'the same as --limit').argParser(limitOption).conflicts('limit')),
    [
      'cyclops logs shop staging -n 50',
      'cyclops logs shop staging --since 10m',
      'cyclops logs shop staging --process worker --filter ERROR',
      'cyclops logs shop production --follow',
      'cyclops logs shop staging --follow --json | jq -r .message',
      'cyclops logs shop staging --since 2030-01-01T10:00:00Z --until 2030-01-01T11:00:00Z --json',
    ],
  ).action(
    run(async (ctx, app: string, env: string, opts: LogsOpts) => {
      const [{ appTarget }, logs] = await Promise.all([import('../plan/target'), import('../ops/logs')]);
      const target = appTarget(await ctx.config(), app, env);
      const ops = await ctx.ops(target);
      const rep = ctx.reporter;
      // The newest lines, as tail -n does; --since alone reads forward from that time.
      const limit = opts.limit ?? opts.tail;
      const o = { process: opts.process, since: opts.since, until: opts.until, pattern: opts.filter, limit, newest: limit !== undefined || opts.since === undefined };
      if (opts.follow) {
        rep.ndjson = rep.json;
        await logs.followLogs(ops, target, o);
        return 0; // Ctrl-C is how a follow ends
      }
      const r = await logs.readLogs(ops, target, o);
      for (const e of r.events) rep.emit({ type: 'log-event', code: 'logs.event', ...e });
      if (r.more && r.newest) rep.warn('logs.truncated', { group: r.group, shown: r.events.length }, `showing the newest ${r.events.length} events of ${r.group}; older ones exist: raise --limit, or read forward from a time with --since (without --limit)`);
      else if (r.more) rep.warn('logs.truncated', { group: r.group, shown: r.events.length }, `showing the first ${r.events.length} events of ${r.group} from --since; more exist: narrow --since/--until, add --filter, or use --limit N for the newest N`);
      else if (!r.events.length) rep.info('logs.empty', { group: r.group }, `no log events in ${r.group} for that time range`);
      rep.result({ events: r.events, more: r.more });
    }),
  );
};

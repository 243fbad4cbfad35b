import { Option } from 'commander';
import { positiveIntOption } from './options';
import { examples, type Register } from './types';

const limitOption = positiveIntOption('a number of releases; use a whole number of at least 1, such as 10');
const releaseNumber = positiveIntOption('a release number; use one from "cyclops releases APP ENV", such as 81');
/** `releases` without --limit or --all shows the newest 20. */
const DEFAULT_LIMIT = 20;

export const register: Register = (program, run) => {
  examples(
    program
      .command('releases')
      .description("APP's release log in ENV, newest first: number, when, who, kind, what it changed, outcome and duration; the current release is marked *")
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .option('--limit <n>', `show the newest N releases (default ${DEFAULT_LIMIT})`, limitOption)
      .addOption(new Option('--all', 'show every release').conflicts('limit'))
      .option('--before <n>', 'only releases numbered below N (the next page: --before is printed under each page)', releaseNumber),
    ['cyclops releases shop staging', 'cyclops releases shop production --limit 5 --json', 'cyclops releases shop staging --before 81', 'cyclops releases shop staging --all --json'],
  ).action(
    run(async (ctx, app: string, env: string, opts: { limit?: number; all?: boolean; before?: number }) => {
      const [{ appTarget }, { listReleases }] = await Promise.all([import('../plan/target'), import('../ops/release-log')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await listReleases(await ctx.ops(target), target, { limit: opts.all ? undefined : (opts.limit ?? DEFAULT_LIMIT), before: opts.before });
      const rep = ctx.reporter;
      const more = r.next !== null ? `\nolder releases: cyclops releases ${app} ${env} --before ${r.next}` : '';
      rep.result(
        r,
        r.releases.length
          ? rep.table(r.releases, [
              { header: '', get: (x) => (x.current ? '*' : '') },
              { header: 'release', get: (x) => x.number },
              { header: 'when', get: (x) => x.when },
              { header: 'who', get: (x) => x.who },
              { header: 'kind', get: (x) => x.kind },
              { header: 'description', get: (x) => x.description },
              { header: 'outcome', get: (x) => (x.problem ? `unreadable (${x.problem})` : x.outcome) },
              { header: 'duration', get: (x) => (x.durationSeconds !== undefined ? `${x.durationSeconds}s` : '-') },
            ]) + more
          : `${app} has no releases in ${env}${opts.before ? ` before release ${opts.before}` : ''}`,
      );
    }),
  );
};

import { timeOption } from './logs';
import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  examples(
    program
      .command('metrics')
      .description("APP's CPU and memory per process, and requests, 5xx rate, response time p50/p95 and healthy targets of its web process in ENV, as charts in the terminal (gaps where there is no data) with releases marked")
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .option('--since <time>', 'from this long ago (30m, 3h, 2d) or this ISO 8601 time (default 3h)', timeOption)
      .option('--process <name>', 'only this process (web or worker)'),
    ['cyclops metrics shop production', 'cyclops metrics shop production --since 1d --process web', 'cyclops metrics shop staging --since 30m --json'],
  ).action(
    run(async (ctx, app: string, env: string, opts: { since?: number; process?: string }) => {
      const [{ appTarget }, { metrics }, { renderChart }] = await Promise.all([import('../plan/target'), import('../ops/metrics'), import('../report/sparkline')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await metrics(await ctx.ops(target), target, { since: opts.since ?? Date.now() - 3 * 3_600_000, process: opts.process });
      const unit = (u: string) => (u === '%' ? '%' : u === 's' ? 's' : '');
      const width = (process.stdout as { columns?: number }).columns ?? 80;
      const lines = renderChart(
        r.series.map((s) => ({ label: s.name, values: s.values, unit: unit(s.unit) })),
        { width: Math.min(width, 120), start: Date.parse(r.start), end: Date.parse(r.end), marks: r.releases.map((x) => ({ label: String(x.number), at: Date.parse(x.at) })), c: ctx.reporter.cOut },
      );
      ctx.reporter.result(r, [`${app} in ${env}, ${r.start.slice(0, 16)}Z to ${r.end.slice(0, 16)}Z, one point per ${r.periodSeconds / 60} min`, ...lines, ...r.notes]);
    }),
  );
};

import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  examples(
    program
      .command('ps')
      .description("APP's tasks in ENV, one line each (process, task, status, health, age, release, image digest, zone, size), and those that stopped in the last hour with why")
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .option('--process <name>', 'only this process (web or worker)'),
    ['cyclops ps shop production', 'cyclops ps shop production --process worker', 'cyclops ps shop staging --json'],
  ).action(
    run(async (ctx, app: string, env: string, opts: { process?: string }) => {
      const [{ appTarget }, { ps, age }, { shortDigest }] = await Promise.all([import('../plan/target'), import('../ops/ps'), import('../ops/release-describe')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await ps(await ctx.ops(target), target, { process: opts.process });
      const rep = ctx.reporter;
      const size = (x: { cpu: string | null; memory: string | null }) => (x.cpu || x.memory ? `${x.cpu ?? '-'}/${x.memory ?? '-'}` : '-');
      const release = (x: { release: number | null; imageDigest: string | null }) => `${x.release ?? '?'}${x.imageDigest ? ` ${shortDigest(x.imageDigest)}` : ''}`;
      const counts = r.processes.map((p) => `${p.name} ${p.running}/${p.desired}${p.pending ? ` (${p.pending} pending)` : ''}${p.rollout && p.rollout !== 'COMPLETED' ? ` ${p.rollout}` : ''}`).join(', ');
      rep.result(r, [
        `${app} in ${env}: release ${r.release ?? '-'}; ${counts || 'no services'}`,
        r.tasks.length
          ? rep.table(r.tasks, [
              { header: 'process', get: (x) => x.process },
              { header: 'task', get: (x) => x.id.slice(0, 12) },
              { header: 'status', get: (x) => `${x.desiredStatus ?? '-'}/${x.lastStatus ?? '-'}` },
              { header: 'health', get: (x) => x.health ?? '-' },
              { header: 'age', get: (x) => age(x.ageSeconds) },
              { header: 'release', get: release },
              { header: 'zone', get: (x) => x.availabilityZone ?? '-' },
              { header: 'cpu/mem', get: size },
            ])
          : 'no tasks running',
        ...(r.stopped.length
          ? [
              '',
              'stopped in the last hour:',
              rep.table(r.stopped, [
                { header: 'process', get: (x) => x.process },
                { header: 'task', get: (x) => x.id.slice(0, 12) },
                { header: 'stopped', get: (x) => x.stoppedAt ?? '-' },
                { header: 'release', get: release },
                { header: 'exit', get: (x) => x.exitCode ?? '-' },
                { header: 'why', get: (x) => [x.stopCode, x.stoppedReason, x.containerReason].filter(Boolean).join(': ') || '-' },
              ]),
            ]
          : []),
      ]);
    }),
  );
};

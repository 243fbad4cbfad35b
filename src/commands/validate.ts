import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  examples(
    program.command('validate').description('check the config and print what it describes; touches nothing'),
    ['cyclops validate', 'cyclops validate --config prod.json --json'],
  ).action(
    run(async (ctx) => {
      const config = await ctx.config();
      const { configWarnings } = await import('../config/warnings');
      const { appsByEnvironment, processesText } = await import('../config/summary');
      const perEnv = appsByEnvironment(config);
      const envs = Object.values(config.environments);
      const apps = Object.values(config.apps);
      const warnings = configWarnings(config);
      for (const w of warnings) ctx.reporter.warn('config.warning', {}, w);
      ctx.reporter.result(
        {
          ok: true,
          file: config.file,
          platform: config.platform,
          ports: config.ports,
          warnings,
          environments: envs.map((e) => ({ name: e.name, domain: e.dns.domain, capacity: e.capacity.type, database: e.database.type, tls: e.tls.mode })),
          apps: apps.map((a) => ({ name: a.name, processes: a.processes.map((p) => p.kind), database: a.database })),
          // each app as it is in each environment, its environments.<env> settings merged
          deployments: perEnv,
        },
        [
          `${config.file}: valid`,
          `platform ${config.platform.name} in ${config.platform.region}, bucket ${config.platform.bucket}`,
          ctx.reporter.table(envs, [
            { header: 'environment', get: (e) => e.name },
            { header: 'domain', get: (e) => e.dns.domain },
            { header: 'capacity', get: (e) => e.capacity.type },
            { header: 'database', get: (e) => e.database.type },
            { header: 'tls', get: (e) => e.tls.mode },
          ]),
          ctx.reporter.table(apps, [
            { header: 'app', get: (a) => a.name },
            { header: 'processes', get: (a) => a.processes.map((p) => p.kind).join(',') },
            { header: 'database', get: (a) => (a.database ? 'yes' : 'no') },
          ]),
          ctx.reporter.table(perEnv, [
            { header: 'app', get: (s) => s.app },
            { header: 'environment', get: (s) => (s.merged ? `${s.env} *` : s.env) },
            { header: 'processes (count×cpu/memory)', get: (s) => processesText(s) },
            { header: 'health', get: (s) => s.healthCheckPath },
          ]),
          ...(perEnv.some((s) => s.merged) ? ['* with its environments.<env> settings merged'] : []),
        ],
      );
    }),
  );
};

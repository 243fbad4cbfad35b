import { timeoutFlag } from './options';
import { examples, type Register } from './types';
import type { DomainState } from '../ops/domain-states';
import type { Reporter } from '../report/reporter';

/** One row per domain: its zone, its certificate's state and where its DNS points (status and domains). */
export const domainTable = (rep: Reporter, domains: DomainState[]): string =>
  rep.table(domains, [
    { header: 'domain', get: (d) => d.name },
    { header: 'zone', get: (d) => (d.zone === 'external' ? 'elsewhere' : `${d.zoneId ?? '?'}${d.zone === 'env' ? ' (env)' : ''}`) },
    { header: 'certificate', get: (d) => `${d.certificate.status}${d.certificate.attached ? ' (attached)' : ''}` },
    { header: 'dns', get: (d) => d.dns },
  ]);

export const register: Register = (program, run) => {
  examples(
    program
      .command('domains')
      .description("APP's custom domains in ENV: requests the certificate of those whose DNS zone is elsewhere, prints the records to create there, and puts the certificate on the HTTPS listener once ACM issued it")
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .option('--prune', 'also delete the certificates of an earlier list of domains that nothing uses')
      .addOption(timeoutFlag()),
    ['cyclops domains shop production', 'cyclops domains shop production --json', 'cyclops domains shop production --prune'],
  ).action(
    run(async (ctx, app: string, env: string, opts: { prune?: boolean; timeout: number }) => {
      const [{ appTarget }, { domains }] = await Promise.all([import('../plan/target'), import('../ops/domains')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await domains(await ctx.ops(target), target, { prune: opts.prune, timeoutSeconds: opts.timeout });
      const rep = ctx.reporter;
      const note = r.records.some((x) => x.type === 'ALIAS')
        ? ['', 'ALIAS: a CNAME cannot sit at a zone apex; use your DNS provider\'s ALIAS, ANAME or flattened CNAME, or host the zone in Route 53 and give its hostedZoneId in config (cyclops then makes the records itself).']
        : [];
      rep.result(r, [
        `${r.app} in ${r.env}: certificate ${r.certificate ? `${r.certificate.arn} ${r.certificate.status}` : '-'}; ${r.attached}`,
        ...(r.domains.length
          ? ['', domainTable(rep, r.domains)]
          : [`no custom domains for ${r.app} in ${r.env}`]),
        ...(r.records.length
          ? ['', 'create at your DNS provider:', rep.table(r.records, [
              { header: 'for', get: (x) => `${x.purpose} ${x.domain}` },
              { header: 'name', get: (x) => x.name },
              { header: 'type', get: (x) => x.type },
              { header: 'value', get: (x) => x.value },
            ]), ...note]
          : []),
        ...(r.stale.length ? ['', ...r.stale.map((s) => `stale certificate ${s.arn} (${s.names.join(', ')}, ${s.status})${s.outcome ? `: ${s.outcome}` : ''}`)] : []),
      ]);
    }),
  );
};

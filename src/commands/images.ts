import { Option } from 'commander';
import { positiveIntOption } from './options';
import { examples, type Register } from './types';
import { usageError } from '../errors';
import { checkApp, didYouMean } from '../naming';

/** `images` without --limit or --all shows the newest 20 (and every image an environment runs). */
const DEFAULT_LIMIT = 20;
const limitOption = positiveIntOption('a number of images; use a whole number of at least 1, such as 10');

const mb = (bytes: number | null) => (bytes === null ? '-' : `${(bytes / 1_000_000).toFixed(1)} MB`);
const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');

export const register: Register = (program, run) => {
  examples(
    program
      .command('images')
      .description("APP's images in its ECR repository, newest first: tags, digest, architectures, size, push time, which releases carry each and which environment runs it, and when the lifecycle policy expires it")
      .argument('<app>', 'app name from config')
      .argument('[env]', 'only what this environment runs (default: every environment in config)')
      .option('--limit <n>', `show the newest N images (default ${DEFAULT_LIMIT}); images an environment runs are always shown`, limitOption)
      .addOption(new Option('--all', 'show every image').conflicts('limit')),
    ['cyclops images shop', 'cyclops images shop production --json', 'cyclops images shop --all'],
  ).action(
    run(async (ctx, app: string, env: string | undefined, opts: { limit?: number; all?: boolean }) => {
      const config = await ctx.config();
      checkApp(app);
      if (!config.apps[app]) throw usageError(`app "${app}": not in apps in ${config.file}${didYouMean(app, Object.keys(config.apps))}; images lists the repository of a configured app`);
      const [{ envTarget }, { listAppImages }] = await Promise.all([import('../plan/target'), import('../ops/image-list')]);
      const target = env === undefined ? { platform: config.platform.name, app } : { ...envTarget(config, env), app };
      const r = await listAppImages(await ctx.ops(), target, { limit: opts.all ? undefined : (opts.limit ?? DEFAULT_LIMIT) });
      const rep = ctx.reporter;
      const runs = r.current.map((c) => `${c.env}: ${c.release === null ? 'nothing deployed' : `release ${c.release}${c.digest ? '' : ` (${c.image}, not by digest)`}`}`);
      const more = r.images.length < r.total ? `\n${r.total - r.images.length} older image(s) not shown: cyclops images ${app}${env ? ` ${env}` : ''} --all` : '';
      rep.result(
        r,
        [
          `${r.repository} (${r.total} image(s); untagged images expire ${r.untaggedDays} days after their push)`,
          r.images.length
            ? rep.table(r.images, [
                { header: 'digest', get: (x) => x.digest.slice(0, 19) },
                { header: 'tags', get: (x) => x.tags.join(' ') || (x.partOf ? `(of ${x.partOf.slice(0, 19)})` : '-') },
                { header: 'arch', get: (x) => x.architectures?.join(',') || '?' },
                { header: 'size', get: (x) => mb(x.sizeBytes) },
                { header: 'pushed', get: (x) => day(x.pushedAt) },
                { header: 'releases', get: (x) => x.releases.map((l) => `${l.env}#${l.release}`).join(' ') || '-' },
                { header: 'runs in', get: (x) => x.running.map((l) => l.env).join(' ') || '-' },
                { header: 'expires', get: (x) => (x.expires ? day(x.expires) : 'kept') },
              ]) + more
            : 'no images: push one with "cyclops deploy --build DIR APP ENV"',
          ...runs,
        ].join('\n'),
      );
    }),
  );
};

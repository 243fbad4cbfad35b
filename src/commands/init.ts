import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors';

import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  examples(
    program
      .command('init')
      .description('write a starter config.json in the working directory')
      .option('--name <platform>', 'platform name', 'acme')
      .option('--domain <domain>', 'parent domain; environments get <env>.<domain>', 'example.com')
      .option('-o, --output <file>', 'file to write', 'config.json')
      .option('--force', 'overwrite an existing file'),
    ['cyclops init --name acme --domain acme.dev', 'cyclops init --output staging.json --force'],
  ).action(
    run(async (ctx, opts: { name: string; domain: string; output: string; force?: boolean; region?: string }) => {
      const file = path.resolve(opts.output);
      if (existsSync(file) && !opts.force) {
        throw usageError(`${opts.output}: already exists; pass --force to overwrite it, or --output another file`);
      }
      const { starterConfig } = await import('../config/starter');
      const config = starterConfig({ name: opts.name, region: ctx.options.region ?? 'eu-west-1', domain: opts.domain });
      writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
      ctx.reporter.success('init.written', { file: opts.output }, `wrote ${opts.output}; next: cyclops synth --all --out out`);
      ctx.reporter.result({ file, platform: opts.name }, file);
    }),
  );
};

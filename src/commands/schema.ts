/**
 * `cyclops schema`: the JSON Schema of config.json, generated from the zod schema. Needs no
 * config. The package ships the same document as schema.json (scripts/build.mjs writes it), which
 * `cyclops init` names in "$schema".
 */
import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  examples(
    program.command('schema').description('print the JSON Schema of config.json (for editors: "$schema" in config.json)'),
    ['cyclops schema > cyclops.schema.json', 'cyclops schema --json | jq .schema.properties.apps'],
  ).action(
    run(async (ctx) => {
      const { configJsonSchema } = await import('../config/json-schema');
      const schema = configJsonSchema();
      if (ctx.reporter.json) ctx.reporter.result({ ok: true, schema });
      else ctx.reporter.raw(JSON.stringify(schema, null, 2));
    }),
  );
};

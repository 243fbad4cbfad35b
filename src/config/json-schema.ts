/**
 * The JSON Schema of config.json, generated from the zod schema (zod 4's z.toJSONSchema), never
 * written by hand: editors complete and check keys and values with it. It says what the shapes
 * say (keys, types, enums, ranges, patterns); the cross-field rules of rules.ts (a Fargate
 * size pair, a name that extends another environment's) only `cyclops validate` checks.
 * Draft-07, the draft VS Code's JSON language service reads in full.
 */
import { z } from 'zod';
import { configSchema } from './schema';

/** Where `cyclops init` points "$schema": the file the package ships (built by scripts/build.mjs). */
export const SCHEMA_REF = './node_modules/cyclops/schema.json';

export function configJsonSchema(): Record<string, unknown> {
  // io "input": keys with defaults are optional, as they are in a config file.
  const schema = z.toJSONSchema(configSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any', reused: 'ref' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'cyclops config.json',
    description: 'The platform, its environments and its apps (docs/config.md). Cross-field rules are checked by "cyclops validate".',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

/** JSON Patch operations from config, labelled with where config has them (for messages). */
import type { ParsedConfig } from './schema';

/** An RFC 6902 operation, as config gives it. */
export type PatchOperation = NonNullable<ParsedConfig['environments'][string]['overrides']>[number];
/** An operation and where config has it ("apps.web.environments.production.overrides[0]"), for messages. */
export interface Override {
  at: string;
  op: PatchOperation;
}
export const labelled = (at: string, ops: PatchOperation[] | undefined): Override[] => (ops ?? []).map((op, i) => ({ at: `${at}[${i}]`, op }));

/**
 * The command tree. Every command module is imported here statically, so its top-level code
 * runs on every start (also for `--help`): keep it to the command's spec (name, arguments,
 * options, description, examples) and an action whose body imports what it needs.
 *
 * Adding a command (and converting one):
 * 1. src/commands/<name>.ts exports `register: Register`; list it below in --help order.
 * 2. At top level import only commander, ./types, ./options, ../errors, ../naming and other
 *    pure helpers. Everything else (ops, the config loader, the reporter, chalk, templates,
 *    the SDK) is imported inside the action: `const { x } = await import('../ops/x')`.
 *    Type-only imports (`import type`) are free.
 * 3. `npm run build` fails, naming the module, when the start-up chunk reaches something
 *    heavy (scripts/build.mjs, FORBIDDEN); docs/commands.md is regenerated with
 *    `node scripts/gen-commands-doc.mjs`.
 */
import type { Register } from './types';
import { register as init } from './init';
import { register as synth } from './synth';
import { register as validate } from './validate';
import { register as schema } from './schema';
import { register as env } from './env';
import { register as deploy } from './deploy';
import { register as apps } from './apps';
import { register as db } from './db';
import { register as bootstrap } from './bootstrap';
import { register as ci } from './ci';
import { register as configCmd } from './config';
import { register as ports } from './ports';
import { register as unlock } from './unlock';
import { register as releases } from './releases';
import { register as images } from './images';
import { register as rollback } from './rollback';
import { register as abort } from './abort';
import { register as promote } from './promote';
import { register as scale } from './scale';
import { register as domainsCmd } from './domains';
import { register as restart } from './restart';
import { register as ps } from './ps';
import { register as metrics } from './metrics';
import { register as vars } from './vars';
import { register as secrets } from './secrets';
import { register as logs } from './logs';
import { register as notify } from './notify';
import { register as email } from './email';
import { register as runCmd } from './run';
import { register as exec } from './exec';
import { register as iamPolicy } from './iam-policy';
import { register as previews } from './previews';
import { register as completion } from './completion';

/**
 * Every top-level command by name, in the order --help lists them, with the module that
 * registers it (apps.ts registers status, apps and destroy). A run registers only the module
 * of the command it names (see `registersFor`); test/unit/cli-lazy-tree.test.ts checks that
 * every command a module registers is listed here under that module.
 */
export const commandsByName: Record<string, Register> = {
  init,
  validate,
  schema,
  synth,
  env,
  deploy,
  promote,
  abort,
  status: apps,
  apps,
  destroy: apps,
  ps,
  metrics,
  db,
  bootstrap,
  ci,
  config: configCmd,
  ports,
  unlock,
  releases,
  images,
  rollback,
  scale,
  domains: domainsCmd,
  restart,
  vars,
  secrets,
  logs,
  notify,
  email,
  run: runCmd,
  exec,
  previews,
  'iam-policy': iamPolicy,
  completion,
};

/** Every command, in the order --help lists them. */
export const commands: Register[] = [...new Set(Object.values(commandsByName))];

/** Commands whose action reads the whole tree (completion scripts list every command). */
const NEEDS_TREE = new Set(['completion']);

/**
 * The commands a run needs: the one `name` (the first word of the command line) names, or
 * every one for --help, the `help` command, an unknown or missing name (its "did you mean"
 * weighs every name) and the commands that read the tree. Building the whole tree costs
 * start-up most of its time (bench/startup.mjs); a run needs one branch of it.
 */
export function registersFor(name: string | undefined): Register[] {
  const one = name !== undefined && !NEEDS_TREE.has(name) && Object.hasOwn(commandsByName, name) ? commandsByName[name] : undefined;
  return one ? [one] : commands;
}

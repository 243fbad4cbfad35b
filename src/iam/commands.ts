/**
 * The policy level each command needs (`cyclops iam-policy --for <level>`), by its path
 * ("secrets set", "config push app"). "none": the command makes no AWS request.
 *
 * test/iam-suite/ decides every request the integration suite makes each command send, with an
 * IAM evaluator, against the policy of this level (and of every level above it), and checks that
 * `read` denies every write; test/integration/iam-eval.test.ts does so per command for a
 * representative set, with the levels below too; test/unit/iam-commands.test.ts fails when a
 * command has no row here.
 */
import type { Level } from './ops-map';

export type CommandLevel = Level | 'none';

export const COMMAND_LEVELS: Record<string, CommandLevel> = {
  // no AWS at all
  init: 'none',
  validate: 'none',
  schema: 'none',
  synth: 'none',
  'synth platform': 'none',
  'synth cluster': 'none',
  'synth app': 'none',
  completion: 'none',
  __complete: 'none', // the shell completion's hidden helper
  // the platform, environments and what only admin writes in the bucket
  bootstrap: 'admin',
  'env create': 'admin',
  'env update': 'admin',
  'env delete': 'admin',
  'config push platform': 'admin',
  'config push cluster': 'admin',
  // apps: what CI gets
  deploy: 'deploy',
  promote: 'deploy',
  rollback: 'deploy',
  abort: 'deploy',
  scale: 'deploy',
  domains: 'deploy',
  restart: 'deploy',
  destroy: 'deploy',
  run: 'deploy',
  exec: 'deploy',
  unlock: 'deploy',
  'config push app': 'deploy',
  'config push ports': 'deploy',
  'ports allocate': 'deploy',
  'ports release': 'deploy',
  'vars set': 'deploy',
  'vars unset': 'deploy',
  'secrets set': 'deploy',
  'secrets unset': 'deploy',
  'secrets restore': 'deploy',
  'previews prune': 'deploy',
  'db ensure': 'deploy',
  'db info': 'deploy',
  'db drop': 'deploy',
  'notify test': 'deploy',
  'email rotate': 'deploy', // sns:Publish is a write: the read level stays read-only
  // reading
  status: 'read',
  ps: 'read',
  metrics: 'read',
  'env status': 'read',
  'apps list': 'read',
  releases: 'read',
  images: 'read',
  logs: 'read',
  'env list': 'read',
  'env show': 'read',
  'config read platform': 'read',
  'config read cluster': 'read',
  'config read app': 'read',
  'config read ports': 'read',
  'ports list': 'read',
  'vars list': 'read',
  'secrets list': 'read',
  'previews list': 'read',
  'ci show': 'read',
  'iam-policy': 'read',
};

/**
 * The command a recorded request came from: the longest row whose words start `words`
 * ("deploy", "registry.example.com/shop:1" → "deploy"; "config", "push", "app" → "config push app").
 */
export function commandOf(words: string[]): string | undefined {
  for (let n = Math.min(words.length, 3); n > 0; n -= 1) {
    const name = words.slice(0, n).join(' ');
    if (Object.hasOwn(COMMAND_LEVELS, name)) return name;
  }
  return undefined;
}

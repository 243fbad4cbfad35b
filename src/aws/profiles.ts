/**
 * Checks on where the SDK will connect, made before any AWS call: the endpoint parses as an
 * http(s) URL, and a named profile exists in the shared config or credentials file. Only
 * section names are read from those files; their contents are never printed.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkEndpoint, checkProfileName } from '../config/options';
import { usageError } from '../errors';

export interface ProfileFiles {
  config: string;
  credentials: string;
}

export function profileFiles(env: NodeJS.ProcessEnv = process.env): ProfileFiles {
  const home = os.homedir();
  return {
    config: env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'),
  };
}

/** Section names of an ini file: "[profile x]" counts as x in the config file, "[x]" in both. */
export function iniProfiles(text: string, isConfig: boolean): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
    if (!m) continue;
    const section = m[1];
    const prof = /^profile\s+(.+)$/.exec(section);
    if (prof) names.push(prof[1].trim());
    else if (!isConfig || !/\s/.test(section)) names.push(section); // "[sso-session x]", "[services x]" are not profiles
  }
  return names;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Throw a usage error naming the profile and the files looked in, unless one defines it. */
export function checkProfile(name: string, source: string, env: NodeJS.ProcessEnv = process.env): void {
  checkProfileName(name, source);
  const files = profileFiles(env);
  const known = new Set([...iniProfiles(read(files.config) ?? '', true), ...iniProfiles(read(files.credentials) ?? '', false)]);
  if (known.has(name)) return;
  const where = `${files.config}${env.AWS_CONFIG_FILE ? ' (AWS_CONFIG_FILE)' : ''} and ${files.credentials}${env.AWS_SHARED_CREDENTIALS_FILE ? ' (AWS_SHARED_CREDENTIALS_FILE)' : ''}`;
  const others = [...known].sort();
  const fix =
    source === 'AWS_PROFILE'
      ? `unset AWS_PROFILE or set it to a profile that exists${others.length ? ` (${others.join(', ')})` : ''}`
      : `use a profile that exists${others.length ? ` (${others.join(', ')})` : ''}, or add [profile ${name}] to ${files.config}`;
  throw usageError(`AWS profile "${name}" (from ${source}): not found in ${where}; ${fix}`);
}

/**
 * The checks `connect` makes before it creates a client. The CLI has already checked the
 * --profile and --endpoint-url flags; what is left comes from config or the environment.
 */
export function checkConnection(opts: { profile?: string; endpoint?: string }, env: NodeJS.ProcessEnv = process.env): void {
  if (opts.endpoint !== undefined) checkEndpoint(opts.endpoint, opts.endpoint === env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : 'aws.endpoint');
  const profile = opts.profile ?? env.AWS_PROFILE;
  if (profile) checkProfile(profile, opts.profile ? '--profile or aws.profile' : 'AWS_PROFILE', env);
}

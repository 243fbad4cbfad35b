/** Checks on the env and app names the store is asked about: usage errors, nothing touched. */
import type { Config } from '../config/model';
import { usageError } from '../errors';
import { LABEL_RE } from '../naming';

export function checkEnv(config: Config, env: string): void {
  if (Object.hasOwn(config.environments, env)) return;
  const known = Object.keys(config.environments);
  throw usageError(
    `environment "${env}": not in ${config.file}; use one of: ${known.length ? known.join(', ') : '(none configured)'}, or add it under "environments"`,
  );
}

export function checkApp(app: string): void {
  if (!LABEL_RE.test(app)) {
    throw usageError(`app "${app}": not a valid app name; use lowercase letters, digits and dashes (a DNS label, at most 63 characters, starting with a letter)`);
  }
}

export function checkAppEnv(config: Config, app: string, env: string): void {
  checkApp(app);
  checkEnv(config, env);
}

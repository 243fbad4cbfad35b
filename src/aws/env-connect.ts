/**
 * Clients for an environment that lives in another account or region (`environments.<env>.aws`):
 * its region, and credentials from its role (assumed with the home credentials) or its profile.
 * Neither: the home credentials, in the environment's region.
 */
import type { EnvAwsConfig } from '../config/model';
import { connect, type Aws, type AwsOptions } from './client';
import { assumedRole, sessionName } from './sts';

export function connectEnv(home: Aws, opts: AwsOptions, env: EnvAwsConfig, user: string): Promise<Aws> {
  return connect({
    ...opts,
    region: env.region,
    ...(env.roleArn ? { credentials: assumedRole(home, env.roleArn, sessionName(user)), profile: undefined } : env.profile ? { profile: env.profile } : {}),
  });
}

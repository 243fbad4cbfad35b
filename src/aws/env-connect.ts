/**
 * Clients for an environment that lives in another account or region (`environments.<env>.aws`):
 * its region, and credentials from its role (assumed with the home credentials) or its profile.
 * Neither: the home credentials, in the environment's region.
 */
import type { EnvAwsConfig } from '../config/model';
import { connect, type Aws, type AwsOptions } from './client';
import { assumedRole, sessionName } from './sts';

/** The role to assume there (read commands: the read role beside the deploy role) and the line to fail with if STS refuses it. */
export interface EnvRole {
  arn: string;
  denied?: string;
}

export function connectEnv(home: Aws, opts: AwsOptions, env: EnvAwsConfig, user: string, role?: EnvRole): Promise<Aws> {
  const arn = role?.arn ?? env.roleArn;
  return connect({
    ...opts,
    region: env.region,
    ...(arn ? { credentials: assumedRole(home, arn, sessionName(user), role?.denied), profile: undefined } : env.profile ? { profile: env.profile } : {}),
  });
}

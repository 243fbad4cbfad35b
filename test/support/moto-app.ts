/** A config.json for an app platform in moto: one "staging" environment in a zone made for it. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Aws } from '../../src/aws/client';
import { TEST_REGION } from './store-env';
import { createZone } from './zones';
import { runCli } from './run-cli';

export interface MotoPlatform {
  platform: string;
  bucket: string;
  domain: string;
  range: [number, number];
  /** the staging environment's settings beside dns (database, capacity …) */
  staging: Record<string, unknown>;
  apps: Record<string, unknown>;
}

export async function writeMotoConfig(aws: Aws, dir: string, p: MotoPlatform): Promise<void> {
  const hostedZoneId = await createZone(aws, p.domain);
  const config = {
    platform: { name: p.platform, region: TEST_REGION, bucket: p.bucket },
    ports: { range: p.range },
    environments: { staging: { dns: { domain: p.domain, hostedZoneId }, ...p.staging } },
    apps: p.apps,
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
}

/** The environment of a cyclops process run against the suite's moto. */
export const motoEnv = () => ({ AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION, AWS_EC2_METADATA_DISABLED: 'true' });
/** cyclops in `dir` against moto. */
export const motoCli =
  (dir: string) =>
  (...args: string[]) =>
    runCli(args, { cwd: dir, env: motoEnv() });
/** A run's exit code, and its stderr when it failed: compare with `ok`. */
export const outcome = (r: { code: number; stderr: string }) => ({ code: r.code, stderr: r.code === 0 ? '' : r.stderr });
export const ok = { code: 0, stderr: '' };

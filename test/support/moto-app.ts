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

/** Two environments and one app, as the promote, Action, region and account tests use them. */
export interface TwoEnvPlatform {
  platform: string;
  bucket: string;
  /** production's domain; staging's is staging.<domain> */
  domain: string;
  range: [number, number];
  /** where production's zone is made (another account's clients), when not with staging's */
  productionAws?: Aws;
  /** production's settings beside dns and database: where it lives (its aws section) */
  production?: Record<string, unknown>;
  /** the app shop's settings beside its one web task and no database */
  shop?: Record<string, unknown>;
}

/**
 * A config.json with "staging" (staging.<domain>) and "production" (<domain>), each in a zone
 * made for it, no database, and one app "shop" with one web task (one task: moto reports a
 * completed rollout only for services of at most one). Returns what it wrote.
 */
export async function writeTwoEnvConfig(aws: Aws, dir: string, p: TwoEnvPlatform) {
  const staging = await createZone(aws, `staging.${p.domain}`);
  const production = await createZone(p.productionAws ?? aws, p.domain);
  const none = { type: 'none' };
  const config = {
    platform: { name: p.platform, region: TEST_REGION, bucket: p.bucket },
    ports: { range: p.range },
    environments: {
      staging: { dns: { domain: `staging.${p.domain}`, hostedZoneId: staging }, database: none },
      production: { ...p.production, dns: { domain: p.domain, hostedZoneId: production }, database: none },
    },
    apps: { shop: { processes: { web: { port: 3000, count: 1 } }, ...p.shop, database: false } },
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return config;
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

/**
 * Helpers for the config-bucket tests: a config with a bucket name unique to the test file
 * (test files share one moto), an Aws connected to moto, and a config.json on disk for CLI runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Aws } from '../../src/aws/client';
import type { Config } from '../../src/config/model';
import { parseConfig } from '../../src/config/load';

export const TEST_REGION = 'eu-west-1';

export function setTestCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = TEST_REGION;
}

export function rawStoreConfig(bucket: string, range: [number, number] = [20000, 29999]) {
  return {
    platform: { name: 'acme', region: TEST_REGION, bucket },
    ports: { range },
    environments: {
      staging: { dns: { domain: 'staging.acme.dev' }, database: { type: 'none' } },
      production: { dns: { domain: 'acme.dev' }, database: { type: 'none' } },
    },
    apps: { web: { processes: { web: { port: 3000 } } } },
  };
}

export function storeConfig(bucket: string, range?: [number, number]): Config {
  return parseConfig(rawStoreConfig(bucket, range), 'config.json');
}

export function motoAws(): Promise<Aws> {
  setTestCredentials();
  return connect({ region: TEST_REGION, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2 });
}

/** A working directory with config.json, and the environment for running the CLI against moto. */
export function cliWorkspace(bucket: string, range?: [number, number]): { cwd: string; env: NodeJS.ProcessEnv; writeConfig: (r: [number, number]) => void } {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'cyclops-store-'));
  const writeConfig = (r: [number, number]) => writeFileSync(path.join(cwd, 'config.json'), JSON.stringify(rawStoreConfig(bucket, r), null, 2));
  writeConfig(range ?? [20000, 29999]);
  return {
    cwd,
    writeConfig,
    env: {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: TEST_REGION,
      AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  };
}

/**
 * A bucket without cyclops' settings (faster than ensureBucket), for tests that only store
 * objects. Bootstrapped buckets work too: moto-proxy.mjs keeps bucket policies away from moto,
 * which would otherwise apply the TLS-only Deny to every request.
 */
export async function createPlainBucket(aws: Aws, bucket: string): Promise<void> {
  try {
    await aws.s3.send(new aws.sdk.s3.CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: TEST_REGION } }));
  } catch (e) {
    if ((e as Error).name !== 'BucketAlreadyOwnedByYou') throw e;
  }
}

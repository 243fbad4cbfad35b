/** A config.json for an app platform in moto: one "staging" environment in a zone made for it. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Aws } from '../../src/aws/client';
import { TEST_REGION } from './store-env';
import { createZone } from './zones';

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

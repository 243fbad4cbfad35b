import { parseConfig } from './load';
import type { RawConfig } from './schema';
import { SCHEMA_REF } from './json-schema';

/** A small valid config: staging and production, one app on defaults. */
export function starterConfig(o: { name: string; region: string; domain: string }): RawConfig {
  const config: RawConfig = {
    // editors complete and check the file against the schema the package ships
    $schema: SCHEMA_REF,
    platform: { name: o.name, region: o.region },
    ports: { range: [20000, 29999] },
    environments: {
      staging: { dns: { domain: `staging.${o.domain}` }, database: { type: 'rds', multiAz: false } },
      production: { dns: { domain: o.domain }, database: { type: 'rds', multiAz: true }, capacity: { type: 'fargate' } },
    },
    apps: {
      web: { processes: { web: { port: 8080, count: 2 } }, healthCheckPath: '/health' },
    },
  };
  parseConfig(config, 'starter config'); // throws (with every problem) if the inputs make it invalid
  return config;
}

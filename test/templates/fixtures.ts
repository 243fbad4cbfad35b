/** Configs the template tests render: config.example.json and variants that cover every branch. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/model';

export const EXAMPLE_FILE = path.join(__dirname, '../../config.example.json');
export const rawExample = () => JSON.parse(readFileSync(EXAMPLE_FILE, 'utf8'));
export const example = (): Config => parseConfig(rawExample(), 'config.example.json');

/** The example with every other branch of the templates switched on somewhere. */
export const variants = (): Config => parseConfig(rawVariants(), 'variants.json');

export function rawVariants(): Record<string, any> {
  const raw = rawExample();
  const staging = raw.environments.staging;
  raw.environments = {
    ...raw.environments,
    // imported VPC, no TLS, external database with a secret, plain Fargate
    imported: {
      network: { vpcId: 'vpc-0abc1234', publicSubnets: ['subnet-0aaa1111', 'subnet-0bbb2222'], privateSubnets: ['subnet-0ccc3333', 'subnet-0ddd4444'] },
      capacity: { type: 'fargate' },
      dns: { domain: 'imported.acme.dev', hostedZoneId: 'Z0IMPORTED' },
      database: {
        type: 'external',
        host: 'pg.internal.acme.dev',
        port: 6432,
        adminUser: 'admin',
        adminSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/pg-admin-AbCdEf',
      },
      // a topic of the account's own: the stack subscribes to it and targets it, and makes none
      notifications: { snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:acme-ops', email: ['ops@acme.dev'] },
    },
    // EC2 capacity with one NAT gateway for two zones, TLS created in an existing zone, no database, Redis
    nodb: {
      network: { cidr: '10.40.0.0/20', azs: 2, natGateways: 1 },
      capacity: { type: 'ec2', instanceType: 't3.small', min: 1, max: 3 },
      dns: { domain: 'nodb.acme.dev', hostedZoneId: 'Z0NODB' },
      tls: { create: true },
      database: { type: 'none' },
      redis: { nodeType: 'cache.t4g.micro' },
      // its own notification topic, two addresses and a webhook
      notifications: { email: ['ops@acme.dev', 'oncall@acme.dev'], webhook: 'https://hooks.acme.dev/cyclops' },
    },
    // external database with the admin password in a local variable, pinned RDS-style minor version elsewhere
    external: {
      ...staging,
      tls: undefined,
      database: { type: 'external', host: 'db.example.net', adminUser: 'postgres', adminPasswordEnv: 'PG_ADMIN_PASSWORD' },
    },
    // the stack creates the hosted zone (no hostedZoneId), no TLS
    zone: { ...staging, dns: { domain: 'zone.acme.dev' }, tls: undefined },
    pinned: { ...staging, database: { type: 'rds', engineVersion: '16.9', instanceClass: 'db.t4g.medium', deletionProtection: true } },
    // a created zone the user has delegated, with a certificate in it; Container Insights; the legacy
    // subnet split; a disposable database without backups or storage autoscaling
    delegated: {
      network: { cidr: '10.50.0.0/16', azs: 3, natGateways: 1, layout: 'legacy' },
      dns: { domain: 'delegated.acme.dev', delegated: true },
      tls: { create: true },
      containerInsights: true,
      disposable: true,
      database: { type: 'rds', storage: 50, maxStorage: 50, backupRetentionDays: 0, deletionProtection: false },
    },
    // EC2 capacity of equal min and max on a Graviton type, with Redis
    graviton: {
      network: { cidr: '10.60.0.0/22', azs: 2, natGateways: 2 },
      capacity: { type: 'ec2', instanceType: 'm7g.xlarge', min: 2, max: 2 },
      dns: { domain: 'graviton.acme.dev', hostedZoneId: 'Z0GRAVITON' },
      database: { type: 'rds', maxStorage: 200 },
      redis: {},
    },
  };
  raw.apps = {
    ...raw.apps,
    worker: { processes: { worker: { command: ['node', 'worker.js'], count: 3 } }, secrets: { TOKEN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/acme/token' } },
    nightly: { processes: { cron: { command: ['node', 'nightly.js'], schedule: 'rate(1 day)' } }, database: false },
    // ECS Exec on the services, and a release phase (which adds nothing to the template)
    console: { processes: { web: { port: 3000 }, worker: {}, release: { command: ['bin/migrate'] } }, exec: true, database: false },
  };
  // Graviton EC2 capacity runs arm64 only: every app is arm64 there. The cron app is arm64 on
  // Fargate Spot in staging too, and one worker is explicitly x86_64.
  for (const app of Object.values(raw.apps) as Record<string, any>[]) app.environments = { graviton: { arch: 'arm64' } };
  raw.apps.nightly.environments.staging = { arch: 'arm64' };
  raw.apps.worker.environments.staging = { processes: { worker: { arch: 'x86_64' } } };
  return raw;
}

/** The stateful options, each somewhere: volumes and sidecars, autoscaling, internal + uses, allow, alarms. */
export function rawStateful(): Record<string, any> {
  const raw = rawExample();
  raw.environments = {
    staging: raw.environments.staging,
    // EC2 capacity in three zones: three mount targets per file system
    production: raw.environments.production,
  };
  raw.apps = {
    // a database container on a writable volume (a singleton), with a proxy sidecar and one on the app's image
    couch: {
      processes: {
        web: {
          port: 5984,
          volumes: { data: { path: '/opt/couchdb/data', uid: 5984, gid: 5984 } },
          sidecars: [
            { name: 'proxy', image: 'public.ecr.aws/nginx/nginx:1.27', port: 8080, env: { UPSTREAM: 'http://127.0.0.1:5984' } },
            { name: 'metrics', image: 'app', command: ['node', 'metrics.js'], port: 9100, essential: false },
          ],
        },
      },
      healthCheckPath: '/_up',
      database: false,
      // no "alarms" key: the default deployment alarms
    },
    // autoscaling web (CPU, memory, requests), an autoscaled internal API and a fixed-size worker
    search: {
      processes: {
        web: { port: 8080, count: { min: 2, max: 10, cpu: 60, memory: 75, requestsPerTarget: 1000 } },
        api: { internal: true, port: 9200, count: { min: 1, max: 4, cpu: 70 }, command: ['bin/api'] },
        indexer: { command: ['bin/indexer'], count: 2 },
      },
      database: false,
      alarms: false,
    },
    // a private test app that calls search's API, with its own alarm thresholds, two crons and shared uploads
    shop: {
      processes: {
        web: { port: 3000, count: 2, volumes: { uploads: { path: '/app/public/uploads', shared: true } } },
        'image-worker': { command: ['bin/images'], volumes: { uploads: { path: '/uploads', shared: true } } },
        nightly: { command: ['bin/nightly'], schedule: 'cron(0 3 * * ? *)' },
        'hourly-report': { command: ['bin/report'], schedule: 'rate(1 hour)', volumes: { uploads: { path: '/uploads', readOnly: true } } },
      },
      uses: ['search-api'],
      allow: ['203.0.113.0/24', '198.51.100.7/32', '192.0.2.0/28'],
      alarms: { http5xxPercent: 2, unhealthyHosts: 2, periodSeconds: 60, evaluationPeriods: 2 },
    },
  };
  return raw;
}
export const stateful = (): Config => parseConfig(rawStateful(), 'stateful.json');

/** `raw` with a release phase (processes.release) in every app. */
export function withRelease(raw: Record<string, any>): Config {
  for (const a of Object.values(raw.apps as Record<string, any>)) a.processes.release = { command: ['bin/migrate'] };
  return parseConfig(raw, 'with-release.json');
}
/**
 * Progressive delivery: one app per strategy (docs/deployments.md), on Fargate (staging) and EC2
 * (production); the canary has test traffic and an allow list, blue-green test traffic.
 */
export function rawDelivery(): Record<string, any> {
  const c = rawExample();
  const web = (port: number) => ({ processes: { web: { port, count: 2 } }, healthCheckPath: '/up', database: false });
  c.apps = {
    steady: web(8080),
    azure: { ...web(3000), deployment: { strategy: 'blue-green', bakeMinutes: 15, testTraffic: true } },
    canary: { ...web(3000), allow: ['203.0.113.0/24'], deployment: { strategy: 'canary', canaryPercent: 10, canaryBakeMinutes: 5, bakeMinutes: 5, testTraffic: true } },
    linear: { ...web(3000), deployment: { strategy: 'linear', stepPercent: 25, stepBakeMinutes: 2 } },
  };
  return c;
}
export const delivery = (): Config => parseConfig(rawDelivery(), 'delivery.json');
/** The example with email: staging sends as its DNS domain, production with a MAIL FROM domain; shop over SMTP, api by role. */
export function rawEmail(): Record<string, any> {
  const raw = rawExample();
  raw.environments.staging.email = true;
  raw.environments.production.email = { mailFrom: 'bounce.acme.dev' };
  raw.apps.shop.email = { smtp: true };
  raw.apps.api.email = true;
  return raw;
}
export const emailExample = (): Config => parseConfig(rawEmail(), 'email.json');

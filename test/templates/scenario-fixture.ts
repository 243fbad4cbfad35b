/**
 * "Production differs from staging": one app, sized and placed per environment through
 * apps.<app>.environments.<env>. Staging: 1 × 256/512 on x86_64 at web.staging.acme.dev.
 * Production: 4 × 1024/2048 on arm64 (Graviton), also at www.acme.com and the apex acme.com
 * (a zone of the account, given once: www.acme.com is found under it). Production notifies
 * ops@acme.dev and a webhook of failed deployments, rollbacks and its alarms.
 */
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/model';

export function rawScenario(): Record<string, any> {
  return {
    platform: { name: 'acme', region: 'eu-west-1' },
    ports: { range: [20000, 20099] },
    environments: {
      staging: {
        network: { cidr: '10.20.0.0/16', azs: 2, natGateways: 1 },
        capacity: { type: 'fargate', spot: true },
        dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z0STAGING0ACME0DEV01' },
        tls: { create: true },
        database: { type: 'none' },
      },
      production: {
        network: { cidr: '10.30.0.0/16', azs: 3, natGateways: 3 },
        capacity: { type: 'fargate' },
        dns: { domain: 'acme.dev', hostedZoneId: 'Z0123456789ABCDEFGHIJ' },
        tls: { certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f56-7890-abcd-ef1234567890' },
        database: { type: 'none' },
        notifications: { email: ['ops@acme.dev'], webhook: 'https://hooks.acme.dev/cyclops' },
      },
    },
    apps: {
      web: {
        processes: { web: { command: ['node', 'server.js'], port: 8080, count: 1, cpu: 256, memory: 512 } },
        healthCheckPath: '/health',
        database: false,
        environments: {
          production: {
            arch: 'arm64',
            processes: { web: { count: 4, cpu: 1024, memory: 2048 } },
            domains: ['www.acme.com', { name: 'acme.com', hostedZoneId: 'Z0ACMECOM00000000001' }],
          },
        },
      },
    },
  };
}

export const scenario = (): Config => parseConfig(rawScenario(), 'scenario.json');

/**
 * The shape of config.json. Objects are strict so a misspelt key is an error, not silently
 * ignored. Cross-field rules live in rules.ts; messages are turned into one line each by
 * format.ts.
 */
import { z } from 'zod';
import { NAME_MAX, NAME_RE } from '../naming';
import { deploymentSchema } from './deployment';

const name = (what: string, max: number) =>
  z
    .string({ error: `must be a string (the ${what} name)` })
    .max(max, { error: `is longer than ${max} characters; use a shorter ${what} name` })
    .regex(NAME_RE, {
      error: `is not a valid ${what} name; use lowercase letters, digits and dashes, starting with a letter and not ending with a dash`,
    });

const int = (what: string, min: number, max: number) =>
  z
    .number({ error: `must be a whole number (${what})` })
    .int({ error: `must be a whole number (${what})` })
    .min(min, { error: `must be at least ${min} (${what})` })
    .max(max, { error: `must be at most ${max} (${what})` });

const str = (what: string) => z.string({ error: `must be a string (${what})` }).min(1, { error: `must not be empty (${what})` });
const bool = (what: string) => z.boolean({ error: `must be true or false (${what})` });

const region = z
  .string({ error: 'must be a string such as "eu-west-1"' })
  .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, { error: 'is not an AWS region; use a region code such as "eu-west-1"' });

export const platformSchema = z.strictObject({
  name: name('platform', NAME_MAX.platform),
  region,
  bucket: z
    .string({ error: 'must be a string (the config bucket name)' })
    .regex(/^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
      error: 'is not a valid S3 bucket name; use 3-63 lowercase letters, digits, dots and dashes',
    })
    .optional(),
});

export const awsSchema = z.strictObject({
  endpoint: z.url({ error: 'must be a URL such as "http://127.0.0.1:5000"' }).optional(),
  profile: str('AWS profile name').optional(),
  /** tests only: `deploy --build` pushes to this registry (http:// = no TLS) instead of the account's ECR host */
  registry: z.url({ error: 'must be a URL such as "http://127.0.0.1:5000" (tests only: where deploy --build pushes)' }).optional(),
});

export const portsSchema = z.strictObject({
  range: z
    .tuple([int('first port', 1024, 65535), int('last port', 1024, 65535)], {
      error: 'must be a pair [first, last] such as [20000, 29999]',
    })
    .default([20000, 29999]),
});

const networkSchema = z.strictObject({
  cidr: z
    .string({ error: 'must be a CIDR block such as "10.0.0.0/16"' })
    .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(1[6-9]|2[0-4])$/, {
      error: 'is not an IPv4 CIDR block between /16 and /24; use one such as "10.0.0.0/16"',
    })
    .optional(),
  azs: int('availability zones', 2, 3).optional(),
  natGateways: int('NAT gateways (tasks in private subnets need one to reach ECR, logs and secrets)', 1, 3).optional(),
  vpcId: z.string({ error: 'must be a string' }).regex(/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: 'is not a VPC id; use one such as "vpc-0abc1234"' }).optional(),
  publicSubnets: z.array(z.string().regex(/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: 'is not a subnet id such as "subnet-0abc1234"' })).optional(),
  privateSubnets: z.array(z.string().regex(/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: 'is not a subnet id such as "subnet-0abc1234"' })).optional(),
  layout: z.enum(['slots', 'legacy'], { error: 'must be "slots" (fixed subnet per zone, the default) or "legacy" (the split of environments created before)' }).optional(),
});

const capacitySchema = z.strictObject({
  type: z.enum(['fargate', 'ec2'], { error: 'must be "fargate" or "ec2"' }).default('fargate'),
  instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'is not an EC2 instance type; use one such as "t3.small"' }).optional(),
  min: int('minimum instances', 0, 100).optional(),
  max: int('maximum instances', 1, 100).optional(),
  spot: bool('Fargate Spot').optional(),
});

const dnsSchema = z.strictObject({
  domain: z
    .string({ error: 'must be a domain name such as "staging.example.com"' })
    .regex(/^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
      error: 'is not a lowercase domain name; use one such as "staging.example.com" (no trailing dot)',
    }),
  hostedZoneId: z.string().regex(/^[A-Z0-9]{1,32}$/, { error: 'is not a Route 53 hosted zone id; use one such as "Z0123456789ABC" (without "/hostedzone/")' }).optional(),
  delegated: bool('the zone this environment created is delegated from its parent').optional(),
});

const tlsSchema = z.strictObject({
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, { error: 'is not an ACM certificate ARN' })
    .optional(),
  create: bool('create an ACM certificate for the zone').optional(),
});

const databaseSchema = z.strictObject({
  type: z.enum(['rds', 'external', 'none'], { error: 'must be "rds", "external" or "none"' }).default('rds'),
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'is not an RDS instance class; use one such as "db.t4g.micro"' }).optional(),
  storage: int('allocated storage in GiB', 20, 65536).optional(),
  maxStorage: int('storage autoscaling limit in GiB', 20, 65536).optional(),
  multiAz: bool('Multi-AZ').optional(),
  engineVersion: z.string().regex(/^\d+(\.\d+)?$/, { error: 'is not a PostgreSQL version; use one such as "16"' }).optional(),
  backupRetentionDays: int('backup retention days', 0, 35).optional(),
  deletionProtection: bool('deletion protection').optional(),
  host: str('database host').optional(),
  port: int('database port', 1, 65535).optional(),
  adminUser: str('admin user').optional(),
  adminSecretArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, { error: 'is not a Secrets Manager secret ARN' })
    .optional(),
  adminPasswordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'is not an environment variable name' }).optional(),
  adminDatabase: str('admin database').optional(),
  runner: z.enum(['direct', 'task'], { error: 'must be "direct" or "task"' }).optional(),
  ssl: z.enum(['require', 'prefer', 'disable'], { error: 'must be "require", "prefer" or "disable"' }).optional(),
});

const redisSchema = z.strictObject({
  nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'is not an ElastiCache node type; use one such as "cache.t4g.micro"' }).optional(),
});

/**
 * `overrides`: RFC 6902 JSON Patch operations applied to the rendered template, for what
 * cyclops does not expose. A path is a JSON Pointer ("/Resources/WebService/Properties/…").
 */
const pointer = z.string({ error: 'must be a JSON Pointer such as "/Resources/WebService/Properties/PlatformVersion"' }).regex(/^(\/.*)?$/, {
  error: 'is not a JSON Pointer; start it with "/", such as "/Resources/WebService/Properties/PlatformVersion"',
});
export const patchOperationSchema = z.discriminatedUnion(
  'op',
  [
    z.strictObject({ op: z.literal('add'), path: pointer, value: z.unknown() }),
    z.strictObject({ op: z.literal('replace'), path: pointer, value: z.unknown() }),
    z.strictObject({ op: z.literal('test'), path: pointer, value: z.unknown() }),
    z.strictObject({ op: z.literal('remove'), path: pointer }),
    z.strictObject({ op: z.literal('move'), path: pointer, from: pointer }),
    z.strictObject({ op: z.literal('copy'), path: pointer, from: pointer }),
  ],
  { error: 'must be a JSON Patch operation such as {"op": "replace", "path": "/Resources/…", "value": …} (op: add, remove, replace, move, copy or test)' },
);
export const overridesSchema = z.array(patchOperationSchema, { error: 'must be a list of JSON Patch operations (RFC 6902)' });

const emailDomain = z.string({ error: 'must be a domain name such as "mail.example.com"' }).regex(/^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
  error: 'is not a lowercase domain name; use one such as "example.com" (no trailing dot)',
});
/** SES for the environment: true sends as the environment's DNS domain. */
const envEmailSchema = z.union(
  [
    z.boolean(),
    z.strictObject({
      /** the identity's domain (default: dns.domain) */
      domain: emailDomain.optional(),
      /** a custom MAIL FROM domain: a subdomain of the identity's, such as "bounce.example.com" */
      mailFrom: emailDomain.optional(),
    }),
  ],
  { error: 'must be true (send as the environment\'s DNS domain), an object such as {"domain": "example.com", "mailFrom": "bounce.example.com"}, or false' },
);
/** `environments.<env>.aws`: the environment lives in another account and/or region than the platform's home. */
export const envAwsSchema = z.strictObject({
  /** absent: the account of roleArn, else the platform's own account (the home credentials, in another region) */
  account: z
    .string({ error: 'must be a string of 12 digits (the AWS account id)' })
    .regex(/^\d{12}$/, { error: 'is not an AWS account id; use its 12 digits, quoted, such as "222222222222"' })
    .optional(),
  region: region.optional(),
  roleArn: z
    .string({ error: 'must be an IAM role ARN' })
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, { error: 'is not an IAM role ARN; use one such as "arn:aws:iam::222222222222:role/shop-deploy"' })
    .optional(),
  profile: str('AWS profile name').optional(),
});

/** `environments.<env>.notifications`: who hears of failed deployments and alarms (an SNS topic per environment). */
export const notificationsSchema = z
  .strictObject({
    email: z
      .array(z.email({ error: 'is not an email address; use one such as "ops@example.com"' }), { error: 'must be a list of email addresses such as ["ops@example.com"]' })
      .optional(),
    webhook: z
      .url({ protocol: /^https$/, error: 'must be an https:// URL such as "https://hooks.example.com/cyclops" (SNS delivers to HTTPS endpoints)' })
      .optional(),
    snsTopicArn: z
      .string({ error: 'must be an SNS topic ARN' })
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, { error: 'is not an SNS topic ARN; use one such as "arn:aws:sns:eu-west-1:111111111111:ops"' })
      .optional(),
  })
  .refine((n) => n.email?.length || n.webhook || n.snsTopicArn, {
    error: 'names no one to notify; give "email", "webhook" or "snsTopicArn" (or leave "notifications" out)',
  });

export const environmentSchema = z.strictObject({
  /** another AWS account and/or region for this environment's stacks, roles, logs and secrets */
  aws: envAwsSchema.optional(),
  network: networkSchema.default({}),
  capacity: capacitySchema.default({ type: 'fargate' }),
  dns: dnsSchema,
  tls: tlsSchema.optional(),
  database: databaseSchema.default({ type: 'rds' }),
  redis: z.union([redisSchema, z.literal(false)], { error: 'must be an object such as {"nodeType": "cache.t4g.micro"}, or false' }).optional(),
  containerInsights: bool('CloudWatch Container Insights for the cluster').optional(),
  disposable: bool('the environment and its data may be lost, such as a preview environment').optional(),
  /** an SNS topic for failed deployments, rollbacks and the deployment alarms, with its subscribers */
  notifications: notificationsSchema.optional(),
  /** JSON Patch operations on the environment's (cluster) template */
  overrides: overridesSchema.optional(),
  email: envEmailSchema.optional(),
});

const command = z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of strings such as ["npm", "start"]' }).min(1, {
  error: 'must not be empty; give the command as a list such as ["npm", "start"]',
});

/** The CPU architecture the image is built for: RuntimePlatform of the task definitions. */
export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
const arch = z.enum(ARCHITECTURES, { error: 'must be "x86_64" (the default) or "arm64" (AWS Graviton); the image must have a variant for it' });

const processBase = {
  command: command.optional(),
  arch: arch.optional(),
  cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)], {
    error: 'must be one of 256, 512, 1024, 2048, 4096 (CPU units)',
  }).optional(),
  memory: int('memory in MiB', 512, 30720).optional(),
};

/** A process name: a DNS label short enough for `<app>-<process>` names (services, Cloud Map). */
export const PROCESS_NAME_MAX = 32;
const schedule = z
  .string({ error: 'must be a schedule expression such as "cron(0 3 * * ? *)" or "rate(1 hour)"' })
  .regex(/^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/, {
    error: 'is not a schedule expression; use "cron(min hour day month weekday year)" or "rate(N minutes|hours|days)"',
  });

const percent = (what: string) => int(what, 1, 100);
/** `count` as an object: Application Auto Scaling between min and max, with target-tracking policies. */
export const autoscaleSchema = z.strictObject({
  min: int('autoscaling minimum tasks', 0, 100).optional(),
  max: int('autoscaling maximum tasks', 1, 100).optional(),
  cpu: percent('target average CPU utilisation in percent').optional(),
  memory: percent('target average memory utilisation in percent').optional(),
  requestsPerTarget: int('target load-balancer requests per task per minute', 1, 1000000).optional(),
});

const volumeSchema = z.strictObject({
  path: z.string({ error: 'must be an absolute path such as "/var/lib/data" (the mount path in the container)' }),
  readOnly: bool('mount the volume read-only').optional(),
  /** several tasks may write it at once (the app coordinates its writers) */
  shared: bool('several tasks may write the volume at once').optional(),
  /** the POSIX user and group the volume's clients act as and its root directory belongs to (default 1000; postgres images use 999) */
  uid: int('POSIX user id of the volume', 0, 4294967294).optional(),
  gid: int('POSIX group id of the volume', 0, 4294967294).optional(),
});

/** A custom domain of an app: up to 253 characters, labels of up to 63 (DNS, RFC 1035). */
const domainName = z
  .string({ error: 'must be a domain name such as "www.acme.com"' })
  .max(253, { error: 'is longer than 253 characters, the most a domain name may have; use a shorter name' })
  .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    error: 'is not a lowercase domain name with labels of 1 to 63 letters, digits and dashes; use one such as "www.acme.com" (no trailing dot)',
  });
const zoneId = z.string().regex(/^[A-Z0-9]{1,32}$/, { error: 'is not a Route 53 hosted zone id; use one such as "Z0123456789ABC" (without "/hostedzone/")' });
const domainEntry = z.union([domainName, z.strictObject({ name: domainName, hostedZoneId: zoneId.optional() })], {
  error: 'must be a domain name such as "www.acme.com", or {"name": "acme.com", "hostedZoneId": "Z…"} for a zone in this account',
});

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'is not a valid environment variable name; use letters, digits and underscores, not starting with a digit' });
const envVars = z.record(envVarName, z.string({ error: 'must be a string; quote numbers and booleans' }));

const sidecarSchema = z.strictObject({
  name: name('sidecar', PROCESS_NAME_MAX),
  /** "app" or omitted: the app's own image (the Image parameter) */
  image: str('container image such as "redis:7.2" or "app"').optional(),
  command: command.optional(),
  port: int('sidecar container port', 1, 65535).optional(),
  env: envVars.optional(),
  essential: bool('the task stops when this container stops').optional(),
});

export const processSchema = z.strictObject({
  ...processBase,
  count: z
    .union([int('task count', 0, 100), autoscaleSchema], {
      error: 'must be a whole number (task count) from 0 to 100, or autoscaling such as {"min": 2, "max": 10, "cpu": 60}',
    })
    .optional(),
  port: int('container port', 1, 65535).optional(),
  schedule: schedule.optional(),
  internal: bool('reachable by other apps of the environment at <app>-<process>.<env>.internal').optional(),
  volumes: z.record(name('volume', 32), volumeSchema, { error: 'must be an object of volumes by name, such as {"data": {"path": "/var/lib/data"}}' }).optional(),
  sidecars: z.array(sidecarSchema, { error: 'must be a list of containers such as [{"name": "proxy", "image": "nginx:1.27"}]' }).optional(),
});

const secretRef = z
  .string({ error: 'must be a Secrets Manager ARN or an SSM parameter name' })
  .regex(/^(arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\d{12}:.+|\/[A-Za-z0-9_.\-/]+)$/, {
    error: 'is not a Secrets Manager/SSM ARN or an SSM parameter name starting with "/"',
  });

/** Every app key but `environments`: also what `apps.<app>.environments.<env>` may set (deep-merged over it). */
export const appSettingsSchema = z.strictObject({
  processes: z.record(name('process', PROCESS_NAME_MAX), processSchema, { error: 'must be an object of processes by name, such as {"web": {}}' }).optional(),
  healthCheckPath: z.string().regex(/^\/[\x21-\x7e]*$/, { error: 'must be a path starting with "/", such as "/health"' }).optional(),
  env: envVars.optional(),
  secrets: z.record(envVarName, secretRef).optional(),
  database: bool('whether the app gets a database').optional(),
  /** source CIDRs the load balancer lets through to this app; others get 403 */
  allow: z.array(z.string({ error: 'must be a CIDR block such as "203.0.113.0/24"' }), { error: 'must be a list of CIDR blocks such as ["203.0.113.0/24"]' }).optional(),
  /** internal services of other apps this app calls: "<app>-<process>" */
  uses: z.array(z.string({ error: 'must be "<app>-<process>", such as "search-api"' }), { error: 'must be a list such as ["search-api"]' }).optional(),
  alarms: z
    .union(
      [
        z.strictObject({
          http5xxPercent: z.number({ error: 'must be a number (percent of requests)' }).gt(0, { error: 'must be above 0 (percent)' }).max(100, { error: 'must be at most 100 (percent)' }).optional(),
          unhealthyHosts: int('unhealthy targets that trip the alarm', 1, 100).optional(),
          periodSeconds: z.union([z.literal(10), z.literal(30), z.literal(60), z.literal(120), z.literal(300)], { error: 'must be 10, 30, 60, 120 or 300 (seconds)' }).optional(),
          evaluationPeriods: int('periods in a row before the alarm trips', 1, 10).optional(),
        }),
        z.boolean(),
      ],
      { error: 'must be true (the default thresholds, also when absent), an object such as {"http5xxPercent": 5, "unhealthyHosts": 1}, or false (no alarms)' },
    )
    .optional(),
  exec: bool('ECS Exec: "cyclops exec" may open a shell in the running tasks').optional(),
  /** how the web process moves to a new release (docs/deployments.md) */
  deployment: deploymentSchema.optional(),
  /** the default architecture of the app's processes (each may set its own) */
  arch: arch.optional(),
  /** custom domains the web process answers on, besides <app>.<env domain> */
  domains: z.array(domainEntry, { error: 'must be a list of domain names such as ["www.acme.com", "acme.com"]' }).optional(),
  /** JSON Patch operations on the app's template; an environment's come after the app's */
  overrides: overridesSchema.optional(),
  /** send mail as the environment's SES identity: true by role (SDK), {smtp: true} also over SMTP */
  email: z
    .union([z.boolean(), z.strictObject({ smtp: bool('an SMTP user and password for the app (SMTP_* variables)').optional() })], {
      error: 'must be true (send by the task role through an AWS SDK), {"smtp": true} (also an SMTP user and password), or false',
    })
    .optional(),
});

export const appSchema = appSettingsSchema.extend({
  /** settings per environment, deep-merged over the app's own: `{"production": {"processes": {"web": {"count": 4}}}}` */
  environments: z
    .record(z.string(), appSettingsSchema, { error: 'must be an object of settings by environment name, such as {"production": {"processes": {"web": {"count": 4}}}}' })
    .optional(),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  platform: platformSchema,
  aws: awsSchema.optional(),
  ports: portsSchema.default({ range: [20000, 29999] }),
  environments: z.record(z.string(), environmentSchema, { error: 'must be an object of environments by name' }),
  apps: z.record(z.string(), appSchema, { error: 'must be an object of apps by name' }).default({}),
});

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

/**
 * An app's secrets, always by reference: ECS `Secrets` entries (never plain Environment)
 * and the IAM statements that let its execution role read exactly those secrets.
 */
import { dbSecretName } from '../src/naming';
import { partitionArn, sub, type Value } from './cfn';

/** Environment variables filled from JSON keys of the app's database secret. */
export const DATABASE_SECRET_KEYS: Record<string, string> = {
  DATABASE_URL: 'url',
  PGHOST: 'host',
  PGPORT: 'port',
  PGDATABASE: 'dbname',
  PGUSER: 'username',
  PGPASSWORD: 'password',
};

export interface SecretsInput {
  platform: string;
  env: string;
  app: string;
  /** NAME → Secrets Manager ARN, SSM parameter ARN, or SSM parameter name ("/a/b"). */
  secrets: Record<string, string>;
  database: boolean;
  /** The database secret's full ARN when known; else a partial ARN from its name. */
  databaseSecretArn?: string;
  /** The environment's Redis AUTH token secret (an imported ARN), when it has Redis. */
  redisAuthSecret?: Value;
}

/** Variables that carry the Redis AUTH token (REDIS_URL holds no password). */
export const REDIS_TOKEN_VARS = ['REDIS_AUTH_TOKEN', 'REDIS_PASSWORD'];

export interface AppSecrets {
  /** ECS container `Secrets`, sorted by name. */
  container: { Name: string; ValueFrom: Value }[];
  /** IAM policy statements for the execution role; empty when there are no secrets. */
  statements: Record<string, Value>[];
}

const isSsm = (ref: string) => ref.startsWith('/') || /^arn:[^:]+:ssm:/.test(ref);
const ssmArn = (ref: string): Value => (ref.startsWith('/') ? partitionArn(`ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${ref}`) : ref);
/** "arn:aws:secretsmanager:r:a:secret:name-AbCdEf:json-key::" → the secret's own ARN. */
const secretBaseArn = (arn: string) => arn.split(':').slice(0, 7).join(':');

export function appSecrets(input: SecretsInput): AppSecrets {
  const container: AppSecrets['container'] = [];
  const smResources: Value[] = [];
  const ssmResources: Value[] = [];
  for (const [name, ref] of Object.entries(input.secrets)) {
    if (isSsm(ref)) {
      const arn = ssmArn(ref);
      container.push({ Name: name, ValueFrom: arn });
      ssmResources.push(arn);
    } else {
      container.push({ Name: name, ValueFrom: ref });
      // The config may give a partial ARN (without the "-AbCdEf" suffix): ECS accepts it, but
      // IAM matches it only through the suffix pattern. A full ARN matches itself.
      const base = secretBaseArn(ref);
      smResources.push(base, `${base}-??????`);
    }
  }
  if (input.database) {
    const given = input.databaseSecretArn;
    const partial = `secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${dbSecretName(input.platform, input.env, input.app)}`;
    for (const [name, key] of Object.entries(DATABASE_SECRET_KEYS)) {
      container.push({ Name: name, ValueFrom: given ? `${secretBaseArn(given)}:${key}::` : sub(`arn:\${AWS::Partition}:${partial}:${key}::`) });
    }
    // A partial ARN matches the real one only with the six-character suffix Secrets Manager adds.
    smResources.push(given ? secretBaseArn(given) : partitionArn(`${partial}-??????`));
  }
  if (input.redisAuthSecret) {
    const taken = new Set(container.map((c) => c.Name));
    for (const name of REDIS_TOKEN_VARS) if (!taken.has(name)) container.push({ Name: name, ValueFrom: input.redisAuthSecret });
    smResources.push(input.redisAuthSecret);
  }
  container.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  const statements: Record<string, Value>[] = [];
  if (smResources.length) statements.push({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: smResources });
  if (ssmResources.length) statements.push({ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: ssmResources });
  return { container, statements };
}

/**
 * The environment's data services: shared PostgreSQL (RDS, private, master password managed
 * by Secrets Manager) or an external one, optional Redis, and the role one-off database
 * admin tasks run with.
 */
import { dbAdminLogGroup, dbSecretName, type Ids } from '../src/naming';
import type { DatabaseConfig } from '../src/config/model';
import { GROUP_DESCRIPTION } from './descriptions';
import { ENV_LOG_RETENTION_DAYS } from './network';
import { getAtt, inlinePolicy, join, keep, managedPolicy, ref, serviceRole, sub, tagged, type Resource, type Value } from './cfn';

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
export const DB_MASTER_USER = 'cyclops';

/**
 * A major version alone ("16") lets RDS pick the current default minor version. cfn-lint's
 * bundled data lists such versions both as valid (E3691's list) and as deprecated (W3691's
 * older list); only for that case is W3691 silenced on this one resource.
 */
const MAJOR_ONLY = /^\d+$/;
const IGNORE_STALE_VERSION_DATA = { 'cfn-lint': { config: { ignore_checks: ['W3691'] } } };

export interface DataOutputs {
  databaseEndpoint?: Value;
  databasePort?: Value;
  databaseMasterSecretArn?: Value;
  dbAdminSecurityGroup?: Value;
  taskExecutionRoleArn?: Value;
  redisEndpoint?: Value;
  redisAuthSecretArn?: Value;
  dbAdminLogGroup?: Value;
}

export interface DataInput {
  ids: Ids & { env: string };
  database: DatabaseConfig;
  redis: { nodeType: string } | null;
  vpcId: Value;
  privateSubnets: Value[];
  /** Logical id of the security group the app tasks run in. */
  serviceSecurityGroup: string;
}

function ingressFrom(port: number, sourceGroup: string, description: string): Value {
  return { IpProtocol: 'tcp', FromPort: port, ToPort: port, SourceSecurityGroupId: getAtt(sourceGroup, 'GroupId'), Description: description };
}

export function dataServices(input: DataInput): { resources: Record<string, Resource>; outputs: DataOutputs } {
  const { ids, database: db } = input;
  const r: Record<string, Resource> = {};
  const out: DataOutputs = {};
  if (db.type !== 'none') {
    r.DbAdminSecurityGroup = tagged('AWS::EC2::SecurityGroup', ids, {
      GroupDescription: GROUP_DESCRIPTION.dbAdmin,
      VpcId: input.vpcId,
    });
    out.dbAdminSecurityGroup = getAtt('DbAdminSecurityGroup', 'GroupId');
  }
  if (db.type === 'rds') {
    r.DbSecurityGroup = tagged('AWS::EC2::SecurityGroup', ids, {
      GroupDescription: GROUP_DESCRIPTION.database,
      VpcId: input.vpcId,
      SecurityGroupIngress: [
        ingressFrom(POSTGRES_PORT, input.serviceSecurityGroup, 'app tasks'),
        ingressFrom(POSTGRES_PORT, 'DbAdminSecurityGroup', 'database admin tasks'),
      ],
    });
    r.DbSubnetGroup = tagged('AWS::RDS::DBSubnetGroup', ids, {
      DBSubnetGroupDescription: 'cyclops PostgreSQL in the private subnets',
      SubnetIds: input.privateSubnets,
    });
    // Always a final snapshot, whether the stack deletes or replaces the instance.
    r.Db = {
      ...keep(
        tagged('AWS::RDS::DBInstance', ids, {
        Engine: 'postgres',
        EngineVersion: db.engineVersion,
        DBInstanceClass: db.instanceClass,
        AllocatedStorage: String(db.storage),
        // Storage autoscaling up to maxStorage (off when it equals storage).
        ...(db.maxStorage > db.storage ? { MaxAllocatedStorage: db.maxStorage } : {}),
        StorageType: 'gp3',
        StorageEncrypted: true,
        MultiAZ: db.multiAz,
        MasterUsername: DB_MASTER_USER,
        ManageMasterUserPassword: true,
        PubliclyAccessible: false,
        Port: String(POSTGRES_PORT),
        DBSubnetGroupName: ref('DbSubnetGroup'),
        VPCSecurityGroups: [getAtt('DbSecurityGroup', 'GroupId')],
        BackupRetentionPeriod: db.backupRetentionDays,
        DeletionProtection: db.deletionProtection,
        CopyTagsToSnapshot: true,
        AutoMinorVersionUpgrade: true,
        // Only acts when engineVersion changes its major version (16 → 17), which RDS refuses
        // without it; a pure template cannot know the running version, so it is always set.
        AllowMajorVersionUpgrade: true,
      }),
        'Snapshot',
      ),
      ...(MAJOR_ONLY.test(db.engineVersion) ? { Metadata: IGNORE_STALE_VERSION_DATA } : {}),
    };
    out.databaseEndpoint = getAtt('Db', 'Endpoint.Address');
    out.databasePort = getAtt('Db', 'Endpoint.Port');
    out.databaseMasterSecretArn = getAtt('Db', 'MasterUserSecret.SecretArn');
  } else if (db.type === 'external') {
    out.databaseEndpoint = db.host;
    out.databasePort = String(db.port);
    if (db.adminSecretArn) out.databaseMasterSecretArn = db.adminSecretArn;
  }
  // A configured secret ARN may be partial (no "-AbCdEf" suffix): ECS resolves that, but IAM
  // matches it only with the suffix pattern; a full ARN matches itself.
  const configuredSecret = db.type === 'external' && db.adminSecretArn ? db.adminSecretArn : undefined;
  if (db.type !== 'none') {
    // The one-off admin task reads the admin secret and the app's own login secret
    // (cyclops/<platform>/<env>/<app>/database), both injected as ECS secrets.
    const appSecrets = sub(`arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${dbSecretName(ids.platform, ids.env ?? '', '*')}-*`);
    const secrets: Value[] = configuredSecret
      ? [configuredSecret, `${configuredSecret}-??????`, appSecrets]
      : out.databaseMasterSecretArn
        ? [out.databaseMasterSecretArn, appSecrets]
        : [appSecrets];
    r.DbAdminTaskExecutionRole = serviceRole(ids, 'ecs-tasks.amazonaws.com', {
      ManagedPolicyArns: [managedPolicy('service-role/AmazonECSTaskExecutionRolePolicy')],
      Policies: [inlinePolicy('read-database-secrets', [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secrets }])],
    });
    out.taskExecutionRoleArn = getAtt('DbAdminTaskExecutionRole', 'Arn');
  }
  if (db.type !== 'none') {
    r.DbAdminLogGroup = keep(
      tagged('AWS::Logs::LogGroup', ids, { LogGroupName: dbAdminLogGroup(ids.platform, ids.env), RetentionInDays: ENV_LOG_RETENTION_DAYS }),
    );
    out.dbAdminLogGroup = ref('DbAdminLogGroup');
  }
  if (input.redis) Object.assign(r, redis(input, out));
  return { resources: r, outputs: out };
}

/** Characters an ElastiCache AUTH token may not contain are all punctuation, so it has none. */
export const REDIS_TOKEN_LENGTH = 64;

/**
 * Redis: a one-node replication group (no cluster mode) with TLS, encryption at rest and AUTH.
 * The token is generated by Secrets Manager in this stack and reaches ElastiCache only as a
 * dynamic reference, so no value appears in the template; apps get it as an ECS secret.
 */
function redis(input: DataInput, out: DataOutputs): Record<string, Resource> {
  const { ids } = input;
  out.redisEndpoint = getAtt('RedisReplicationGroup', 'PrimaryEndPoint.Address');
  out.redisAuthSecretArn = ref('RedisAuthSecret');
  return {
    RedisSecurityGroup: tagged('AWS::EC2::SecurityGroup', ids, {
      GroupDescription: GROUP_DESCRIPTION.redis,
      VpcId: input.vpcId,
      SecurityGroupIngress: [ingressFrom(REDIS_PORT, input.serviceSecurityGroup, 'app tasks')],
    }),
    RedisSubnetGroup: tagged('AWS::ElastiCache::SubnetGroup', ids, {
      Description: 'cyclops Redis in the private subnets',
      SubnetIds: input.privateSubnets,
    }),
    RedisAuthSecret: tagged('AWS::SecretsManager::Secret', ids, {
      Description: `Redis AUTH token of cyclops environment ${ids.env}`,
      GenerateSecretString: { PasswordLength: REDIS_TOKEN_LENGTH, ExcludePunctuation: true },
    }),
    RedisReplicationGroup: keep(
      tagged('AWS::ElastiCache::ReplicationGroup', ids, {
        ReplicationGroupDescription: 'cyclops Redis',
        Engine: 'redis',
        CacheNodeType: input.redis!.nodeType,
        NumCacheClusters: 1,
        AutomaticFailoverEnabled: false,
        MultiAZEnabled: false,
        Port: REDIS_PORT,
        TransitEncryptionEnabled: true,
        AtRestEncryptionEnabled: true,
        AuthToken: join('', ['{{resolve:secretsmanager:', ref('RedisAuthSecret'), ':SecretString}}']),
        CacheSubnetGroupName: ref('RedisSubnetGroup'),
        SecurityGroupIds: [getAtt('RedisSecurityGroup', 'GroupId')],
      }),
      'Snapshot',
    ),
  };
}

/**
 * environments.<env>.notifications: the config, the environment template's topic, subscriptions
 * and EventBridge rule, the app template's alarm actions, and `notify test`.
 *
 * moto cannot deliver ECS deployment events, so the rule's pattern is proven here against the
 * example events AWS documents (test/unit/data/ecs-deployment-events.json, copied from
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_deployment_events.html),
 * matched the way EventBridge matches (exact values, prefix, wildcard, $or).
 */
import { parseConfig } from '../../src/config/load';
import { renderApp, renderCluster } from '../../src/plan';
import { CyclopsError } from '../../src/errors';
import { notifyTest } from '../../src/ops/notify';
import { envTarget } from '../../src/plan/target';
import { fakeOps } from './fakes/ops';
import documented from './data/ecs-deployment-events.json';

type Json = any;
const events = documented.events as Record<'inProgress' | 'rollback' | 'completed' | 'failed', Json>;

function raw(notifications?: Record<string, unknown>): Json {
  return {
    platform: { name: 'acme', region: 'us-west-2', bucket: 'acme-config' },
    ports: { range: [20000, 20009] },
    environments: {
      staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' }, ...(notifications ? { notifications } : {}) },
    },
    apps: { web: { processes: { web: { port: 8080 } }, database: false } },
  };
}
const config = (n?: Record<string, unknown>) => parseConfig(raw(n), 'config.json');
const refused = (n: Record<string, unknown>): string => {
  try {
    config(n);
  } catch (e) {
    const err = e as CyclopsError;
    expect(err.exitCode).toBe(2);
    return [err.message, ...err.details].join('\n');
  }
  throw new Error('expected the config to be refused');
};

// ---- EventBridge matching, as the EventBridge User Guide's "Event patterns" describes it
const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-west-2', 'AWS::AccountId': '111122223333' };
function resolve(v: Json): Json {
  if (Array.isArray(v)) return v.map(resolve);
  if (v && typeof v === 'object') {
    if (typeof v['Fn::Sub'] === 'string') return v['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_: string, k: string) => PSEUDO[k]);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  }
  return v;
}
const glob = (p: string) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
function valueMatches(m: Json, value: Json): boolean {
  if (typeof m === 'string') return m === value;
  if (typeof value !== 'string') return false;
  if ('prefix' in m) return value.startsWith(m.prefix);
  if ('wildcard' in m) return glob(m.wildcard).test(value);
  throw new Error(`matcher not handled by this test: ${JSON.stringify(m)}`);
}
function matches(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([key, p]) => {
    if (key === '$or') return (p as Json[]).some((alt) => matches(alt, event));
    const value = event?.[key];
    if (value === undefined) return false;
    if (Array.isArray(p)) return (Array.isArray(value) ? value : [value]).some((v) => p.some((m) => valueMatches(m, v)));
    return matches(p, value);
  });
}
/** The documented event, from a service of environment staging's cluster (acme-staging). */
const inStaging = (e: Json): Json => ({ ...e, resources: e.resources.map((r: string) => r.replace('service/default/', 'service/acme-staging/')) });

describe('notifications config', () => {
  test('email, webhook and topic are read; no key, no notifications', () => {
    expect(config({ email: ['ops@example.com'], webhook: 'https://hooks.example.com/x' }).environments.staging.notifications).toEqual({
      email: ['ops@example.com'],
      webhook: 'https://hooks.example.com/x',
      snsTopicArn: undefined,
    });
    expect(config().environments.staging.notifications).toBeUndefined();
  });

  test('a bad address, an http webhook, a bad topic ARN and an empty object are refused, naming the key', () => {
    expect(refused({ email: ['ops-at-example.com'] })).toMatch(/environments\.staging\.notifications\.email\[0\]: is not an email address/);
    expect(refused({ webhook: 'http://hooks.example.com/x' })).toMatch(/notifications\.webhook.*https:\/\//);
    expect(refused({ snsTopicArn: 'ops' })).toMatch(/notifications\.snsTopicArn.*not an SNS topic ARN/);
    expect(refused({})).toMatch(/names no one to notify/);
    expect(refused({ snsTopicArn: 'arn:aws:sns:us-west-2:111122223333:ops' })).toMatch(/snsTopicArn: names topic "ops".*"acme-…"/);
    expect(refused({ slack: 'x' })).toMatch(/slack/);
  });
});

describe('the environment template with notifications', () => {
  const t = renderCluster(config({ email: ['ops@example.com', 'oncall@example.com'], webhook: 'https://hooks.example.com/x' }), 'staging') as Json;
  const rule = t.Resources.DeploymentEventsRule.Properties;
  const pattern = resolve(rule.EventPattern);

  test('the rule matches the documented failed-deployment and rollback events of this cluster', () => {
    expect(matches(pattern, inStaging(events.failed))).toBe(true);
    expect(matches(pattern, inStaging(events.rollback))).toBe(true);
  });

  test('it does not match a deployment starting or completing, nor another cluster, nor another source', () => {
    expect(matches(pattern, inStaging(events.inProgress))).toBe(false);
    expect(matches(pattern, inStaging(events.completed))).toBe(false);
    expect(matches(pattern, events.failed)).toBe(false); // cluster "default"
    expect(matches(pattern, { ...inStaging(events.failed), resources: ['arn:aws:ecs:us-west-2:111122223333:service/acme-staging-2/web-web'] })).toBe(false);
    expect(matches(pattern, { ...inStaging(events.failed), source: 'aws.other' })).toBe(false);
  });

  test('the message names environment, service, event, deployment and reason', () => {
    const { InputPathsMap, InputTemplate } = rule.Targets[0].InputTransformer;
    const at = (e: Json, p: string) => p.slice(2).split('.').reduce((o: Json, k) => (k === 'resources[0]' ? o.resources[0] : o[k]), e);
    const text = JSON.parse(InputTemplate.replace(/<(\w+)>/g, (_: string, k: string) => at(inStaging(events.failed), InputPathsMap[k])));
    expect(text).toBe(
      'cyclops environment staging: SERVICE_DEPLOYMENT_FAILED for service arn:aws:ecs:us-west-2:111122223333:service/acme-staging/servicetest, deployment ecs-svc/123, at 2020-05-23T12:31:14Z. Reason: ECS deployment circuit breaker: task failed to start.',
    );
  });

  test('a topic, a subscription per address and one for the webhook, a policy for EventBridge and alarms, and the export', () => {
    expect(t.Resources.NotificationTopic).toMatchObject({ Type: 'AWS::SNS::Topic', Properties: { TopicName: 'acme-staging-notifications' } });
    expect(rule.Targets[0].Arn).toEqual({ Ref: 'NotificationTopic' });
    const subs = Object.values(t.Resources).filter((r: Json) => r.Type === 'AWS::SNS::Subscription') as Json[];
    expect(subs.map((s) => [s.Properties.Protocol, s.Properties.Endpoint])).toEqual([
      ['email', 'ops@example.com'],
      ['email', 'oncall@example.com'],
      ['https', 'https://hooks.example.com/x'],
    ]);
    const statements = t.Resources.NotificationTopicPolicy.Properties.PolicyDocument.Statement;
    expect(statements.map((s: Json) => s.Principal.Service)).toEqual(['events.amazonaws.com', 'cloudwatch.amazonaws.com']);
    expect(t.Outputs.NotificationTopicArn).toEqual({ Value: { Ref: 'NotificationTopic' }, Export: { Name: 'acme-staging:NotificationTopicArn' } });
  });

  test('snsTopicArn: no topic of its own; rule, subscriptions and export use the one given', () => {
    const arn = 'arn:aws:sns:us-west-2:111122223333:acme-ops';
    const u = renderCluster(config({ snsTopicArn: arn, email: ['ops@example.com'] }), 'staging') as Json;
    expect(u.Resources.NotificationTopic).toBeUndefined();
    expect(u.Resources.NotificationTopicPolicy).toBeUndefined();
    expect(u.Resources.DeploymentEventsRule.Properties.Targets[0].Arn).toBe(arn);
    expect(u.Resources.NotificationEmail0.Properties.TopicArn).toBe(arn);
    expect(u.Outputs.NotificationTopicArn.Value).toBe(arn);
  });

  test('without notifications the environment has none of it', () => {
    const plain = renderCluster(config(), 'staging') as Json;
    expect(Object.keys(plain.Resources).filter((k) => /Notification|DeploymentEvents/.test(k))).toEqual([]);
    expect(plain.Outputs.NotificationTopicArn).toBeUndefined();
  });
});

describe('the app template', () => {
  const alarms = (n?: Record<string, unknown>) => {
    const t = renderApp(config(n), 'staging', 'web', { port: 20001 }) as Json;
    return [t.Resources.WebHttp5xxAlarm.Properties, t.Resources.WebUnhealthyAlarm.Properties];
  };
  test('the deployment alarms notify the environment topic on ALARM and OK when it has notifications', () => {
    const topic = { 'Fn::ImportValue': 'acme-staging:NotificationTopicArn' };
    for (const a of alarms({ email: ['ops@example.com'] })) {
      expect(a.AlarmActions).toEqual([topic]);
      expect(a.OKActions).toEqual([topic]);
    }
    for (const a of alarms()) {
      expect(a.AlarmActions).toBeUndefined();
      expect(a.OKActions).toBeUndefined();
    }
  });
});

describe('notify test', () => {
  const topic = 'arn:aws:sns:us-west-2:111122223333:acme-staging-notifications';
  const stack = (outputs: Record<string, string>) => ({ name: 'acme-staging', id: 'x', status: 'UPDATE_COMPLETE', outputs, parameters: {}, tags: {} });

  test('publishes one message to the topic the environment stack exports, and says subscribers must confirm', async () => {
    const c = config({ email: ['ops@example.com'], webhook: 'https://hooks.example.com/T000/B000/secret-token' });
    const f = fakeOps(c);
    f.stacks.set('acme-staging', stack({ NotificationTopicArn: topic }));
    const r = await notifyTest(f.ops, envTarget(c, 'staging'));
    expect(f.published).toHaveLength(1);
    expect(f.published[0]).toMatchObject({ topic, subject: 'cyclops acme/staging: test notification' });
    expect(f.published[0].message).toMatch(/test notification from cyclops for environment staging/);
    expect(r).toMatchObject({ topicArn: topic, messageId: 'message-1', email: ['ops@example.com'], webhookHost: 'hooks.example.com' });
    expect(r.confirmation).toMatch(/receive nothing until they confirm/);
    // the webhook's path may be its credential: it stays out of the result
    expect(JSON.stringify(r)).not.toContain('secret-token');
  });

  test('exit 2 and nothing sent: no notifications in config, no stack, or a stack not yet updated', async () => {
    const bare = config();
    const f = fakeOps(bare);
    await expect(notifyTest(f.ops, envTarget(bare, 'staging'))).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/no notifications configured.*environments\.staging/) });
    const c = config({ email: ['ops@example.com'] });
    const g = fakeOps(c);
    g.stacks.delete('acme-staging');
    await expect(notifyTest(g.ops, envTarget(c, 'staging'))).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/does not exist.*env create staging/) });
    g.stacks.set('acme-staging', stack({}));
    await expect(notifyTest(g.ops, envTarget(c, 'staging'))).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/no notification topic yet.*env update staging/) });
    expect([...f.published, ...g.published]).toEqual([]);
  });
});

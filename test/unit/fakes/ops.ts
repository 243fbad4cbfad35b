/**
 * In-memory Ops for unit tests: stacks, store, database and services that keep their state
 * in maps and record every call in order. `onCall(name, fn)` runs fn when that call happens
 * (to abort the signal at step N, or to fail it).
 */
import type { AlarmState } from '../../../src/aws/cloudwatch';
import type { CertificateInfo } from '../../../src/aws/acm';
import { parseConfig } from '../../../src/config/load';
import type { Config } from '../../../src/config/model';
import { EventLog } from '../../../src/events';
import { envOutputsFrom, TAG_APP, TAG_ENV, TAG_PLATFORM, templateKey, templateUrl, TEMPLATE_DIGEST_OUTPUT, type Ids } from '../../../src/naming';
import type { LockHandle, Ops } from '../../../src/ops/context';
import type { ServiceState } from '../../../src/ecs/rollout';
import type { ApplyInput, ApplyResult, StackSummary } from '../../../src/stacks';
import { emptySettings, outcomeOf, sha256, type AppSettings, type PortsFile, type ReleaseRecord, type ReleaseState } from '../../../src/store';
import { conflictError, CyclopsError, ExitCode, interrupted } from '../../../src/errors';
import { fakeEmail, type FakeEmail } from './email';

export interface Fake {
  ops: Ops;
  calls: string[];
  events: EventLog;
  abort: AbortController;
  stacks: Map<string, StackSummary>;
  templates: Map<string, string>;
  /** every ApplyInput the stack engine received, in order */
  applied: ApplyInput[];
  ports: PortsFile | null;
  /** the current release per "env/app" (what the pointer says) */
  releases: Map<string, ReleaseState>;
  /** the release log per "env/app", oldest first */
  log: Map<string, ReleaseRecord[]>;
  /** vars and secret references per "env/app" */
  settings: Map<string, AppSettings>;
  /** Secrets Manager: name → versions of the value */
  secretValues: Map<string, string[]>;
  /** Secrets Manager: names scheduled for deletion → the recovery window in days */
  deletedSecrets: Map<string, number>;
  /** Secrets Manager: names tagged with another platform (remove and restore leave them alone) */
  foreignSecrets: Set<string>;
  /** keys of bucket objects that no longer exist */
  missingObjects: Set<string>;
  /** readRelease answers as a pointer of an earlier version would: without `previous` (rollback walks back) */
  pointerWithoutPrevious?: boolean;
  locks: Set<string>;
  services: Map<string, ServiceState>;
  /** EFS file systems kept by app stacks, by "<env>/<app>" */
  volumes: Map<string, { id: string; sizeBytes: number; state?: string; volume?: string }[]>;
  /** log groups by name, with their retention */
  logGroups: Map<string, number>;
  /** named resources that exist outside any stack (kept by an earlier one): "<type> <name>" */
  retained: Set<string>;
  /** public hosted zones of the account */
  zones: { id: string; name: string; tags: Record<string, string>; nameServers: string[] }[];
  /** CloudWatch alarms by name */
  alarms: Map<string, AlarmState>;
  /** CloudWatch datapoints by query id */
  metricPoints: Map<string, { at: number; value: number }[]>;
  /** ACM: the app certificates by ARN (env and app they are tagged with, the token that made each) */
  certificates: Map<string, CertificateInfo & { env: string; app: string; token: string }>;
  /** Route 53 alias records: "<zone id>/<name>" → the target DNS name */
  aliases: Map<string, string>;
  /** public DNS answers by name (absent: "unknown", as offline) */
  publicDns: Map<string, 'yes' | 'no' | 'unknown'>;
  /** SES and the apps' SMTP users, keys and secrets */
  email: FakeEmail;
  /** messages published to notification topics, in order */
  published: { topic: string; subject: string; message: string }[];
  onCall(name: string, fn: () => void | Promise<void>): void;
  /** a lease that is lost when this is aborted */
  lease: AbortController;
}

export function testConfig(extra: Record<string, unknown> = {}): Config {
  const raw = {
    platform: { name: 'acme', region: 'eu-west-1', bucket: 'acme-config' },
    ports: { range: [20000, 20009] },
    environments: { staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' } } },
    apps: { web: { processes: { web: { port: 8080 }, worker: { command: ['worker'] } }, database: false } },
    ...extra,
  };
  return parseConfig(raw, 'config.json');
}

let clock = Date.parse('2030-01-01T00:00:00Z');

/** The fake's secret ARNs, and back to the name. */
export const secretArn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
const secretName = (id: string) => id.replace(/^arn:aws:secretsmanager:[^:]+:\d+:secret:/, '').replace(/-AbCdEf$/, '');

export function fakeOps(config: Config = testConfig()): Fake {
  const calls: string[] = [];
  const hooks = new Map<string, (() => void | Promise<void>)[]>();
  const events = new EventLog();
  const abort = new AbortController();
  const lease = new AbortController();
  const f: Fake = {
    ops: undefined as unknown as Ops,
    calls,
    events,
    abort,
    lease,
    stacks: new Map(),
    templates: new Map(),
    applied: [],
    ports: null,
    releases: new Map(),
    log: new Map(),
    settings: new Map(),
    secretValues: new Map(),
    deletedSecrets: new Map(),
    foreignSecrets: new Set(),
    missingObjects: new Set(),
    locks: new Set(),
    services: new Map(),
    volumes: new Map(),
    logGroups: new Map(),
    retained: new Set(),
    zones: [],
    alarms: new Map(),
    metricPoints: new Map(),
    certificates: new Map(),
    aliases: new Map(),
    publicDns: new Map(),
    published: [],
    email: undefined as unknown as FakeEmail,
    onCall: (name, fn) => hooks.set(name, [...(hooks.get(name) ?? []), fn]),
  };
  const call = async (name: string) => {
    calls.push(name);
    for (const h of hooks.get(name) ?? []) await h();
  };
  const tick = () => new Date((clock += 1000));
  f.email = fakeEmail(call, tick);

  const apply = async (input: ApplyInput): Promise<ApplyResult> => {
    await call('stacks.apply');
    f.applied.push(input);
    const body = f.templates.get(input.templateUrl);
    if (body === undefined) throw new Error(`no template at ${input.templateUrl}`);
    if (!input.dryRun) claimNamed(input, body);
    const t = JSON.parse(body) as { Outputs?: Record<string, { Value: unknown }>; Resources?: Record<string, { Type: string; Properties?: { RoleName?: unknown; Path?: unknown } }> };
    // a role's Arn (the service role's output) as IAM makes it; any other value the template computes: "x"
    const roleArn = (v: unknown) => {
      const [id, attr] = ((v as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt'] ?? []) as string[];
      const r = t.Resources?.[id];
      return attr === 'Arn' && r?.Type === 'AWS::IAM::Role' && typeof r.Properties?.RoleName === 'string' ? `arn:aws:iam::123456789012:role${typeof r.Properties.Path === 'string' ? r.Properties.Path : '/'}${r.Properties.RoleName}` : undefined;
    };
    const outputs = Object.fromEntries(Object.entries(t.Outputs ?? {}).map(([k, v]) => [k, typeof v.Value === 'string' ? v.Value : (roleArn(v.Value) ?? 'x')]));
    const parameters = Object.fromEntries((input.parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
    const tags = Object.fromEntries(input.tags.map((x) => [x.Key, x.Value]));
    const existing = f.stacks.get(input.stackName);
    const liveBody = f.templates.get(`live:${input.stackName}`);
    const same =
      existing && existing.outputs[TEMPLATE_DIGEST_OUTPUT] === outputs[TEMPLATE_DIGEST_OUTPUT] && (liveBody === undefined || liveBody === body) && JSON.stringify(existing.parameters) === JSON.stringify(parameters);
    const base = { stackName: input.stackName, changes: [], outputs };
    if (input.dryRun) return { ...base, action: 'dry-run', status: existing?.status ?? 'NONE', changed: !same };
    if (same) return { ...base, action: 'none', status: existing!.status, changed: false, stack: existing };
    if (input.signal?.aborted) throw interrupted(`stack ${input.stackName}: interrupted before the change set was executed; it is deleted and nothing was changed`);
    await input.beforeExecute?.(); // after the change is judged, before the stack changes
    const status = existing ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE';
    const stack = { name: input.stackName, id: `id-${input.stackName}`, status, outputs, parameters, tags, lastUpdated: tick(), ...(input.roleArn ? { roleArn: input.roleArn } : {}) };
    f.stacks.set(input.stackName, stack);
    f.templates.set(`live:${input.stackName}`, body); // what GetTemplate returns now
    return { ...base, action: existing ? 'update' : 'create', status, changed: true, stack: { ...stack } };
  };

  /**
   * As CloudFormation does with named resources: one that exists outside any stack (kept by an
   * earlier one) makes the create fail "already exists", unless the change set imports it; a
   * hosted zone is created anew (zones may share a name). Runs before the stack changes.
   */
  const claimNamed = (input: ApplyInput, body: string) => {
    const before = namedOf(f.templates.get(`live:${input.stackName}`));
    const now = namedOf(body);
    for (const [id, r] of now) {
      if (before.has(id) || !r.key) continue;
      if (f.retained.has(r.key) && !input.importExisting) {
        throw new CyclopsError(`stack ${input.stackName}: create failed (ROLLBACK_COMPLETE)`, { exitCode: ExitCode.FAILED, details: [`${id}: ${r.key} already exists`], code: 'stack-failed' });
      }
    }
    for (const [id, r] of now) {
      if (before.has(id)) continue;
      if (r.key) f.retained.delete(r.key);
      if (r.zone) f.zones.push({ id: `Z${f.zones.length + 1}`, name: r.zone.name, tags: r.zone.tags, nameServers: [`ns-${f.zones.length + 1}.awsdns.net`] });
    }
    // removed from the template: a retained one stays in the account
    for (const [id, r] of before) if (!now.has(id) && r.retain && r.key) f.retained.add(r.key);
  };

  const lockHandle = (key: string): LockHandle => ({
    key,
    lost: lease.signal,
    assertHeld: () => {
      if (lease.signal.aborted) throw conflictError(`lock ${key}: lost`);
    },
    release: async () => {
      await call('store.releaseLock');
      f.locks.delete(key);
    },
  });

  /** "[kind, env, app]" → where the latest template pushed is */
  const latest = new Map<string, { key: string; url: string }>();
  const unfaked = (what: string) => () => Promise.reject(new Error(`${what} is not faked; bind liveTasks/liveLogs over a mocked client`));
  f.ops = {
    tasks: {
      serviceTaskDefinition: unfaked('tasks.serviceTaskDefinition'),
      taskDefinition: unfaked('tasks.taskDefinition'),
      register: unfaked('tasks.register'),
      run: unfaked('tasks.run'),
      describe: unfaked('tasks.describe'),
      stop: unfaked('tasks.stop'),
      serviceTasks: unfaked('tasks.serviceTasks'),
      stackResources: unfaked('tasks.stackResources'),
    },
    logs: { filter: unfaked('logs.filter') },
    config,
    events,
    signal: abort.signal,
    clock: () => clock,
    stacks: {
      region: config.platform.region,
      apply,
      delete: async (name) => {
        await call('stacks.delete');
        // DeletionPolicy Retain: the named resources stay in the account, outside any stack
        for (const r of namedOf(f.templates.get(`live:${name}`)).values()) if (r.retain && r.key) f.retained.add(r.key);
        f.templates.delete(`live:${name}`);
        return { deleted: f.stacks.delete(name) };
      },
      describe: async (name) => {
        await call('stacks.describe');
        return f.stacks.get(name) ?? null;
      },
      envOutputs: async (env) => {
        await call('stacks.envOutputs');
        const s = f.stacks.get(`${config.platform.name}-${env}`);
        return s ? { clusterName: `${config.platform.name}-${env}`, ...envOutputsFrom(s.outputs) } : null;
      },
      template: async (name) => {
        await call('stacks.template');
        return f.templates.get(`live:${name}`) ?? null;
      },
      resources: async (name) => {
        await call('stacks.resources');
        const live = f.templates.get(`live:${name}`);
        if (live && f.stacks.has(name)) {
          return Object.entries((JSON.parse(live) as { Resources: Record<string, { Type: string }> }).Resources).map(([logicalId, r]) => ({ logicalId, resourceType: r.Type }));
        }
        return f.stacks.has(name) ? [{ logicalId: 'Vpc', resourceType: 'AWS::EC2::VPC' }, { logicalId: 'PublicSubnet1', resourceType: 'AWS::EC2::Subnet' }, { logicalId: 'PublicSubnet0', resourceType: 'AWS::EC2::Subnet' }, { logicalId: 'Cluster', resourceType: 'AWS::ECS::Cluster' }] : [];
      },
      // Not a recorded call: live code reads the platform stack once per command.
      serviceRole: async () => f.stacks.get(`${config.platform.name}-platform`)?.outputs.ServiceRoleArn,
      // as src/stacks/role.ts: the role is all that changes; a hook on "stacks.moveRole" may fail it
      moveRole: async (name, roleArn) => {
        await call('stacks.moveRole');
        const s = f.stacks.get(name);
        if (!s) return 'gone';
        if (s.roleArn === roleArn) return 'unchanged';
        f.stacks.set(name, { ...s, roleArn, status: 'UPDATE_COMPLETE', lastUpdated: tick() });
        return 'moved';
      },
      listAppStacks: async (env) => {
        await call('stacks.listAppStacks');
        return [...f.stacks.values()].filter((s) => s.tags[TAG_ENV] === env && s.tags[TAG_APP] !== '-').map((s) => ({ ...s, app: s.tags[TAG_APP] }))
          .sort((a, b) => a.app.localeCompare(b.app));
      },
    },
    store: {
      bucket: config.platform.bucket,
      ensureBucket: async () => ({ bucket: config.platform.bucket, region: config.platform.region, created: false, settings: [] }),
      bucketRegion: async () => {
        await call('store.bucketRegion');
        return config.platform.region;
      },
      allocatePort: async (env, app) => {
        await call('store.allocatePort');
        const file = f.ports ?? { version: 1 as const, range: config.ports.range, environments: {} };
        const had = file.environments[env]?.[app];
        if (had !== undefined) return { port: had, allocated: false, attempts: 1 };
        const used = new Set(Object.values(file.environments[env] ?? {}));
        let port = file.range[0];
        while (used.has(port)) port++;
        f.ports = { ...file, environments: { ...file.environments, [env]: { ...file.environments[env], [app]: port } } };
        return { port, allocated: true, attempts: 1 };
      },
      releasePort: async (env, app) => {
        await call('store.releasePort');
        const port = f.ports?.environments[env]?.[app] ?? null;
        if (port !== null) delete f.ports!.environments[env][app];
        return { port };
      },
      readPorts: async () => {
        await call('store.readPorts');
        return f.ports;
      },
      pushPortsRange: async () => {
        await call('store.pushPortsRange');
        const created = !f.ports;
        const before = JSON.stringify(f.ports);
        f.ports = { version: 1 as const, environments: {}, ...f.ports, range: config.ports.range };
        const body = JSON.stringify(f.ports);
        const key = 'ports.json';
        return { kind: 'ports', key, url: templateUrl(config.platform.bucket, config.platform.region, key), sha256: sha256(body), bytes: body.length, changed: before !== body, created, range: config.ports.range };
      },
      readLock: async (env, app) => {
        await call('store.readLock');
        const key = `locks/${env}/${app}.json`;
        return f.locks.has(key) ? { key, etag: `"${key}"`, info: null } : null;
      },
      removeLock: async (env, app, etag) => {
        await call('store.removeLock');
        const key = `locks/${env}/${app}.json`;
        if (etag !== undefined && etag !== `"${key}"`) throw conflictError(`lock ${key}: changed while asking`);
        f.locks.delete(key);
        return { removed: true };
      },
      acquireLock: async (env, app) => {
        await call('store.acquireLock');
        const key = `locks/${env}/${app}.json`;
        if (f.locks.has(key)) throw conflictError(`${app} in ${env} is locked`);
        f.locks.add(key);
        return lockHandle(key);
      },
      readRelease: async (env, app) => {
        await call('store.readRelease');
        const found = f.releases.get(`${env}/${app}`) ?? { state: 'none' };
        // As the pointer does: the succeeded release current before this one (unless f.pointerWithoutPrevious).
        const earlier = (f.log.get(`${env}/${app}`) ?? []).filter((r) => found.state === 'ok' && r.number! < found.record.number! && outcomeOf(r) === 'succeeded');
        const state = found.state === 'ok' && earlier.length && !f.pointerWithoutPrevious ? { ...found, previous: earlier[earlier.length - 1].number! } : found;
        const rev = f.settings.get(`${env}/${app}`)?.revision;
        return state.state === 'corrupt' || rev === undefined ? state : { ...state, settingsRevision: rev };
      },
      writeRelease: async (env, app, draft) => {
        await call('store.writeRelease');
        const log = f.log.get(`${env}/${app}`) ?? [];
        const record: ReleaseRecord = { ...draft, app, env, number: (log[log.length - 1]?.number ?? 0) + 1 };
        f.log.set(`${env}/${app}`, [...log, record]);
        if (outcomeOf(record) === 'succeeded') f.releases.set(`${env}/${app}`, { state: 'ok', record });
        return record;
      },
      listReleases: async (env, app, page = {}) => {
        await call('store.listReleases');
        const log = [...(f.log.get(`${env}/${app}`) ?? [])].reverse();
        const below = log.filter((r) => r.number! < (page.before ?? Infinity));
        const shown = below.slice(0, page.limit ?? below.length);
        const cur = f.releases.get(`${env}/${app}`);
        const last = shown[shown.length - 1]?.number ?? 1;
        return {
          records: shown.map((record) => ({ number: record.number!, record })),
          current: cur?.state === 'ok' ? (cur.record.number ?? null) : null,
          total: log.length,
          next: last > 1 ? last : null,
        };
      },
      releaseRecord: async (env, app, n) => {
        await call('store.releaseRecord');
        const record = (f.log.get(`${env}/${app}`) ?? []).find((r) => r.number === n);
        return record ? { record } : null;
      },
      objectExists: async (key) => {
        await call('store.objectExists');
        return !f.missingObjects.has(key);
      },
      readSettings: async (env, app) => {
        await call('store.readSettings');
        return structuredClone(f.settings.get(`${env}/${app}`) ?? emptySettings());
      },
      updateSettings: async (env, app, change) => {
        await call('store.updateSettings');
        const cur = f.settings.get(`${env}/${app}`) ?? emptySettings();
        const next = change(structuredClone(cur));
        const changed = JSON.stringify([next.vars, next.secrets]) !== JSON.stringify([cur.vars, cur.secrets]);
        const settings = changed ? { ...next, revision: cur.revision + 1 } : cur;
        f.settings.set(`${env}/${app}`, settings);
        return { settings, changed };
      },
      deleteRelease: async (env, app) => {
        await call('store.deleteRelease');
        f.releases.delete(`${env}/${app}`);
      },
      pushTemplate: async (kind, ids: Ids, body) => {
        await call('store.pushTemplate');
        const loc = f.ops.store.templateLocation(kind, ids, body);
        f.templates.set(loc.url, body);
        latest.set(JSON.stringify([kind, ids.env, ids.app]), loc);
        return { kind, ...loc, sha256: sha256(body), bytes: body.length, changed: true };
      },
      readLatestTemplate: async (kind, ids: Ids) => {
        await call('store.readLatestTemplate');
        const loc = latest.get(JSON.stringify([kind, ids.env, ids.app]));
        const body = loc && f.templates.get(loc.url);
        return loc && body !== undefined ? { kind, ...loc, sha256: sha256(body), bytes: body.length, changed: false, body } : null;
      },
      templateLocation: (kind, ids, body) => {
        const key = templateKey(kind, sha256(body), ids);
        return { key, url: templateUrl(config.platform.bucket, config.platform.region, key) };
      },
    },
    database: {
      preflight: async () => {
        await call('database.preflight');
      },
      ensure: async (env, app) => {
        await call('database.ensure');
        return { host: 'db', port: 5432, dbname: `app_${app}`, username: `app_${app}`, secretArn: `arn:secret:${env}/${app}`, database: 'created', role: 'created', secret: 'created' };
      },
      info: async () => {
        await call('database.info');
        return null;
      },
      drop: async () => {
        await call('database.drop');
        return { dropped: true };
      },
    },
    logGroups: {
      ensure: async (name, days) => {
        await call('logGroups.ensure');
        const had = f.logGroups.has(name);
        f.logGroups.set(name, days);
        return had ? 'exists' : 'created';
      },
    },
    retained: {
      exists: async (type, name) => {
        await call(`retained.exists ${type} ${name}`);
        return f.retained.has(`${type} ${name}`);
      },
      publicZones: async (domain) => {
        await call('retained.publicZones');
        return f.zones.filter((z) => z.name === domain).map((z) => ({ id: z.id, tags: { ...z.tags } }));
      },
      nameServers: async (id) => {
        await call('retained.nameServers');
        return f.zones.find((z) => z.id === id)?.nameServers ?? null;
      },
    },
    secrets: {
      put: async (env, app, name, value) => {
        await call('secrets.put');
        const id = `cyclops/${config.platform.name}/${env}/${app}/${name}`;
        const versions = f.secretValues.get(id) ?? [];
        f.secretValues.set(id, [...versions, value]);
        return { arn: secretArn(id), versionId: `v${versions.length + 1}`, created: !versions.length };
      },
      remove: async (id, days) => {
        await call('secrets.remove');
        const name = secretName(id);
        if (!f.secretValues.has(name)) return { outcome: 'missing' };
        if (f.foreignSecrets.has(name)) return { outcome: 'not-ours' };
        f.deletedSecrets.set(name, days);
        return { outcome: 'scheduled', deletionDate: new Date(Date.UTC(2030, 0, 1 + days)).toISOString() };
      },
      restore: async (env, app, name) => {
        await call('secrets.restore');
        for (const id of [`cyclops/${config.platform.name}/${env}/${app}/${name}`, `cyclops/${env}/${app}/${name}`]) {
          if (!f.secretValues.has(id) || f.foreignSecrets.has(id)) continue;
          const restored = f.deletedSecrets.delete(id);
          return { arn: secretArn(id), restored };
        }
        return null;
      },
    },
    services: {
      stackServices: async () => {
        await call('services.stackServices');
        return [];
      },
      describe: async (_cluster, names) => {
        await call('services.describe');
        return names.map((n) => f.services.get(n) ?? svc(n, 'COMPLETED'));
      },
      waitForRollout: async (_cluster, names) => {
        await call('services.waitForRollout');
        return names.map((n) => f.services.get(n) ?? svc(n, 'COMPLETED'));
      },
      restart: async (_c, names) => {
        await call('services.restart');
        return names;
      },
    },
    email: f.email.api,
    identity: {
      account: async () => {
        await call('identity.account');
        return '123456789012';
      },
    },
    metrics: {
      data: async (queries) => {
        await call('metrics.data');
        return new Map(queries.map((q) => [q.id, f.metricPoints.get(q.id) ?? []]));
      },
    },
    notifications: {
      publish: async (topic, subject, message) => {
        await call('notifications.publish');
        f.published.push({ topic, subject, message });
        return `message-${f.published.length}`;
      },
    },
    alarms: {
      describe: async (names) => {
        await call('alarms.describe');
        return names.flatMap((n) => (f.alarms.has(n) ? [f.alarms.get(n)!] : []));
      },
    },
    certificates: {
      list: async (env, app) => {
        await call('certificates.list');
        return [...f.certificates.values()].filter((c) => c.env === env && c.app === app).map(publicCertificate);
      },
      describe: async (arn) => {
        await call('certificates.describe');
        const c = f.certificates.get(arn);
        return c ? publicCertificate(c) : null;
      },
      request: async (env, app, names, token) => {
        await call('certificates.request');
        const same = [...f.certificates.values()].find((c) => c.token === token);
        if (same) return same.arn;
        const arn = `arn:aws:acm:eu-west-1:123456789012:certificate/${String(f.certificates.size + 1).padStart(8, '0')}-0000-0000-0000-000000000000`;
        const validation = names.map((n) => ({ domain: n, status: 'PENDING_VALIDATION', record: { name: `_v.${n}.`, type: 'CNAME', value: `_x.${n}.acm-validations.aws.` } }));
        f.certificates.set(arn, { arn, names, status: 'PENDING_VALIDATION', inUseBy: [], validation, env, app, token });
        return arn;
      },
      delete: async (arn) => {
        await call(`certificates.delete ${arn}`);
        const c = f.certificates.get(arn);
        if (!c) return 'missing';
        if (c.inUseBy.length) return 'in-use';
        f.certificates.delete(arn);
        return 'deleted';
      },
    },
    dns: {
      aliasTarget: async (zone, name) => {
        await call('dns.aliasTarget');
        return f.aliases.get(`${zone}/${name}`) ?? null;
      },
      resolvesTo: async (name) => {
        await call('dns.resolvesTo');
        return f.publicDns.get(name) ?? 'unknown';
      },
    },
    volumes: {
      list: async (env, app) => {
        await call('volumes.list');
        return f.volumes.get(`${env}/${app}`) ?? [];
      },
      delete: async (id) => {
        await call(`volumes.delete ${id}`);
        for (const [k, list] of f.volumes) f.volumes.set(k, list.filter((v) => v.id !== id));
      },
    },
  };
  // The env stack exists unless a test removes it.
  f.stacks.set(`${config.platform.name}-staging`, {
    name: `${config.platform.name}-staging`,
    id: 'env',
    status: 'CREATE_COMPLETE',
    outputs: {},
    parameters: {},
    tags: { [TAG_PLATFORM]: config.platform.name, [TAG_ENV]: 'staging', [TAG_APP]: '-' },
  });
  return f;
}

/** The name property of the types the fake gives fixed names, as AWS does (one per account and region). */
const NAMED: Record<string, string> = { 'AWS::Logs::LogGroup': 'LogGroupName', 'AWS::ECR::Repository': 'RepositoryName' };

/** A template's named resources by logical id: "<type> <name>", retained or not; hosted zones with their name and tags. */
function namedOf(body: string | undefined) {
  const out = new Map<string, { key?: string; retain: boolean; zone?: { name: string; tags: Record<string, string> } }>();
  if (!body) return out;
  const resources = (JSON.parse(body) as { Resources?: Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }> }).Resources ?? {};
  for (const [id, r] of Object.entries(resources)) {
    const retain = r.DeletionPolicy === 'Retain';
    const name = NAMED[r.Type] ? r.Properties?.[NAMED[r.Type]] : undefined;
    if (typeof name === 'string') out.set(id, { key: `${r.Type} ${name}`, retain });
    if (r.Type === 'AWS::Route53::HostedZone') {
      const tags = Object.fromEntries(((r.Properties?.HostedZoneTags ?? []) as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]));
      out.set(id, { retain, zone: { name: String(r.Properties?.Name).replace(/\.$/, ''), tags } });
    }
  }
  return out;
}

const publicCertificate = ({ env: _e, app: _a, token: _t, ...c }: CertificateInfo & { env: string; app: string; token: string }): CertificateInfo => structuredClone(c);

export function svc(name: string, rollout: string, running = 1, desired = 1): ServiceState {
  return { name, arn: name, desired, running, pending: desired - running, rollout, failedTasks: 0, events: [] };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(p: Promise<unknown>): Promise<import('../../../src/errors').CyclopsError> {
  try {
    await p;
  } catch (e) {
    return e as import('../../../src/errors').CyclopsError;
  }
  throw new Error('expected a failure');
}

/**
 * An ECR images API for tests: the calls a test gives, over defaults that answer "nothing there"
 * (no repository, no tag) and refuse a login.
 */
export function fakeImages(over: Partial<import('../../../src/ops/context').ImagesApi> = {}): import('../../../src/ops/context').ImagesApi {
  return {
    ecr: () => null,
    digest: async () => null,
    tag: async () => 'tagged',
    architectures: async () => [],
    repository: async () => null,
    login: () => Promise.reject(new Error('no registry login in this test')),
    list: async () => [],
    platforms: async () => ({ architectures: [], children: [] }),
    ...over,
  };
}

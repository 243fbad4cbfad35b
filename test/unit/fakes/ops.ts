/**
 * In-memory Ops for unit tests: stacks, store, database and services that keep their state
 * in maps and record every call in order. `onCall(name, fn)` runs fn when that call happens
 * (to abort the signal at step N, or to fail it).
 */
import { parseConfig } from '../../../src/config/load';
import type { Config } from '../../../src/config/model';
import { EventLog } from '../../../src/events';
import { TAG_APP, TAG_ENV, TAG_PLATFORM, templateKey, templateUrl, TEMPLATE_DIGEST_OUTPUT, type Ids } from '../../../src/naming';
import type { LockHandle, Ops } from '../../../src/ops/context';
import type { ServiceState } from '../../../src/services/rollout';
import type { ApplyInput, ApplyResult, StackSummary } from '../../../src/stacks';
import { sha256, type PortsFile, type ReleaseRecord, type ReleaseState } from '../../../src/store';
import { conflictError } from '../../../src/errors';

export interface Fake {
  ops: Ops;
  calls: string[];
  events: EventLog;
  abort: AbortController;
  stacks: Map<string, StackSummary>;
  templates: Map<string, string>;
  ports: PortsFile | null;
  releases: Map<string, ReleaseState>;
  locks: Set<string>;
  services: Map<string, ServiceState>;
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
    ports: null,
    releases: new Map(),
    locks: new Set(),
    services: new Map(),
    onCall: (name, fn) => hooks.set(name, [...(hooks.get(name) ?? []), fn]),
  };
  const call = async (name: string) => {
    calls.push(name);
    for (const h of hooks.get(name) ?? []) await h();
  };
  const tick = () => new Date((clock += 1000));

  const apply = async (input: ApplyInput): Promise<ApplyResult> => {
    await call('stacks.apply');
    const body = f.templates.get(input.templateUrl);
    if (body === undefined) throw new Error(`no template at ${input.templateUrl}`);
    const t = JSON.parse(body) as { Outputs?: Record<string, { Value: string }> };
    const outputs = Object.fromEntries(Object.entries(t.Outputs ?? {}).map(([k, v]) => [k, typeof v.Value === 'string' ? v.Value : 'x']));
    const parameters = Object.fromEntries((input.parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
    const tags = Object.fromEntries(input.tags.map((x) => [x.Key, x.Value]));
    const existing = f.stacks.get(input.stackName);
    const same = existing && existing.outputs[TEMPLATE_DIGEST_OUTPUT] === outputs[TEMPLATE_DIGEST_OUTPUT] && JSON.stringify(existing.parameters) === JSON.stringify(parameters);
    const base = { stackName: input.stackName, changes: [], outputs };
    if (input.dryRun) return { ...base, action: 'dry-run', status: existing?.status ?? 'NONE', changed: !same };
    if (same) return { ...base, action: 'none', status: existing!.status, changed: false };
    if (input.signal?.aborted) throw Object.assign(new Error('interrupted'), { exitCode: 130 });
    const status = existing ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE';
    f.stacks.set(input.stackName, { name: input.stackName, id: `id-${input.stackName}`, status, outputs, parameters, tags, lastUpdated: tick() });
    return { ...base, action: existing ? 'update' : 'create', status, changed: true };
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
        return { deleted: f.stacks.delete(name) };
      },
      describe: async (name) => {
        await call('stacks.describe');
        return f.stacks.get(name) ?? null;
      },
      envOutputs: async (env) => {
        await call('stacks.envOutputs');
        const s = f.stacks.get(`${config.platform.name}-${env}`);
        return s ? { clusterName: `${config.platform.name}-${env}` } : null;
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
      acquireLock: async (env, app) => {
        await call('store.acquireLock');
        const key = `locks/${env}/${app}.json`;
        if (f.locks.has(key)) throw conflictError(`${app} in ${env} is locked`);
        f.locks.add(key);
        return lockHandle(key);
      },
      readRelease: async (env, app) => {
        await call('store.readRelease');
        return f.releases.get(`${env}/${app}`) ?? { state: 'none' };
      },
      writeRelease: async (env, app, record: ReleaseRecord) => {
        await call('store.writeRelease');
        f.releases.set(`${env}/${app}`, { state: 'ok', record });
      },
      deleteRelease: async (env, app) => {
        await call('store.deleteRelease');
        f.releases.delete(`${env}/${app}`);
      },
      pushTemplate: async (kind, ids: Ids, body) => {
        await call('store.pushTemplate');
        const loc = f.ops.store.templateLocation(kind, ids, body);
        f.templates.set(loc.url, body);
        return { kind, ...loc, sha256: sha256(body), bytes: body.length, changed: true };
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

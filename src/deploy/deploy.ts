/**
 * `cyclops deploy IMAGE APP ENV`, step by step (DESIGN.md's data flow):
 * lock → env outputs → port → database → render + push → create/update stack → rollout →
 * release → unlock. Any failure, and Ctrl-C, releases the lock.
 */
import type { Aws } from '../aws/client';
import { appConfig, type Config } from '../config/model';
import { interrupted, usageError } from '../errors';
import { appStack, appUrl } from '../naming';
import type { Reporter } from '../report/reporter';
import { waitForRollout, stackServices, type ServiceState } from '../services/rollout';
import { envOutputs, type ApplyResult, type ChangeSummary, type EnvOutputs } from '../stacks';
import { applyTemplate } from './apply-template';
import { holdLock, letGo } from './lock';
import { allocatePort, currentHolder, lowestFree, readPorts, readRelease, writeRelease, type ReleaseRecord } from '../store';
import { checkDeployInputs } from './inputs';

export interface DeployOptions {
  dryRun?: boolean;
  wait?: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
  counts?: Partial<Record<'web' | 'worker', number>>;
}

export interface DeployResult {
  app: string;
  env: string;
  image: string;
  port: number;
  url: string;
  stack: string;
  status: string;
  changed: boolean;
  action: ApplyResult['action'];
  changes: ChangeSummary[];
  duration: number;
  release: (ReleaseRecord & { number?: number }) | null;
  database: { dbname: string; username: string; secretArn: string; state: string } | null;
  services: { name: string; desired: number; running: number; rollout?: string }[];
}

export interface DeployDeps {
  aws: Aws;
  config: Config;
  reporter: Reporter;
}

export async function deploy(deps: DeployDeps, image: string, app: string, env: string, opts: DeployOptions = {}): Promise<DeployResult> {
  const started = Date.now();
  const { aws, config, reporter } = deps;
  checkDeployInputs(config, image, app, env);
  const envConfig = config.environments[env];
  const stack = appStack(config.platform.name, env, app);
  const checkpoint = () => {
    if (opts.signal?.aborted) throw interrupted(`deploy of ${app} to ${env} interrupted; nothing more was changed`);
  };

  // The env stack must exist before anything is written.
  reporter.step(`reading environment ${env}`);
  const outputs = await envOutputs(aws, config, env);
  checkpoint();

  // A dry run takes no lock and writes no port, database or release: it only asks
  // CloudFormation what would change (the content-addressed template is uploaded, since a
  // change set needs a template URL).
  const lock = opts.dryRun ? null : await holdLock(deps, env, app, `deploy ${image}`, opts.timeoutSeconds);
  try {
    checkpoint();
    const port = await preparePort(deps, app, env, !!opts.dryRun);
    checkpoint();
    const database = await prepareDatabase(deps, app, env, opts, outputs);
    checkpoint();

    const { renderApp, appParameters, templateBody } = await import('../plan');
    const template = renderApp(config, env, app, { port, databaseSecretArn: database?.secretArn });
    const parameters = appParameters(config, env, app, image, opts.counts);
    const { pushed, result: applied } = await applyTemplate(deps, {
      kind: 'app',
      ids: { platform: config.platform.name, env, app },
      stackName: stack,
      body: templateBody(template),
      parameters,
      dryRun: opts.dryRun,
      timeoutSeconds: opts.timeoutSeconds,
      signal: opts.signal,
    });
    reporter.debug(`template ${pushed.changed ? 'uploaded' : 'unchanged'}: ${pushed.key}`);

    let services: ServiceState[] = [];
    if (applied.changed && !opts.dryRun && opts.wait !== false) {
      const arns = await stackServices(aws, stack);
      reporter.step(`waiting for ${arns.length} service(s) to roll out`);
      services = await waitForRollout(aws, reporter, outputs.clusterName ?? outputs.clusterArn ?? '', arns, {
        timeoutSeconds: opts.timeoutSeconds,
        signal: opts.signal,
      });
    }

    const https = outputs.https === 'true' || envConfig.tls.mode !== 'none';
    const url = appUrl(app, outputs.domain ?? envConfig.dns.domain, https);
    const previous = await readRelease(aws, config, env, app);
    let release: DeployResult['release'] = previous;
    if (applied.changed && !opts.dryRun) {
      const number = (typeof previous?.number === 'number' ? previous.number : 0) + 1;
      release = {
        number,
        app,
        env,
        image,
        deployedAt: new Date().toISOString(),
        deployedBy: currentHolder(),
        stack,
        templateUrl: pushed.url,
        templateKey: pushed.key,
        parameters: Object.fromEntries(parameters.map((p) => [p.ParameterKey, p.ParameterValue])),
        port,
        url,
        status: applied.status,
      };
      await writeRelease(aws, config, env, app, release);
    }
    return {
      app,
      env,
      image,
      port,
      url,
      stack,
      status: applied.status,
      changed: applied.changed,
      action: applied.action,
      changes: applied.changes,
      duration: Math.round((Date.now() - started) / 100) / 10,
      release,
      database,
      services: services.map((s) => ({ name: s.name, desired: s.desired, running: s.running, rollout: s.rollout })),
    };
  } finally {
    if (lock) await letGo(lock, reporter, app, env);
  }
}

/** The app's port: allocated (idempotently), or on a dry run the one it has or would get. */
async function preparePort(deps: DeployDeps, app: string, env: string, dryRun: boolean): Promise<number> {
  const { aws, config, reporter } = deps;
  if (!dryRun) {
    const { port, allocated } = await allocatePort(aws, config, env, app);
    reporter.step(allocated ? `allocated port ${port}` : `port ${port}`);
    return port;
  }
  const file = await readPorts(aws, config);
  const have = file?.environments[env]?.[app];
  const port = have ?? (file ? lowestFree(file, env) : config.ports.range[0]);
  if (port === null || port === undefined) throw usageError(`ports ${config.ports.range.join('-')}: the range is full in ${env}; widen ports.range in ${config.file} and run "cyclops config push ports"`);
  reporter.step(have ? `port ${port}` : `would allocate port ${port}`);
  return port;
}

/** Ensure the app's database (not on a dry run, which only reads the existing secret). */
async function prepareDatabase(deps: DeployDeps, app: string, env: string, opts: DeployOptions, outputs: EnvOutputs): Promise<DeployResult['database']> {
  const { aws, config, reporter } = deps;
  const settings = appConfig(config, app);
  if (!settings.database) return null;
  if (config.environments[env].database.type === 'none') {
    // An unlisted app asks for a database only by default; say so quietly.
    const say = settings.configured ? reporter.warn.bind(reporter) : reporter.debug.bind(reporter);
    say(`environment ${env} has database.type "none"; ${app} is deployed without a database`);
    return null;
  }
  const { ensureAppDatabase, appDatabaseInfo } = await import('../database');
  const dbDeps = { aws, config, reporter, signal: opts.signal, envOutputs: outputs }; // read once, above
  if (opts.dryRun) {
    const info = await appDatabaseInfo(dbDeps, env, app).catch(() => null);
    if (!info) reporter.step(`would create database and login for ${app}`);
    return info ? { dbname: info.dbname, username: info.username, secretArn: info.secretArn, state: 'exists' } : null;
  }
  const db = await ensureAppDatabase(dbDeps, env, app);
  return { dbname: db.dbname, username: db.username, secretArn: db.secretArn, state: db.database };
}

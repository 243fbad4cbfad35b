/**
 * What every command gets: the reporter, the config (loaded on first use), AWS clients
 * (connected on first use, so offline commands never load the SDK) and interrupt handling.
 */
import type { Aws, AwsOptions } from './aws/client';
import type { Config } from './config/model';
import { interrupted } from './errors';
import type { CommandLevel } from './iam/commands';
import type { Ops } from './ops/context';
import type { Target } from './plan/target';
import { Reporter, type ReporterOptions } from './report/reporter';

/** Where a command reads and writes: the process's own streams unless given (in-process runs). */
export type Streams = Pick<ReporterOptions, 'stdout' | 'stderr' | 'stdin'>;

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  yes?: boolean;
  /** --progress json: every progress event as one JSON line on stderr */
  progress?: 'human' | 'json';
}

export class Context {
  readonly reporter: Reporter;
  readonly options: GlobalOptions;
  /** Aborted on Ctrl-C; long waits watch it. */
  readonly abort = new AbortController();
  private configPromise?: Promise<Config>;
  private awsPromise?: Promise<Aws>;
  private readonly envAwsPromises = new Map<string, Promise<Aws>>();
  /** The running command's level (src/iam/commands.ts): read commands take an environment's read role. Unset: the deploy role. */
  level?: CommandLevel;

  constructor(options: GlobalOptions, reporter?: Reporter, streams: Streams = {}) {
    this.options = options;
    this.reporter =
      reporter ??
      new Reporter({ json: options.json, verbose: options.verbose, color: options.color === false ? false : undefined, yes: options.yes, progress: options.progress, ...streams });
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  config(): Promise<Config> {
    this.configPromise ??= import('./config/load').then((m) => m.loadConfig({ configPath: this.options.config }));
    return this.configPromise;
  }

  private async awsOptions(): Promise<AwsOptions> {
    const config = await this.config();
    const { resolveEndpoint } = await import('./aws/client');
    return {
      region: this.options.region ?? config.platform.region,
      profile: this.options.profile ?? config.aws.profile,
      endpoint: resolveEndpoint(this.options.endpointUrl, config.aws.endpoint),
      onCall: (call) => {
        this.reporter.debug('aws.call', { service: call.service, operation: call.operation, ok: call.ok, ms: call.ms }, `aws ${call.service}.${call.operation} ${call.ok ? 'ok' : 'error'} ${call.ms}ms`);
      },
    };
  }

  /** The platform's home: the config bucket, ports, releases, ECR. */
  aws(): Promise<Aws> {
    this.awsPromise ??= (async () => (await import('./aws/client')).connect(await this.awsOptions()))();
    return this.awsPromise;
  }

  /**
   * Clients in an environment's own account and region (`environments.<env>.aws`), made once
   * per command and only after the account guard passed: the credentials act in that account.
   */
  envAws(env: string, config?: Config): Promise<Aws> {
    let p = this.envAwsPromises.get(env);
    if (!p) {
      p = (async () => {
        const cfg = config ?? (await this.config());
        const where = cfg.environments[env]?.aws;
        if (!where) return this.aws();
        const [home, opts, { connectEnv }, { callerAccount }, { checkEnvAccount, envRoleFor }, { currentHolder }] = await Promise.all([
          this.aws(),
          this.awsOptions(),
          import('./aws/env-connect'),
          import('./aws/sts'),
          import('./ops/account'),
          import('./store/locks'),
        ]);
        const aws = await connectEnv(home, opts, where, currentHolder().split('@')[0], envRoleFor(cfg.platform.name, env, where, this.level));
        await checkEnvAccount({ account: () => callerAccount(aws) }, env, where);
        this.reporter.debug('aws.environment', { env, account: where.account ?? null, region: where.region }, `environment ${env}: ${where.account ? `account ${where.account}` : "the platform's account"}, region ${where.region}`);
        return aws;
      })();
      this.envAwsPromises.set(env, p);
    }
    return p;
  }

  /** The application layer bound to AWS, for one command (and its validated target); `override`: a derived config (a preview's). */
  async ops(target?: Target, override?: Config): Promise<Ops> {
    const [config, aws, { liveOps }] = await Promise.all([this.config(), this.aws(), import('./ops/live')]);
    const cfg = override ?? config;
    const envAws = target && cfg.environments[target.env]?.aws ? await this.envAws(target.env, cfg) : undefined;
    return liveOps(aws, cfg, this.reporter, this.signal, target, envAws);
  }

  /**
   * Called by the CLI on SIGINT. Long waits watch `signal` and stop; each operation then
   * cleans up after itself (locks are released in finally blocks) and exits 130.
   */
  interrupt(): void {
    this.abort.abort(interrupted('interrupted'));
  }
}

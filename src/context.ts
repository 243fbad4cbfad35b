/**
 * What every command gets: the reporter, the config (loaded on first use), AWS clients
 * (connected on first use, so offline commands never load the SDK) and interrupt handling.
 */
import type { Aws } from './aws/client';
import type { Config } from './config/model';
import { interrupted } from './errors';
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

  aws(): Promise<Aws> {
    this.awsPromise ??= (async () => {
      const config = await this.config();
      const { connect, resolveEndpoint } = await import('./aws/client');
      const endpoint = resolveEndpoint(this.options.endpointUrl, config.aws.endpoint);
      return connect({
        region: this.options.region ?? config.platform.region,
        profile: this.options.profile ?? config.aws.profile,
        endpoint,
        onCall: (call) => {
          this.reporter.debug('aws.call', { service: call.service, operation: call.operation, ok: call.ok, ms: call.ms }, `aws ${call.service}.${call.operation} ${call.ok ? 'ok' : 'error'} ${call.ms}ms`);
        },
      });
    })();
    return this.awsPromise;
  }

  /** The application layer bound to AWS, for one command (and its validated target); `override`: a derived config (a preview's). */
  async ops(target?: Target, override?: Config): Promise<Ops> {
    const [config, aws, { liveOps }] = await Promise.all([this.config(), this.aws(), import('./ops/live')]);
    return liveOps(aws, override ?? config, this.reporter, this.signal, target);
  }

  /**
   * Called by the CLI on SIGINT. Long waits watch `signal` and stop; each operation then
   * cleans up after itself (locks are released in finally blocks) and exits 130.
   */
  interrupt(): void {
    this.abort.abort(interrupted('interrupted'));
  }
}

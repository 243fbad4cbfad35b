/**
 * The one place that renders output. Human progress and messages go to stderr; the result
 * goes to stdout. With --json exactly one JSON document goes to stdout. Every line passes
 * through secret redaction, so a value registered with `secret()` can never be printed.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { CyclopsError, interrupted } from '../errors';
import { dataOf, message, type CyclopsEvent, type Events, type MessageCode, type MessageData } from '../events';
import { errorDocument, errorLines } from './error-text';
import { formatTable, type Column } from './table';
import { formatLogLine, ndjson } from './log-lines';

export interface ReporterOptions {
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  /** --yes: confirmations pass without asking. */
  yes?: boolean;
  /** --progress: "json" writes every event as one JSON line on stderr (for CI systems) */
  progress?: 'human' | 'json';
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export class Reporter implements Events {
  readonly json: boolean;
  readonly progressJson: boolean;
  readonly verbose: boolean;
  readonly yes: boolean;
  readonly c: ChalkInstance;
  /** colours for stdout (log lines), by stdout's own terminal */
  readonly cOut: ChalkInstance;
  /**
   * `logs --follow --json`: each log event is one JSON line on stdout (NDJSON), the documented
   * exception to the one-document rule. Without it, --json leaves log events to the result.
   */
  ndjson = false;
  private readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly err: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  private readonly secrets = new Set<string>();
  private readonly started = Date.now();
  private resultWritten = false;

  constructor(opts: ReporterOptions = {}) {
    this.json = !!opts.json;
    this.verbose = !!opts.verbose;
    this.yes = !!opts.yes;
    this.progressJson = opts.progress === 'json';
    this.out = opts.stdout ?? process.stdout;
    this.err = opts.stderr ?? process.stderr;
    this.stdin = opts.stdin ?? process.stdin;
    const color = opts.color ?? (!process.env.NO_COLOR && !!this.err.isTTY && process.env.TERM !== 'dumb');
    this.c = new Chalk({ level: color ? 1 : 0 });
    const colorOut = opts.color ?? (!process.env.NO_COLOR && !!this.out.isTTY && process.env.TERM !== 'dumb');
    this.cOut = new Chalk({ level: colorOut ? 1 : 0 });
  }

  /** Never print this value anywhere (passwords, tokens). */
  secret(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let s = text;
    for (const v of this.secrets) s = s.split(v).join('********');
    return s;
  }

  private write(stream: NodeJS.WritableStream, text: string): void {
    stream.write(this.redact(text) + '\n');
  }

  /** Seconds since the command started, for progress lines. */
  elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)}s`;
  }

  /**
   * Render one event: the only place engine and ops output becomes text. With
   * `--progress json` each event is one JSON line on stderr, {time, level, code, message,
   * data} (debug events only with --verbose); otherwise a human line.
   */
  emit(event: CyclopsEvent): void {
    if (event.type === 'debug' && !this.verbose) return;
    if (event.type === 'log-event') return this.logEvent(event);
    if (event.type === 'task-state' && !this.verbose && !this.progressJson && !/^started/.test(event.status)) return;
    if (this.progressJson) {
      const line = { time: new Date().toISOString(), level: levelOf(event), code: event.code, message: this.text(event, PLAIN), data: dataOf(event) };
      this.write(this.err, JSON.stringify(line));
      return;
    }
    const c = this.c;
    const text = this.text(event, c);
    switch (event.type) {
      case 'step':
        return this.write(this.err, `${c.cyan('›')} ${text}`);
      case 'success':
        return this.write(this.err, `${c.green('✔')} ${text}`);
      case 'warning':
        return this.write(this.err, `${c.yellow('warning:')} ${text}`);
      case 'debug':
        return this.write(this.err, c.dim(text));
      case 'info':
      case 'task-log':
        return this.write(this.err, text);
      default:
        return this.progress(text);
    }
  }

  /** The words for an event, painted with `c` (PLAIN for JSON). */
  private text(event: CyclopsEvent, c: ChalkInstance): string {
    switch (event.type) {
      case 'stack-event': {
        const paint = event.status.endsWith('_FAILED') ? c.red : event.status.endsWith('_COMPLETE') ? c.green : c.yellow;
        const reason = event.reason ? ` ${c.dim('· ' + event.reason)}` : '';
        return `${event.logicalId} ${c.dim(event.resourceType)} ${paint(event.status)}${reason}`;
      }
      case 'service-rollout': {
        const counts = `${event.running}/${event.desired} running${event.pending ? `, ${event.pending} pending` : ''}${event.failed ? `, ${event.failed} failed` : ''}`;
        const paint = event.rollout === 'FAILED' ? c.red : event.rollout === 'COMPLETED' ? c.green : c.yellow;
        return `${event.service}: ${paint(event.rollout)} (${counts})`;
      }
      case 'service-event':
        return `${event.service}: ${c.dim(event.message)}`;
      case 'heartbeat':
        return c.dim(`still waiting for ${event.what} (${formatSeconds(event.elapsedSeconds)} of ${formatSeconds(event.timeoutSeconds)})`);
      case 'task-state':
        return `${event.task}: ${event.status}`;
      case 'task-log':
        return `${c.magenta(event.task)} ${event.message}`;
      case 'log-event':
        return event.message;
      default:
        return event.message;
    }
  }

  /** A log event is output, not progress: stdout, as NDJSON or a prefixed line. */
  private logEvent(event: Extract<CyclopsEvent, { type: 'log-event' }>): void {
    const { type: _type, ...line } = event;
    if (this.json) {
      if (this.ndjson) this.out.write(this.redact(ndjson(line)));
      return;
    }
    this.write(this.out, formatLogLine(line, this.cOut));
  }

  info<C extends MessageCode>(code: C, data: MessageData[C], text: string): void {
    this.emit(message('info', code, data, text));
  }

  step<C extends MessageCode>(code: C, data: MessageData[C], text: string): void {
    this.emit(message('step', code, data, text));
  }

  success<C extends MessageCode>(code: C, data: MessageData[C], text: string): void {
    this.emit(message('success', code, data, text));
  }

  warn<C extends MessageCode>(code: C, data: MessageData[C], text: string): void {
    this.emit(message('warning', code, data, text));
  }

  debug<C extends MessageCode>(code: C, data: MessageData[C], text: string): void {
    this.emit(message('debug', code, data, text));
  }

  /** A timestamped progress line. */
  progress(msg: string): void {
    this.write(this.err, `${this.c.dim(this.elapsed().padStart(7))}  ${msg}`);
  }

  /**
   * The command's result. With --json: `data` as one document on stdout. Otherwise the
   * human text (if any) on stdout.
   */
  result(data: unknown, human?: string | string[]): void {
    if (this.resultWritten) throw new Error('reporter: result written twice');
    this.resultWritten = true;
    if (this.json) {
      this.write(this.out, JSON.stringify(data, null, 2));
      return;
    }
    if (human === undefined) return;
    const lines = Array.isArray(human) ? human : [human];
    if (lines.length) this.write(this.out, lines.join('\n'));
  }

  /** Raw text result (templates): stdout as is, in either mode. */
  raw(text: string): void {
    this.resultWritten = true;
    this.out.write(this.redact(text.endsWith('\n') ? text : text + '\n'));
  }

  table<T>(rows: T[], columns: Column<T>[]): string {
    return formatTable(rows, columns, this.c);
  }

  /** Render a failure: one line (plus details) on stderr, and with --json a document on stdout. */
  error(e: unknown): number {
    for (const line of errorLines(e, (s) => this.c.red(s))) this.write(this.err, line);
    if (this.verbose && e instanceof Error && e.stack) {
      this.write(this.err, this.c.dim(e.stack));
      const cause = (e as { cause?: unknown }).cause;
      if (cause instanceof Error && cause.stack) this.write(this.err, this.c.dim(`caused by: ${cause.stack}`));
    }
    return this.errorDocument(e);
  }

  /** With --json, the failure as the one document on stdout (stderr is left alone). */
  errorDocument(e: unknown): number {
    const { doc, exitCode } = errorDocument(e);
    if (this.json && !this.resultWritten) {
      this.resultWritten = true;
      this.write(this.out, JSON.stringify(doc, null, 2));
    }
    return exitCode;
  }

  /**
   * All of stdin, for a value that must never be an argument (a secret). A terminal on stdin
   * is a usage error: the value would echo on the screen.
   */
  async readStdin(what: string): Promise<string> {
    if (this.stdin.isTTY) throw new CyclopsError(`${what}: reads the value from stdin; pipe it in (printf %s "$VALUE" | cyclops ...) or give --from-file FILE`, { exitCode: 2, code: 'usage' });
    let text = '';
    for await (const chunk of this.stdin) text += chunk.toString();
    return text;
  }

  /**
   * A secret value: all of stdin when it is a pipe or a file; on a terminal, one line typed at a
   * prompt on stderr that does not echo (raw mode, nothing written back). Ctrl-C or the end of
   * input at the prompt changes nothing.
   */
  async readSecret(what: string, prompt: string): Promise<string> {
    const tty = this.stdin as NodeJS.ReadStream;
    if (!tty.isTTY || typeof tty.setRawMode !== 'function') return this.readStdin(what);
    this.err.write(`${prompt} (input hidden, Enter to finish): `);
    tty.setRawMode(true);
    tty.resume();
    try {
      return await new Promise<string>((resolve, reject) => {
        let text = '';
        const onData = (chunk: Buffer) => {
          for (const ch of chunk.toString('utf8')) {
            if (ch === '\r' || ch === '\n') return done(() => resolve(text));
            if (ch === '\u0003' || ch === '\u0004') return done(() => reject(interrupted(`${what}: interrupted at the prompt; nothing was changed`)));
            if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
            else text += ch;
          }
        };
        const done = (finish: () => void) => {
          tty.off('data', onData);
          this.err.write('\n');
          finish();
        };
        tty.on('data', onData);
      });
    } finally {
      tty.setRawMode(false);
      tty.pause();
    }
  }

  /**
   * Ask a yes/no question on stderr. --yes answers yes. Without a terminal on stdin there is
   * nobody to ask, so it refuses with a usage error that names the flag.
   */
  async confirm(question: string, what: string): Promise<void> {
    if (this.yes) return;
    if (!this.stdin.isTTY) {
      throw new CyclopsError(`${what}: needs confirmation and there is no terminal to ask; pass --yes to confirm`, {
        exitCode: 2,
        code: 'usage',
      });
    }
    const readline = await import('node:readline/promises');
    const rl = readline.createInterface({ input: this.stdin, output: this.err });
    try {
      const answer = (
        await rl.question(`${question} [y/N] `).catch((e: Error) => {
          // Ctrl-C (or the end of input) at the prompt: nothing was touched.
          throw e.name === 'AbortError' ? interrupted(`${what}: interrupted at the prompt; nothing was changed`) : e;
        })
      ).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        throw new CyclopsError(`${what}: not confirmed; nothing was changed`, { exitCode: 2, code: 'usage' });
      }
    } finally {
      rl.close();
    }
  }
}

/** 75 → "1m15s", 1800 → "30m", 42 → "42s". */
export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.round(total));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', r || (!h && !m) ? `${r}s` : ''].join('');
}

const PLAIN = new Chalk({ level: 0 });

/** The JSON line's level: debug, info or warning (a failed resource or rollout is a warning). */
function levelOf(event: CyclopsEvent): 'debug' | 'info' | 'warning' {
  switch (event.type) {
    case 'debug':
      return 'debug';
    case 'warning':
      return 'warning';
    case 'stack-event':
      return event.status.endsWith('_FAILED') ? 'warning' : 'info';
    case 'service-rollout':
      return event.rollout === 'FAILED' ? 'warning' : 'info';
    default:
      return 'info';
  }
}

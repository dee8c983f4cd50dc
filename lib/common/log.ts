/**
 * The one logger of the runtime and the operations command: lines on stderr by default, so that stdout carries only
 * results, each passed through a redactor first. The runtime writes one JSON object per line,
 * `{"time","level","msg","fields"}`; the operations command writes `<prefix> <msg>` lines, which Terraform shows
 * under the provisioner.
 */
import { processRedactor, Redactor } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Where log lines go: anything with `write(string)` (process.stderr, a test buffer). */
export interface LineSink {
  write(line: string): unknown;
}

export interface LineLoggerOptions {
  /** @default process.stderr */
  readonly sink?: LineSink;
  /** Lines below this level are dropped. Default `info`. */
  readonly level?: LogLevel;
  /** Fields added to every line (command, window). */
  readonly base?: LogFields;
  /** Clock for the `time` field; injectable for tests. */
  readonly now?: () => Date;
  /**
   * `json`: one JSON object per line. `{ prefix }`: `<prefix> <msg>`, then the fields as JSON if there are any.
   * @default 'json'
   */
  readonly format?: 'json' | { readonly prefix: string };
  /**
   * Where the secrets to keep out of the lines are registered.
   * @default processRedactor
   */
  readonly redactor?: Redactor;
}

export function isLogLevel(value: string): value is LogLevel {
  return Object.prototype.hasOwnProperty.call(LEVEL_RANK, value);
}

export class LineLogger implements Logger {
  private readonly sink: LineSink;
  private readonly minRank: number;
  private readonly base: LogFields;
  private readonly now: () => Date;
  private readonly redactor: Redactor;

  constructor(private readonly options: LineLoggerOptions = {}) {
    this.sink = options.sink ?? process.stderr;
    this.minRank = LEVEL_RANK[options.level ?? 'info'];
    this.base = options.base ?? {};
    this.now = options.now ?? (() => new Date());
    this.redactor = options.redactor ?? processRedactor;
  }

  /** A logger that adds `fields` to every line it writes. */
  child(fields: LogFields): LineLogger {
    return new LineLogger({ ...this.options, base: { ...this.base, ...fields } });
  }

  /** `text` as this logger would print it (bound: callers pass it around as a function). */
  readonly redact = (text: string): string => this.redactor.text(text);

  /** Registers a value that must never appear in this logger's lines. */
  addSecret(value: string | undefined): void {
    this.redactor.addSecret(value);
  }

  debug(msg: string, fields?: LogFields): void {
    this.write('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.write('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.write('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.write('error', msg, fields);
  }

  private write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (LEVEL_RANK[level] < this.minRank) return;
    const merged = { ...this.base, ...(fields ?? {}) };
    const hasFields = Object.keys(merged).length > 0;
    const format = this.options.format ?? 'json';
    if (format === 'json') {
      const line: Record<string, unknown> = { time: this.now().toISOString(), level, msg: this.redactor.value(msg) };
      if (hasFields) line.fields = this.redactor.value(merged);
      this.sink.write(`${JSON.stringify(line)}\n`);
    } else {
      this.sink.write(`${this.redactor.text(`${format.prefix} ${msg}`)}${hasFields ? ` ${JSON.stringify(this.redactor.value(merged))}` : ''}\n`);
    }
  }
}

/** A logger that drops everything (library callers that want no output). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

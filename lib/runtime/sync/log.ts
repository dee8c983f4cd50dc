/**
 * Structured logging: one JSON object per line, `{"time","level","msg","fields"}`, on stderr by default, so that
 * stdout carries only results. Every field passes through the redactor first.
 */
import { redactValue } from './redact';

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

export interface JsonLoggerOptions {
  readonly sink?: LineSink;
  /** Lines below this level are dropped. Default `info`. */
  readonly level?: LogLevel;
  /** Fields added to every line (command, window). */
  readonly base?: LogFields;
  /** Clock for the `time` field; injectable for tests. */
  readonly now?: () => Date;
}

export function isLogLevel(value: string): value is LogLevel {
  return Object.prototype.hasOwnProperty.call(LEVEL_RANK, value);
}

export class JsonLogger implements Logger {
  private readonly sink: LineSink;
  private readonly minRank: number;
  private readonly base: LogFields;
  private readonly now: () => Date;

  constructor(options: JsonLoggerOptions = {}) {
    this.sink = options.sink ?? process.stderr;
    this.minRank = LEVEL_RANK[options.level ?? 'info'];
    this.base = options.base ?? {};
    this.now = options.now ?? (() => new Date());
  }

  /** A logger that adds `fields` to every line it writes. */
  child(fields: LogFields): JsonLogger {
    return new JsonLogger({ sink: this.sink, level: rankName(this.minRank), base: { ...this.base, ...fields }, now: this.now });
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
    const line: Record<string, unknown> = { time: this.now().toISOString(), level, msg: redactValue(msg) };
    if (Object.keys(merged).length > 0) line.fields = redactValue(merged);
    this.sink.write(`${JSON.stringify(line)}\n`);
  }
}

function rankName(rank: number): LogLevel {
  return (Object.keys(LEVEL_RANK) as LogLevel[]).find((l) => LEVEL_RANK[l] === rank) ?? 'info';
}

/** A logger that drops everything (library callers that want no output). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

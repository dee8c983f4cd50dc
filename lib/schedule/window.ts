import { CronSchedule, runTimesBetween } from './cron';
import { DEFAULT_STREAM_LAG_MINUTES } from './defaults';
import { ScheduleError, WindowTimeError, WindowValidationError } from './errors';
import { evaluateSchedulingExpression } from './expressions';
import { assertTimeZone, daysInMonth, formatUtcOffset, localDateTimeAt, resolveLocalDateTime, utcOffsetAt } from './timezone';

/** A left-closed, right-open interval [start, end) of epoch milliseconds. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** A window together with the scheduled run (epoch ms) that syncs it. */
export interface PlannedWindow extends Window {
  readonly runTime: number;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/**
 * Parses a `yyyyMMddHHmmss` wall-clock time (DataWorks startTime/endTime) in `timeZone` into epoch ms.
 * Strict: exactly 14 digits, year >= 1970, a real calendar date, hour 00-23, minute and second 00-59, and a local
 * time that exists exactly once in the zone (DST gaps and repeated hours are refused).
 */
export function parseWindowTime(text: string, timeZone: string): number {
  if (typeof text !== 'string') throw new WindowTimeError(String(text), 'expected a string in yyyyMMddHHmmss format');
  if (text.length !== 14) throw new WindowTimeError(text, `expected 14 characters (yyyyMMddHHmmss), got ${text.length}`);
  const nonDigit = [...text].findIndex((c) => c < '0' || c > '9');
  if (nonDigit >= 0) throw new WindowTimeError(text, `character ${JSON.stringify(text[nonDigit])} at index ${nonDigit} is not a digit (expected yyyyMMddHHmmss)`);
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  const hour = Number(text.slice(8, 10));
  const minute = Number(text.slice(10, 12));
  const second = Number(text.slice(12, 14));
  if (year < 1970) throw new WindowTimeError(text, `year ${year} is before 1970`);
  if (month < 1 || month > 12) throw new WindowTimeError(text, `month ${pad(month)} is out of range 01-12`);
  const monthLength = daysInMonth(year, month);
  if (day < 1 || day > monthLength) {
    throw new WindowTimeError(text, day < 1 ? 'day 00 does not exist' : `day ${day} does not exist in ${MONTH_NAMES[month - 1]} ${year} (it has ${monthLength} days)`);
  }
  if (hour > 23) throw new WindowTimeError(text, `hour ${pad(hour)} is out of range 00-23`);
  if (minute > 59) throw new WindowTimeError(text, `minute ${pad(minute)} is out of range 00-59`);
  if (second > 59) throw new WindowTimeError(text, `second ${pad(second)} is out of range 00-59`);
  assertTimeZone(timeZone);
  const resolved = resolveLocalDateTime({ year, month, day, hour, minute, second }, timeZone);
  const local = `${pad(year, 4)}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}`;
  if (resolved.kind === 'nonexistent') {
    throw new WindowTimeError(text, `local time ${local} does not exist in ${timeZone} (skipped by a daylight saving change)`);
  }
  if (resolved.kind === 'ambiguous') {
    throw new WindowTimeError(
      text,
      `local time ${local} occurs twice in ${timeZone} (${formatUtcOffset(utcOffsetAt(resolved.earlierMs, timeZone))} and ` +
        `${formatUtcOffset(utcOffsetAt(resolved.laterMs, timeZone))}); a yyyyMMddHHmmss time carries no offset, so it cannot be resolved`,
    );
  }
  return resolved.epochMs;
}

/** Formats epoch ms as `yyyyMMddHHmmss` wall-clock time in `timeZone` (sub-second part dropped). */
export function formatWindowTime(epochMs: number, timeZone: string): string {
  const t = localDateTimeAt(epochMs, timeZone);
  return `${pad(t.year, 4)}${pad(t.month)}${pad(t.day)}${pad(t.hour)}${pad(t.minute)}${pad(t.second)}`;
}

/** A window from explicit `yyyyMMddHHmmss` values, as a debug run passes them. Order is checked by validateWindow. */
export function parseWindow(startTime: string, endTime: string, timeZone: string): Window {
  return { start: parseWindowTime(startTime, timeZone), end: parseWindowTime(endTime, timeZone) };
}

/** Window start in epoch microseconds (Tablestore stream timestamps); exact while below 2^53 µs (year 2255). */
export function startMicros(window: Window): number {
  return window.start * 1000;
}

/** Window end (exclusive) in epoch microseconds. */
export function endMicros(window: Window): number {
  return window.end * 1000;
}

function evaluateWindowTime(which: string, expression: string, runMs: number, timeZone: string): number {
  const value = evaluateSchedulingExpression(expression, runMs, timeZone);
  try {
    return parseWindowTime(value, timeZone);
  } catch (err) {
    if (!(err instanceof WindowTimeError)) throw err;
    throw new WindowTimeError(value, `${which} expression ${JSON.stringify(expression)} for the run at ${formatWindowTime(runMs, timeZone)} ${timeZone} gave an unusable time: ${err.problem}`);
  }
}

/** The window a scheduled run syncs: both expressions evaluated at the run time, then read as `yyyyMMddHHmmss`. */
export function windowForRun(runTime: Date | number, startExpression: string, endExpression: string, timeZone: string): Window {
  const runMs = typeof runTime === 'number' ? runTime : runTime.getTime();
  return {
    start: evaluateWindowTime('startTime', startExpression, runMs, timeZone),
    end: evaluateWindowTime('endTime', endExpression, runMs, timeZone),
  };
}

export interface WindowValidationOptions {
  /** The current instant. */
  readonly now: Date | number;
  /** Stream records younger than this may still be missing; the window must end at or before now minus the lag. */
  readonly streamLagMinutes?: number;
  /** Tablestore stream retention; the window must start at or after now minus the retention (plus the margin). */
  readonly retentionHours: number;
  /** The window must start at least this long after the retention edge (records there are being trimmed). Default 0. */
  readonly retentionMarginMinutes?: number;
  /** When the Stream was enabled (epoch ms): a window starting earlier lacks the writes made before it. */
  readonly streamCreatedAt?: number;
  /** When given, times in messages are also shown as local yyyyMMddHHmmss. */
  readonly timeZone?: string;
}

/** Every rule the window breaks, as messages; empty when it may be synced. */
export function windowProblems(window: Window, options: WindowValidationOptions): string[] {
  const problems: string[] = [];
  const nowMs = typeof options.now === 'number' ? options.now : options.now instanceof Date ? options.now.getTime() : NaN;
  const lag = options.streamLagMinutes ?? DEFAULT_STREAM_LAG_MINUTES;
  const show = (ms: number): string =>
    options.timeZone ? `${formatWindowTime(ms, options.timeZone)} ${options.timeZone} (${new Date(ms).toISOString()})` : new Date(ms).toISOString();
  if (!Number.isFinite(nowMs)) problems.push(`now (${String(options.now)}) is not a valid instant`);
  if (!Number.isFinite(lag) || lag < 0) problems.push(`streamLagMinutes ${lag} must be a non-negative number`);
  if (!Number.isFinite(options.retentionHours) || options.retentionHours <= 0) problems.push(`retentionHours ${options.retentionHours} must be a positive number`);
  const startOk = Number.isSafeInteger(window.start);
  const endOk = Number.isSafeInteger(window.end);
  if (!startOk) problems.push(`start ${String(window.start)} is not a whole number of epoch milliseconds`);
  if (!endOk) problems.push(`end ${String(window.end)} is not a whole number of epoch milliseconds`);
  if (problems.length > 0) return problems;
  if (window.end <= window.start) problems.push(`end ${show(window.end)} is not after start ${show(window.start)}`);
  const newestAllowed = nowMs - lag * 60_000;
  if (window.end > newestAllowed) {
    problems.push(`end ${show(window.end)} is later than now minus the ${lag}-minute stream lag (${show(newestAllowed)}); records near the end may not be readable yet`);
  }
  const oldestAvailable = nowMs - options.retentionHours * 3_600_000;
  const margin = options.retentionMarginMinutes ?? 0;
  if (window.start < oldestAvailable) {
    problems.push(`start ${show(window.start)} is older than now minus the ${options.retentionHours}-hour stream retention (${show(oldestAvailable)}); those records have expired`);
  } else if (window.start < oldestAvailable + margin * 60_000) {
    problems.push(
      `start ${show(window.start)} is within ${margin} minutes of the edge of the ${options.retentionHours}-hour stream retention (${show(oldestAvailable)}); ` +
        'records there may be trimmed while the window is read',
    );
  }
  if (options.streamCreatedAt !== undefined && window.start < options.streamCreatedAt) {
    problems.push(`start ${show(window.start)} is before the Stream was enabled (${show(options.streamCreatedAt)}); writes made before it were never recorded`);
  }
  return problems;
}

/** Throws WindowValidationError listing every broken rule, unless the window may be synced. */
export function validateWindow(window: Window, options: WindowValidationOptions): void {
  const problems = windowProblems(window, options);
  if (problems.length > 0) throw new WindowValidationError(problems);
}

/** The windows of every run the cron schedules in [from, to), in run order. */
export function planWindows(
  cron: string | CronSchedule,
  startExpression: string,
  endExpression: string,
  timeZone: string,
  from: Date | number,
  to: Date | number,
  maxWindows = Infinity,
): PlannedWindow[] {
  return runTimesBetween(cron, from, to, timeZone, maxWindows).map((runTime) => ({ runTime, ...windowForRun(runTime, startExpression, endExpression, timeZone) }));
}

export type TilingResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** gap: time between two windows is not covered; overlap: it is covered twice; empty: a window has end <= start. */
      readonly kind: 'gap' | 'overlap' | 'empty';
      /** Index of the (second) window where the problem is found. */
      readonly index: number;
      /** The uncovered (gap) or doubly covered (overlap) interval; for empty, the window itself. */
      readonly interval: Window;
      readonly message: string;
    };

const iso = (ms: number): string => new Date(ms).toISOString();

/** Checks that consecutive windows tile time: each starts exactly where the previous ends. Reports the first fault. */
export function checkTiling(windows: readonly Window[]): TilingResult {
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i];
    if (!(w.end > w.start)) {
      return { ok: false, kind: 'empty', index: i, interval: { start: w.start, end: w.end }, message: `window ${i} [${iso(w.start)}, ${iso(w.end)}) is empty: end is not after start` };
    }
    if (i === 0) continue;
    const prev = windows[i - 1];
    if (prev.end < w.start) {
      return {
        ok: false,
        kind: 'gap',
        index: i,
        interval: { start: prev.end, end: w.start },
        message: `gap of ${(w.start - prev.end) / 1000} s between window ${i - 1} (ends ${iso(prev.end)}) and window ${i} (starts ${iso(w.start)}): [${iso(prev.end)}, ${iso(w.start)}) is never synced`,
      };
    }
    if (prev.end > w.start) {
      const overlapEnd = Math.min(prev.end, w.end);
      return {
        ok: false,
        kind: 'overlap',
        index: i,
        interval: { start: w.start, end: overlapEnd },
        message: `overlap of ${(overlapEnd - w.start) / 1000} s between window ${i - 1} (ends ${iso(prev.end)}) and window ${i} (starts ${iso(w.start)}): [${iso(w.start)}, ${iso(overlapEnd)}) is synced twice`,
      };
    }
  }
  return { ok: true };
}

/** Throws ScheduleError with the first gap or overlap unless the windows tile. */
export function assertTiling(windows: readonly Window[]): void {
  const result = checkTiling(windows);
  if (!result.ok) throw new ScheduleError(`Windows do not tile: ${result.message}`);
}

/**
 * Window checks for a run: parse the node's `yyyyMMddHHmmss` times in the configured zone (malformed → exit 2),
 * then refuse windows that are empty, too recent for the stream lag, or older than the stream's retention
 * (exit 4). The retention comes from DescribeStream, so the check needs the stream first.
 */
import { formatWindowTime, parseWindowTime, ScheduleError, Window, WindowTimeError, windowProblems } from '../../schedule';
import { RETENTION_EDGE_MARGIN_MICROS } from '../reader/window-reader';
import { MalformedWindowError, RefusedWindowError } from './errors';

export interface WindowSpec {
  /** `yyyyMMddHHmmss`, inclusive. */
  readonly startTime: string;
  /** `yyyyMMddHHmmss`, exclusive. */
  readonly endTime: string;
}

/** Parses both times, naming which one is malformed and why. */
export function parseSyncWindow(spec: WindowSpec, timeZone: string): Window {
  const parse = (which: string, flag: string, text: string): number => {
    try {
      return parseWindowTime(text, timeZone);
    } catch (err) {
      if (err instanceof WindowTimeError || err instanceof ScheduleError) {
        throw new MalformedWindowError(`${which} (${flag}) ${JSON.stringify(text)} is malformed: ${err instanceof WindowTimeError ? err.problem : err.message}`, { cause: err });
      }
      throw err;
    }
  };
  return { start: parse('window start', '--start', spec.startTime), end: parse('window end', '--end', spec.endTime) };
}

export interface WindowAdmission {
  readonly now: number;
  readonly streamLagMinutes: number;
  /** The stream's retention in hours (DescribeStream expiration_time). */
  readonly retentionHours: number;
  /** When the Stream was enabled, epoch ms (ListStream creation_time). */
  readonly streamCreatedAt?: number;
  readonly timeZone: string;
}

/** Throws RefusedWindowError naming every rule the window breaks. */
export function admitWindow(window: Window, admission: WindowAdmission): void {
  const problems = windowProblems(window, {
    now: admission.now,
    streamLagMinutes: admission.streamLagMinutes,
    retentionHours: admission.retentionHours,
    retentionMarginMinutes: RETENTION_EDGE_MARGIN_MICROS / 60_000_000,
    ...(admission.streamCreatedAt !== undefined ? { streamCreatedAt: admission.streamCreatedAt } : {}),
    timeZone: admission.timeZone,
  });
  if (problems.length > 0) throw new RefusedWindowError(`Refusing window ${describeWindow(window, admission.timeZone)}: ${problems.join('; ')}`, problems);
}

/** Refuses an empty or reversed window before anything is read (no stream needed for that rule). */
export function assertWindowOrder(window: Window, timeZone: string): void {
  if (window.end <= window.start) {
    const problem = `end ${formatWindowTime(window.end, timeZone)} is not after start ${formatWindowTime(window.start, timeZone)} (${timeZone})`;
    throw new RefusedWindowError(`Refusing window ${describeWindow(window, timeZone)}: ${problem}`, [problem]);
  }
}

/** `[20230423175000, 20230423185000) Asia/Shanghai` */
export function describeWindow(window: Window, timeZone: string): string {
  return `[${formatWindowTime(window.start, timeZone)}, ${formatWindowTime(window.end, timeZone)}) ${timeZone}`;
}

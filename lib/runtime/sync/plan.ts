/**
 * The windows a schedule runs between two instants, and the proof that they tile time: every window is
 * non-empty and starts exactly where the previous one ended. Unlike `checkTiling` (first fault only) every gap and
 * overlap is reported, so a wrong expression shows its whole pattern at once.
 */
import { checkTiling, formatWindowTime, parseWindowTime, planWindows, ScheduleError, Window, WindowTimeError } from '../../schedule';
import type { ScheduleSpec } from './config';
import { MalformedWindowError, UsageError } from './errors';

export interface PlannedSyncWindow {
  readonly runTime: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly start: number;
  readonly end: number;
}

export interface TilingFault {
  readonly kind: 'gap' | 'overlap' | 'empty';
  /** Index of the (second) window concerned. */
  readonly index: number;
  readonly from: string;
  readonly to: string;
  readonly message: string;
}

export interface WindowPlan {
  readonly timezone: string;
  readonly schedule: ScheduleSpec;
  /** Runs scheduled in [from, to). */
  readonly from: string;
  readonly to: string;
  readonly windows: readonly PlannedSyncWindow[];
  /** The data time covered, [first start, last end), when there is a window. */
  readonly covers: { readonly startTime: string; readonly endTime: string } | null;
  readonly tiles: boolean;
  readonly faults: readonly TilingFault[];
}

/** How much a plan may cover, checked before a single window is computed. */
export interface PlanLimits {
  /** Longest `--from`..`--to` range, in hours. */
  readonly maxRangeHours: number;
  /** Most windows; planning stops as soon as the range holds more. */
  readonly maxWindows: number;
  /** Why, for the refusal message. */
  readonly reason: string;
}

/** `windows`: a year of any schedule DataWorks runs (an hourly node makes 8 784 windows in a leap year). */
export const WINDOWS_PLAN_LIMITS: PlanLimits = {
  maxRangeHours: 366 * 24,
  maxWindows: 20_000,
  reason: 'windows lists at most 366 days and 20000 windows at once; split the range',
};

/**
 * `backfill`: a Stream keeps records for at most 168 hours (7 days, the largest retention Tablestore accepts), so
 * windows further back can never be read; one more day covers the windows' offset from their run times.
 */
export const BACKFILL_PLAN_LIMITS: PlanLimits = {
  maxRangeHours: 8 * 24,
  maxWindows: 20_000,
  reason: 'a Stream keeps records for at most 7 days (168-hour retention), so a backfill covers at most 8 days of run times; older windows are gone and cannot be synced',
};

/** A `--from`/`--to` value: `yyyyMMdd` (midnight) or `yyyyMMddHHmmss`, in the zone. */
export function parseRangeBound(flag: string, text: string, timeZone: string): number {
  if (text.length !== 8 && text.length !== 14) {
    throw new MalformedWindowError(`${flag} ${JSON.stringify(text)} is malformed: expected yyyyMMdd or yyyyMMddHHmmss (8 or 14 digits), got ${text.length} characters`);
  }
  const full = text.length === 8 ? `${text}000000` : text;
  try {
    return parseWindowTime(full, timeZone);
  } catch (err) {
    if (err instanceof WindowTimeError) throw new MalformedWindowError(`${flag} ${JSON.stringify(text)} is malformed: ${err.problem}`, { cause: err });
    throw err;
  }
}

export function planSyncWindows(schedule: ScheduleSpec, timeZone: string, fromText: string, toText: string, limits: PlanLimits = WINDOWS_PLAN_LIMITS): WindowPlan {
  const from = parseRangeBound('--from', fromText, timeZone);
  const to = parseRangeBound('--to', toText, timeZone);
  if (to <= from) throw new UsageError(`--to ${toText} must be after --from ${fromText}`);
  const hours = (to - from) / 3_600_000;
  if (hours > limits.maxRangeHours) {
    throw new UsageError(`--from ${fromText} --to ${toText} spans ${formatHours(hours)}, more than ${formatHours(limits.maxRangeHours)}: ${limits.reason}`);
  }
  let planned;
  try {
    planned = planWindows(schedule.cron, schedule.startTimeExpression, schedule.endTimeExpression, timeZone, from, to, limits.maxWindows);
  } catch (err) {
    if (err instanceof ScheduleError && /more than \d+ runs/.test(err.message)) {
      throw new UsageError(`--from ${fromText} --to ${toText} holds more than ${limits.maxWindows} windows of schedule ${JSON.stringify(schedule.cron)}: ${limits.reason}`, { cause: err });
    }
    if (err instanceof ScheduleError) throw new UsageError(`Schedule cannot be evaluated: ${err.message}`, { cause: err });
    throw err;
  }
  const show = (ms: number): string => formatWindowTime(ms, timeZone);
  const windows = planned.map((w) => ({ runTime: show(w.runTime), startTime: show(w.start), endTime: show(w.end), start: w.start, end: w.end }));
  const faults = tilingFaults(planned, show);
  // The schedule module's verdict and ours must agree; a disagreement is a bug in one of them.
  if (checkTiling(planned).ok !== (faults.length === 0)) throw new Error('tiling check disagreement between checkTiling and tilingFaults');
  return {
    timezone: timeZone,
    schedule,
    from: show(from),
    to: show(to),
    windows,
    covers: windows.length > 0 ? { startTime: windows[0].startTime, endTime: windows[windows.length - 1].endTime } : null,
    tiles: faults.length === 0,
    faults,
  };
}

/** Every fault: each empty window, and each gap or overlap between consecutive windows (times shown with `show`). */
export function tilingFaults(windows: readonly Window[], show: (ms: number) => string): TilingFault[] {
  const faults: TilingFault[] = [];
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i];
    if (w.end <= w.start) {
      faults.push({ kind: 'empty', index: i, from: show(w.start), to: show(w.end), message: `window ${i} [${show(w.start)}, ${show(w.end)}) is empty: end is not after start` });
    }
    if (i === 0) continue;
    const prev = windows[i - 1];
    if (prev.end < w.start) {
      faults.push({
        kind: 'gap', index: i, from: show(prev.end), to: show(w.start),
        message: `gap: [${show(prev.end)}, ${show(w.start)}) between window ${i - 1} and window ${i} is never synced (${(w.start - prev.end) / 1000} s)`,
      });
    } else if (prev.end > w.start) {
      const overlapEnd = Math.min(prev.end, w.end);
      faults.push({
        kind: 'overlap', index: i, from: show(w.start), to: show(overlapEnd),
        message: `overlap: [${show(w.start)}, ${show(overlapEnd)}) is synced by window ${i - 1} and window ${i} (${(overlapEnd - w.start) / 1000} s)`,
      });
    }
  }
  return faults;
}

function formatHours(hours: number): string {
  return hours >= 48 ? `${Math.round((hours / 24) * 10) / 10} days` : `${Math.round(hours * 10) / 10} hours`;
}

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

export function planSyncWindows(schedule: ScheduleSpec, timeZone: string, fromText: string, toText: string): WindowPlan {
  const from = parseRangeBound('--from', fromText, timeZone);
  const to = parseRangeBound('--to', toText, timeZone);
  if (to <= from) throw new UsageError(`--to ${toText} must be after --from ${fromText}`);
  let planned;
  try {
    planned = planWindows(schedule.cron, schedule.startTimeExpression, schedule.endTimeExpression, timeZone, from, to);
  } catch (err) {
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

/**
 * `backfill`: every window the schedule runs in [from, to), synced in order, with a resumable record of
 * finished windows. Before anything is written the plan must tile (no gap, no overlap) and every window must be
 * admissible (not too recent, not expired), so a backfill never stops half-way on a window it could have refused
 * up front. A rerun skips windows the record lists as finished whose manifest is still in OSS.
 */
import { asOssError, OssClient } from '../writer/oss-client';
import { createOssClientFor, createStreamClientFor } from './clients';
import { defaultCredentialProvider } from '../../common/credentials';
import { RefusedWindowError, UsageError } from './errors';
import { silentLogger } from '../../common/log';
import { BACKFILL_PLAN_LIMITS, planSyncWindows, PlannedSyncWindow, WindowPlan } from './plan';
import type { ProgressReporter } from './progress';
import { errorFields } from '../../common/redact';
import { manifestKeyFor, RunStats, SyncContextOptions, syncAdmittedWindow } from './run-window';
import { BackfillState, BackfillTarget } from './state';
import { locateStream } from './stream';
import { admitWindow, describeWindow } from './window';

export interface BackfillOptions extends SyncContextOptions {
  /** First run time considered, `yyyyMMdd` or `yyyyMMddHHmmss` (inclusive). */
  readonly from: string;
  /** Last run time considered (exclusive). */
  readonly to: string;
  /** The resumable record of finished windows. */
  readonly statePath: string;
  /** Only plan: report which windows would be synced or skipped. */
  readonly dryRun?: boolean;
  readonly progress?: ProgressReporter;
  /** Go on with the next window after a failure (default: stop at the first). */
  readonly continueOnError?: boolean;
}

export interface BackfillWindowResult {
  readonly startTime: string;
  readonly endTime: string;
  readonly manifestKey: string;
  readonly records?: number;
  readonly stats?: RunStats;
  readonly error?: string;
}

/** The plan's range, time zone and covered data time, and what became of each of its windows. */
export interface BackfillResult extends Pick<WindowPlan, 'from' | 'to' | 'timezone' | 'covers'> {
  /** How many windows the plan holds. */
  readonly windows: number;
  readonly statePath: string;
  readonly dryRun: boolean;
  readonly synced: readonly BackfillWindowResult[];
  readonly skipped: readonly BackfillWindowResult[];
  readonly failed: readonly BackfillWindowResult[];
  /** Windows not attempted because an earlier one failed. */
  readonly notAttempted: number;
}

export function backfillTarget(options: SyncContextOptions): BackfillTarget {
  const c = options.config;
  return {
    instanceName: c.tablestore.instanceName,
    tableName: c.tablestore.tableName,
    bucket: c.oss.bucket,
    prefix: c.oss.prefix,
    fileFormat: c.format.fileFormat,
    compression: c.format.compression,
  };
}

async function manifestExists(oss: OssClient, key: string): Promise<boolean> {
  try {
    await oss.head(key);
    return true;
  } catch (err) {
    if (asOssError(err).status === 404) return false;
    throw err;
  }
}

export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const { config } = options;
  const log = options.logger ?? silentLogger;
  const tz = config.timezone;
  const plan = planSyncWindows(config.schedule, tz, options.from, options.to, BACKFILL_PLAN_LIMITS);
  if (!plan.tiles) {
    throw new UsageError(
      `The schedule's windows between ${plan.from} and ${plan.to} do not tile time (${plan.faults.length} fault(s), first: ${plan.faults[0].message}); ` +
        'fix the cron or the start/end expressions (the "windows" command lists every fault)',
    );
  }
  const state = BackfillState.open(options.statePath, backfillTarget(options), tz);
  const credentials = options.credentials ?? defaultCredentialProvider();
  const oss = await createOssClientFor(config.oss, credentials, options.tuning);
  const base = { from: plan.from, to: plan.to, timezone: tz, windows: plan.windows.length, covers: plan.covers, statePath: options.statePath };

  const keyOf = (w: PlannedSyncWindow): string => manifestKeyFor(config, w).manifestKey;
  const isDone = async (w: PlannedSyncWindow): Promise<boolean> => {
    const finished = state.finished(w.startTime, w.endTime);
    if (!finished) return false;
    if (await manifestExists(oss, finished.manifestKey)) return true;
    log.warn('window recorded as finished has no manifest any more; syncing it again', { window: describeWindow(w, tz), manifestKey: finished.manifestKey });
    if (!options.dryRun) state.forget(w.startTime, w.endTime);
    return false;
  };

  if (options.dryRun) {
    const synced: BackfillWindowResult[] = [];
    const skipped: BackfillWindowResult[] = [];
    for (const w of plan.windows) (await isDone(w) ? skipped : synced).push({ startTime: w.startTime, endTime: w.endTime, manifestKey: keyOf(w) });
    return { ...base, dryRun: true, synced, skipped, failed: [], notAttempted: 0 };
  }

  const stream = createStreamClientFor(config.tablestore, credentials, options.tuning);
  try {
    const tableStream = await locateStream(stream, config.tablestore.tableName, config.tablestore.isTimeseriesTable);
    const now = (options.now ?? Date.now)();
    const refused: string[] = [];
    for (const w of plan.windows) {
      try {
        admitWindow(w, { now, streamLagMinutes: config.streamLagMinutes, retentionHours: tableStream.retentionHours, streamCreatedAt: tableStream.createdAtMs, timeZone: tz });
      } catch (err) {
        if (!(err instanceof RefusedWindowError)) throw err;
        refused.push(err.message);
      }
    }
    if (refused.length > 0) {
      throw new RefusedWindowError(
        `Backfill refused: ${refused.length} of ${plan.windows.length} windows cannot be synced now; nothing was written. ${refused.slice(0, 3).join(' | ')}${refused.length > 3 ? ` | … ${refused.length - 3} more` : ''}`,
        refused,
      );
    }

    const synced: BackfillWindowResult[] = [];
    const skipped: BackfillWindowResult[] = [];
    const failed: BackfillWindowResult[] = [];
    const progress = options.progress;
    const started = performance.now();
    progress?.begin(plan.windows.length, state.finishedCount);
    let index = 0;
    for (; index < plan.windows.length; index++) {
      const w = plan.windows[index];
      const manifestKey = keyOf(w);
      const t0 = performance.now();
      if (await isDone(w)) {
        skipped.push({ startTime: w.startTime, endTime: w.endTime, manifestKey });
        progress?.window({ index, total: plan.windows.length, startTime: w.startTime, endTime: w.endTime, status: 'skipped' });
        continue;
      }
      try {
        const result = await syncAdmittedWindow(options, stream, oss, tableStream, w, log);
        state.markFinished({
          startTime: w.startTime, endTime: w.endTime, manifestKey: result.manifestKey, records: result.manifest.records.total, objects: result.manifest.parts.length, finishedAt: new Date((options.now ?? Date.now)()).toISOString(),
        });
        synced.push({ startTime: w.startTime, endTime: w.endTime, manifestKey, records: result.manifest.records.total, stats: result.stats });
        progress?.window({
          index, total: plan.windows.length, startTime: w.startTime, endTime: w.endTime, status: 'done', records: result.manifest.records.total, bytes: result.manifest.bytes.stored, elapsedMs: Math.round(performance.now() - t0),
        });
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        failed.push({ startTime: w.startTime, endTime: w.endTime, manifestKey, error: String(errorFields(e).message) });
        progress?.window({ index, total: plan.windows.length, startTime: w.startTime, endTime: w.endTime, status: 'failed' });
        if (e.name === 'WriterAbortedError' || options.signal?.aborted) throw e;
        if (!options.continueOnError) {
          index++;
          break;
        }
      }
    }
    progress?.end({ done: synced.length, skipped: skipped.length, failed: failed.length, elapsedMs: Math.round(performance.now() - started) });
    return { ...base, dryRun: false, synced, skipped, failed, notAttempted: plan.windows.length - index };
  } finally {
    stream.close();
  }
}

/**
 * Restore: a table as it was at the end of an exported window, into a new table.
 *
 *   1. plan: the newest committed snapshot that finished at or before `--to`, then every window from the one
 *      holding the snapshot's start up to the one ending at `--to`; a missing or uncommitted window stops the
 *      restore naming it (unless gaps are allowed, and then they are reported);
 *   2. target: created with the source's schema, or an existing empty table when told so; never the source
 *      unless the caller says so explicitly;
 *   3. load the snapshot's parts (any order: their keys are disjoint), then replay the windows in order.
 *
 * Progress is saved after each snapshot part and each window in a state file; a rerun with the same arguments
 * resumes from there. Replaying a window again from its start is harmless: its lines are whole-row puts, deletes
 * and column updates applied in order, so the result does not depend on how much of it was applied before.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatWindowTime, parseWindowTime } from '../../schedule';
import type { ColumnType } from '../../tablestore/plainbuffer/types';
import { TablestoreTableClient } from '../../tablestore/table-client';
import { readManifest } from '../writer/manifest';
import type { OssClient } from '../writer/oss-client';
import { RefusedWindowError, UsageError } from '../sync/errors';
import type { Logger } from '../../common/log';
import { silentLogger } from '../../common/log';
import { formatDuration } from '../sync/progress';
import { textPieces } from './line-parsers';
import { parseRowLine, RowOp } from './rows';
import { RowSink, TablestoreRowSink } from './sink';
import { listSnapshots, readSnapshotManifest, SnapshotManifest } from './snapshot';
import {
  DataIntegrationCsv, dataIntegrationWindowOps, ExportedWindow, listExportedWindows, ReplaySchema, runtimeWindowOps, windowName,
} from './windows';

export interface RestorePlan {
  readonly snapshot: SnapshotManifest;
  readonly snapshotDirectory: string;
  /** Windows to replay, in order. */
  readonly windows: readonly ExportedWindow[];
  /** Gaps skipped with allowGaps: `[start, end)` named as window times. */
  readonly gaps: readonly string[];
}

export type PlanRestoreOptions = Pick<RestoreTarget, 'oss' | 'prefix' | 'source' | 'timeZone' | 'to' | 'allowGaps'>;

/** `--to` as epoch ms, or a UsageError. */
export function restoreEnd(options: Pick<PlanRestoreOptions, 'to' | 'timeZone'>): number {
  try {
    return parseWindowTime(options.to, options.timeZone);
  } catch (err) {
    throw new UsageError(`--to ${JSON.stringify(options.to)} is not a yyyyMMddHHmmss time in ${options.timeZone}: ${(err as Error).message}`);
  }
}

/** Finds the snapshot and the window chain for `to`; refuses (exit 4) naming what is missing. */
export async function planRestore(options: PlanRestoreOptions): Promise<RestorePlan> {
  const toMs = restoreEnd(options);
  const chosen = await chooseSnapshot(options, toMs);
  if (!chosen) {
    throw new RefusedWindowError(`no committed snapshot of ${options.source} finished at or before ${options.to}; take one with 'otsbk-sync snapshot' (restore can only reach times after a snapshot finished)`, ['no snapshot']);
  }
  const { chain, gaps } = await windowChain(options, chosen.manifest.start, toMs, `snapshot ${chosen.manifest.startTime}`);
  return { snapshot: chosen.manifest, snapshotDirectory: chosen.directory, windows: chain, gaps };
}

/** The newest committed snapshot of the source that finished at or before `toMs`, if any. */
export async function chooseSnapshot(options: PlanRestoreOptions, toMs: number): Promise<{ manifest: SnapshotManifest; directory: string } | undefined> {
  const snapshots = (await listSnapshots(options.oss, options.prefix, options.source)).filter((s) => s.committed).reverse();
  for (const s of snapshots) {
    const manifest = await readSnapshotManifest(options.oss, s.directory);
    if (manifest && manifest.finished <= toMs) return { manifest, directory: s.directory };
  }
  return undefined;
}

/**
 * The committed windows from `start` to `toMs`, in order (a runtime window wins over a Data Integration CSV of the
 * same bounds); a missing or uncommitted window is refused naming it (exit 4), or with allowGaps reported as a gap.
 * `from` names where the chain starts, for the message.
 */
export async function windowChain(options: PlanRestoreOptions, start: number, toMs: number, from: string): Promise<{ chain: ExportedWindow[]; gaps: string[] }> {
  const { oss, prefix, source, timeZone } = options;
  const all = (await listExportedWindows(oss, prefix, source, timeZone)).filter((w) => w.end > start && w.start < toMs);
  // One window per interval: a runtime window wins over a Data Integration CSV of the same bounds.
  const windows: ExportedWindow[] = [];
  for (const w of all) {
    const prev = windows[windows.length - 1];
    if (prev && prev.start === w.start && prev.end === w.end) {
      if (!prev.committed && w.committed) windows[windows.length - 1] = w;
      continue;
    }
    windows.push(w);
  }
  const problems: string[] = [];
  const gaps: string[] = [];
  const name = (a: number, b: number): string => `${formatWindowTime(a, timeZone)}_${formatWindowTime(b, timeZone)}`;
  let cursor = start;
  const chain: ExportedWindow[] = [];
  for (const w of windows) {
    if (w.start > cursor) {
      (options.allowGaps ? gaps : problems).push(`window ${name(cursor, w.start)} is missing`);
    } else if (w.start < cursor && chain.length > 0) {
      problems.push(`window ${windowName(w)} overlaps window ${windowName(chain[chain.length - 1])}`);
      continue;
    }
    if (!w.committed) {
      (options.allowGaps ? gaps : problems).push(`window ${windowName(w)} is not committed (no ${w.key})`);
      cursor = w.end;
      continue;
    }
    chain.push(w);
    cursor = w.end;
  }
  if (cursor < toMs) (options.allowGaps ? gaps : problems).push(`window ${name(cursor, toMs)} is missing`);
  if (chain.length > 0 && chain[chain.length - 1].end !== toMs) {
    problems.push(`no window ends at ${options.to}: the last one before it is ${windowName(chain[chain.length - 1])}; --to must be the end of an exported window`);
  }
  if (problems.length > 0) {
    throw new RefusedWindowError(`cannot restore ${source} to ${options.to} from ${from}: ${problems.join('; ')}${options.allowGaps ? '' : ' (--allow-gaps skips missing windows, and the restore is then not exact)'}`, problems);
  }
  return { chain, gaps };
}

/** Types for `variant` columns: the snapshot's observations, then its defined columns. */
export function replaySchema(snapshot: SnapshotManifest): ReplaySchema {
  const types = new Map<string, ColumnType>();
  for (const d of snapshot.schema.definedColumns) types.set(d.name, d.type);
  for (const [name, type] of Object.entries(snapshot.columnTypes)) if (!types.has(name)) types.set(name, type as ColumnType);
  return { primaryKey: snapshot.schema.primaryKey, columnTypes: types };
}

export interface ReplayProgress {
  readonly phase: 'snapshot' | 'window';
  readonly item: string;
  readonly rowsApplied: number;
  readonly rowsExpected: number;
}

export interface ReplayOptions {
  readonly oss: OssClient;
  readonly plan: RestorePlan;
  readonly sink: RowSink;
  /** Columns of Data Integration CSV windows. */
  readonly dataIntegration?: DataIntegrationCsv;
  /** Lines the windows hold, when known (runtime manifests' row counts), for the progress total. */
  readonly windowRows?: number;
  /** Snapshot parts and windows already applied (resume). */
  readonly done?: { readonly parts: ReadonlySet<number>; readonly windows: number };
  readonly onPartDone?: (index: number) => void;
  readonly onWindowDone?: (count: number) => void;
  readonly onProgress?: (p: ReplayProgress) => void;
  readonly signal?: AbortSignal;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw Object.assign(new Error('restore stopped'), { name: 'AbortError' });
}

/** Applies the plan's snapshot and windows to a sink, skipping what `done` says was applied. */
export async function replayPlan(o: ReplayOptions): Promise<void> {
  const { plan, sink, oss } = o;
  const schema = replaySchema(plan.snapshot);
  const doneParts = new Set(o.done?.parts ?? []);
  let applied = 0;
  const expected = plan.snapshot.rows + (o.windowRows ?? 0);
  const report = (phase: ReplayProgress['phase'], item: string, n: number): void => {
    applied += n;
    o.onProgress?.({ phase, item, rowsApplied: applied, rowsExpected: expected });
  };
  const todo = plan.snapshot.parts.map((_, i) => i).filter((i) => !doneParts.has(i));
  let next = 0;
  const loadPart = async (): Promise<void> => {
    while (next < todo.length) {
      const i = todo[next++];
      throwIfAborted(o.signal);
      const part = plan.snapshot.parts[i];
      let batch: RowOp[] = [];
      let line = 0;
      for await (const piece of textPieces((await oss.get(part.key)).content, true, false)) {
        let start = 0;
        while (start < piece.length) {
          let end = piece.indexOf('\n', start);
          if (end < 0) end = piece.length;
          line++;
          if (end > start) {
            const row = parseRowLine(piece.slice(start, end), `${part.key} line ${line}`);
            batch.push({ kind: 'PUT', key: row.key, columns: row.columns, deleteColumns: [] });
          }
          start = end + 1;
          if (batch.length >= 1000) {
            throwIfAborted(o.signal);
            await sink.write(batch);
            report('snapshot', part.key, batch.length);
            batch = [];
          }
        }
      }
      await sink.write(batch);
      report('snapshot', part.key, batch.length);
      await sink.flush();
      o.onPartDone?.(i);
    }
  };
  // Parts go one after another through the shared sink (which writes in parallel), each flushed before it counts.
  await loadPart();
  await replayWindows({
    oss, windows: plan.windows, schema, sink, dataIntegration: o.dataIntegration, from: o.done?.windows ?? 0, signal: o.signal, onWindowDone: o.onWindowDone,
    onApplied: (item, n) => report('window', item, n),
  });
}

export interface ReplayWindowsOptions extends Pick<ReplayOptions, 'oss' | 'sink' | 'dataIntegration' | 'signal' | 'onWindowDone'> {
  readonly windows: readonly ExportedWindow[];
  readonly schema: ReplaySchema;
  /** Windows already applied (resume). */
  readonly from: number;
  /** Operations of window `item` handed to the sink. */
  readonly onApplied?: (item: string, ops: number) => void;
}

/** Replays windows in order through the sink, each flushed before it counts as done. */
export async function replayWindows(o: ReplayWindowsOptions): Promise<void> {
  const { oss, schema, sink } = o;
  for (let w = o.from; w < o.windows.length; w++) {
    throwIfAborted(o.signal);
    const window = o.windows[w];
    const ops = window.engine === 'runtime'
      ? runtimeWindowOps(oss, window, schema)
      : dataIntegrationWindowOps(oss, window, schema, o.dataIntegration ?? missingDiColumns(window));
    for await (const batch of ops) {
      for (let i = 0; i < batch.length; i += 1000) {
        throwIfAborted(o.signal);
        const slice = batch.slice(i, i + 1000);
        await sink.write(slice);
        o.onApplied?.(windowName(window), slice.length);
      }
    }
    await sink.flush();
    o.onWindowDone?.(w + 1);
  }
}

function missingDiColumns(w: ExportedWindow): never {
  throw new UsageError(`window ${windowName(w)} is a Data Integration CSV (${w.key}); give its columns (--columns, or --env) so that restore can read it`);
}

/* ------------------------------------------------------------------ restore into a table */

export interface RestoreStateFile {
  readonly version: 1;
  readonly source: string;
  readonly target: string;
  readonly to: string;
  readonly snapshot: string;
  readonly windows: readonly string[];
  targetReady: boolean;
  parts: number[];
  windowsDone: number;
}

export function loadState(path: string, expected: Omit<RestoreStateFile, 'targetReady' | 'parts' | 'windowsDone'>): RestoreStateFile {
  if (!existsSync(path)) return { ...expected, targetReady: false, parts: [], windowsDone: 0 };
  let s: RestoreStateFile;
  try {
    s = JSON.parse(readFileSync(path, 'utf8')) as RestoreStateFile;
  } catch (err) {
    throw new UsageError(`restore state ${path} is not valid JSON (${(err as Error).message}); move it away to start over`);
  }
  const mismatch = (['source', 'target', 'to', 'snapshot'] as const).filter((k) => s[k] !== expected[k]);
  if (s.version !== 1 || mismatch.length > 0 || JSON.stringify(s.windows) !== JSON.stringify(expected.windows)) {
    throw new UsageError(`restore state ${path} belongs to another restore (${mismatch.map((k) => `${k} ${JSON.stringify(s[k])} there, ${JSON.stringify(expected[k])} now`).join('; ') || 'another window chain'}); use another --state file or remove it`);
  }
  return s;
}

export function saveState(path: string, s: RestoreStateFile): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...s, parts: [...s.parts].sort((a, b) => a - b) }, null, 2)}\n`);
  renameSync(tmp, path);
}

/** Where a restore (or its verification) reads from and writes to, and how it reads the windows. */
export interface RestoreTarget {
  readonly table: TablestoreTableClient;
  readonly oss: OssClient;
  readonly prefix: string;
  /** The source table (whose exports are read). */
  readonly source: string;
  readonly target: string;
  readonly timeZone: string;
  /** yyyyMMddHHmmss: the end of the last window to replay. */
  readonly to: string;
  /** Replay across gaps in the window chain (the result is then not exact). */
  readonly allowGaps?: boolean;
  /** The columns of Data Integration CSV windows; absent for the runtime's windows. */
  readonly dataIntegration?: DataIntegrationCsv;
}

export interface RestoreOptions extends RestoreTarget {
  readonly statePath: string;
  /** Use an existing, empty target table instead of creating it. */
  readonly existingTarget?: boolean;
  /** Allow the target to be the source table (which must then be empty). */
  readonly overwriteSource?: boolean;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  readonly writeConcurrency?: number;
  readonly onProgress?: (p: ReplayProgress & { rowsPerSecond: number; etaMs: number | null }) => void;
}

export interface RestoreResult {
  readonly source: string;
  readonly target: string;
  readonly to: string;
  /** The snapshot the replay started from; null for a time series table (its windows start at its creation). */
  readonly snapshot: { readonly startTime: string; readonly rows: number; readonly finishedIso: string } | null;
  readonly windows: readonly string[];
  readonly gaps: readonly string[];
  readonly resumed: boolean;
  readonly rowsWritten: number;
  readonly elapsedMs: number;
  readonly rowsPerSecond: number;
}

/** How restore finds, checks and creates its target, whatever the table's kind. */
export interface TargetTable {
  /** Resolves when the table exists; rejects with code OTSObjectNotExist when it does not. */
  describe(): Promise<unknown>;
  /** Whether the existing table holds any row (or point). */
  hasRows(): Promise<boolean>;
  create(): Promise<void>;
}

/** Refuses the source as target unless told so. */
export function refuseSourceTarget(o: Pick<RestoreOptions, 'source' | 'target' | 'overwriteSource'>): void {
  if (o.target === o.source && !o.overwriteSource) {
    throw new UsageError(`--target ${o.target} is the source table; restore never writes to the source unless --overwrite-source is given (and the table is empty)`);
  }
}

/**
 * Makes the target ready once (the state file remembers it): creates it, or checks that the existing one may be
 * used (--existing-target, or the source with --overwrite-source) and is empty. Returns whether this is a resume.
 */
export async function prepareTarget(o: Pick<RestoreOptions, 'target' | 'source' | 'existingTarget' | 'statePath'>, state: RestoreStateFile, log: Logger, table: TargetTable): Promise<boolean> {
  if (state.targetReady) {
    log.info('resuming restore', { state: o.statePath, partsDone: state.parts.length, windowsDone: state.windowsDone });
    return true;
  }
  let exists = true;
  try {
    await table.describe();
  } catch (err) {
    if ((err as { code?: string }).code !== 'OTSObjectNotExist') throw err;
    exists = false;
  }
  if (exists) {
    if (!o.existingTarget && o.target !== o.source) throw new UsageError(`target table ${o.target} already exists; pass --existing-target to restore into it (it must be empty), or name a new table`);
    if (await table.hasRows()) throw new UsageError(`target table ${o.target} is not empty; restore only writes into an empty table`);
  } else {
    await table.create();
  }
  state.targetReady = true;
  saveState(o.statePath, state);
  return false;
}

export async function restoreTable(o: RestoreOptions): Promise<RestoreResult> {
  const log = o.logger ?? silentLogger;
  refuseSourceTarget(o);
  const plan = await planRestore(o);
  if (plan.gaps.length > 0) log.warn('restoring across gaps: the result is not exact', { gaps: plan.gaps });
  const state = loadState(o.statePath, {
    version: 1, source: o.source, target: o.target, to: o.to, snapshot: plan.snapshot.startTime, windows: plan.windows.map(windowName),
  });
  const resumed = await prepareTarget(o, state, log, {
    describe: () => o.table.describeTable(o.target),
    hasRows: async () => {
      const key = plan.snapshot.schema.primaryKey;
      const page = await o.table.getRangePage(o.target, key.map((k) => ({ name: k.name, type: 'INF_MIN', value: null })), key.map((k) => ({ name: k.name, type: 'INF_MAX', value: null })), 1);
      return page.rows.length > 0;
    },
    create: async () => {
      await o.table.createTable({ ...plan.snapshot.schema, tableName: o.target });
      log.info('target table created', { target: o.target, primaryKey: plan.snapshot.schema.primaryKey });
    },
  });

  const sink = new TablestoreRowSink({
    client: o.table,
    tableName: o.target,
    concurrency: o.writeConcurrency ?? 4,
    onRowRetry: (code, attempt) => log.warn('row write retried', { code, attempt }),
  });
  const t0 = performance.now();
  await replayPlan({ oss: o.oss, plan, sink, dataIntegration: o.dataIntegration, ...(await replayBookkeeping(o, plan.windows, plan.snapshot.rows, state, log, t0)) });
  const snapshot = { startTime: plan.snapshot.startTime, rows: plan.snapshot.rows, finishedIso: plan.snapshot.finishedIso };
  return finishRestore(o, log, { snapshot, windows: plan.windows, gaps: plan.gaps, resumed, rowsWritten: sink.rowsWritten, elapsedMs: performance.now() - t0 });
}

/**
 * What both restores (table and time series) keep around a replay: the progress total (snapshot rows plus the lines
 * the runtime windows' manifests count), each part and window saved to the state file as it completes, and progress
 * with its rate and ETA.
 */
export async function replayBookkeeping(
  o: Pick<RestoreOptions, 'oss' | 'statePath' | 'signal' | 'onProgress'>,
  windows: readonly ExportedWindow[],
  snapshotRows: number,
  state: RestoreStateFile,
  log: Logger,
  t0: number,
): Promise<Pick<ReplayOptions, 'windowRows' | 'done' | 'signal' | 'onPartDone' | 'onWindowDone' | 'onProgress'>> {
  let windowRows = 0;
  for (const w of windows) if (w.engine === 'runtime') windowRows += (await readManifest(o.oss, w.key))?.rows ?? 0;
  const expected = snapshotRows + windowRows;
  return {
    windowRows,
    done: { parts: new Set(state.parts), windows: state.windowsDone },
    signal: o.signal,
    onPartDone: (i) => {
      state.parts.push(i);
      saveState(o.statePath, state);
    },
    onWindowDone: (n) => {
      state.windowsDone = n;
      saveState(o.statePath, state);
      log.info('window replayed', { window: windowName(windows[n - 1]), windowsDone: n, windows: windows.length });
    },
    onProgress: (p) => {
      const rate = p.rowsApplied / (Math.max(performance.now() - t0, 1) / 1000);
      o.onProgress?.({ ...p, rowsPerSecond: Math.round(rate), etaMs: rate > 0 ? (Math.max(0, expected - p.rowsApplied) / rate) * 1000 : null });
    },
  };
}

/** The result of a finished restore, logged. */
export function finishRestore(
  o: Pick<RestoreOptions, 'source' | 'target' | 'to'>,
  log: Logger,
  r: Pick<RestoreResult, 'snapshot' | 'gaps' | 'resumed' | 'rowsWritten' | 'elapsedMs'> & { readonly windows: readonly ExportedWindow[] },
): RestoreResult {
  const result: RestoreResult = {
    source: o.source,
    target: o.target,
    to: o.to,
    snapshot: r.snapshot,
    windows: r.windows.map(windowName),
    gaps: r.gaps,
    resumed: r.resumed,
    rowsWritten: r.rowsWritten,
    elapsedMs: Math.round(r.elapsedMs),
    rowsPerSecond: Math.round(r.rowsWritten / (Math.max(r.elapsedMs, 1) / 1000)),
  };
  log.info('restore finished', { target: o.target, to: o.to, windows: r.windows.length, rowsWritten: result.rowsWritten, elapsed: formatDuration(r.elapsedMs) });
  return result;
}

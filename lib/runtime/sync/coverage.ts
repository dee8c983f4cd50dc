/**
 * `coverage`: did every window the schedule should have produced reach OSS? The schedule's windows (as `windows`
 * computes them) are set against what the bucket holds under the table's prefix:
 *
 * - runtime engine: a window is committed when its `_manifest.json` exists, partial when its directory holds
 *   objects but no manifest, missing when it holds nothing (key layout of writer/keys.ts);
 * - Data Integration engine: a window is committed when its one object `<prefix>/<table>/<start>_<end>.csv` exists
 *   (di-job.ts), missing otherwise (the OSS writer has no commit marker, so nothing is ever "partial").
 *
 * Every window found in the bucket, scheduled or not (a debug run with custom bounds), is checked against the
 * others: two that cover the same time twice are reported as overlapping. Only the day directories (runtime) or
 * day key prefixes (Data Integration) are listed, so other prefixes under the table (e.g. `_snapshots/`) are never
 * taken for windows.
 */
import { diWindowObjectKey } from '../../dataworks/di-job';
import { formatWindowTime, parseWindowTime } from '../../schedule';
import { listWindowObjects } from '../writer/listing';
import { MANIFEST_NAME, windowDayDirectory } from '../writer/keys';
import type { OssClient } from '../writer/oss-client';
import type { ScheduleSpec } from './config';
import { planSyncWindows, WindowPlan } from './plan';

export type CoverageEngine = 'runtime' | 'data-integration';
export const COVERAGE_ENGINES: readonly CoverageEngine[] = ['runtime', 'data-integration'];

export type WindowStatus = 'committed' | 'partial' | 'missing';

/** One scheduled window and what OSS holds for it. */
export interface CoveredWindow {
  readonly runTime: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly status: WindowStatus;
  /** Objects found for the window (data files, plus the manifest when committed). */
  readonly objects: number;
  /** Other windows found in OSS (`<start>_<end>`) whose time range overlaps this one. */
  readonly overlapsWith: readonly string[];
}

/** A window present in OSS that the schedule did not produce in the range (e.g. a debug run with custom bounds). */
export interface UnscheduledWindow {
  readonly startTime: string;
  readonly endTime: string;
  readonly committed: boolean;
  readonly objects: number;
  readonly overlapsWith: readonly string[];
}

export interface WindowOverlap {
  /** `<start>_<end>` of both windows, earlier start first. */
  readonly first: string;
  readonly second: string;
  /** The doubly covered interval, yyyyMMddHHmmss. */
  readonly from: string;
  readonly to: string;
}

/** The run times considered: the plan's [from, to), yyyyMMddHHmmss in `timezone`. */
export type CoverageRange = Pick<WindowPlan, 'timezone' | 'from' | 'to'>;

export interface TableCoverage extends CoverageRange, Pick<TableCoverageTarget, 'table' | 'engine' | 'bucket'> {
  /** Key prefix of the table's windows, ending with '/'. */
  readonly location: string;
  readonly windows: readonly CoveredWindow[];
  readonly unscheduled: readonly UnscheduledWindow[];
  readonly overlaps: readonly WindowOverlap[];
  readonly counts: { readonly scheduled: number; readonly committed: number; readonly partial: number; readonly missing: number; readonly overlapping: number };
  /** Every scheduled window committed and no overlap. */
  readonly complete: boolean;
}

export interface CoverageReport extends CoverageRange {
  readonly tables: readonly TableCoverage[];
  readonly complete: boolean;
}

export interface TableCoverageTarget {
  readonly table: string;
  readonly engine: CoverageEngine;
  readonly bucket: string;
  /** Export prefix, without leading or trailing slash. */
  readonly prefix: string;
  readonly schedule: ScheduleSpec;
  readonly timezone: string;
  readonly oss: OssClient;
}

interface FoundWindow {
  readonly id: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly start: number;
  readonly end: number;
  objects: number;
  committed: boolean;
}

const WINDOW_ID = /^(\d{14})_(\d{14})$/;

/** The coverage of one table over the runs scheduled in [from, to). */
export async function tableCoverage(target: TableCoverageTarget, fromText: string, toText: string): Promise<TableCoverage> {
  const { timezone } = target;
  const plan = planSyncWindows(target.schedule, timezone, fromText, toText);
  const prefix = target.prefix.replace(/^\/+|\/+$/g, '');
  const location = `${prefix ? `${prefix}/` : ''}${target.table}/`;
  // Days to list: every local date a scheduled window starts on, plus the days either side so that windows with
  // custom bounds next to the range are seen when they overlap it.
  const days = new Set<string>();
  for (const w of plan.windows) {
    for (const ms of [w.start - 86_400_000, w.start, w.end]) days.add(formatWindowTime(ms, timezone).slice(0, 8));
  }
  const found = new Map<string, FoundWindow>();
  const remember = (startTime: string, endTime: string): FoundWindow | undefined => {
    const id = `${startTime}_${endTime}`;
    let w = found.get(id);
    if (!w) {
      let start: number;
      let end: number;
      try {
        start = parseWindowTime(startTime, timezone);
        end = parseWindowTime(endTime, timezone);
      } catch {
        return undefined; // not a window this layout writes
      }
      w = { id, startTime, endTime, start, end, objects: 0, committed: false };
      found.set(id, w);
    }
    return w;
  };
  for (const day of [...days].sort()) {
    if (target.engine === 'runtime') {
      const directory = windowDayDirectory(prefix, target.table, `${day}000000`);
      for (const o of await listWindowObjects(target.oss, directory)) {
        const [id, name, ...rest] = o.key.slice(directory.length).split('/');
        const m = WINDOW_ID.exec(id);
        if (!m || name === undefined) continue;
        const w = remember(m[1], m[2]);
        if (!w) continue;
        // Data files, the manifest, and the liveness records of attempts (_attempts/): all evidence of a run.
        w.objects++;
        if (name === MANIFEST_NAME && rest.length === 0) w.committed = true;
      }
    } else {
      const dayPrefix = `${location}${day}`;
      for (const o of await listWindowObjects(target.oss, dayPrefix)) {
        const m = /^(\d{14})_(\d{14})$/.exec(o.key.slice(location.length).replace(/\.csv$/, ''));
        if (!m || diWindowObjectKey(prefix, target.table, m[1], m[2]) !== o.key) continue;
        const w = remember(m[1], m[2]);
        if (!w) continue;
        w.objects++;
        w.committed = true;
      }
    }
  }

  const overlaps = findOverlaps([...found.values()], timezone);
  const overlapping = new Map<string, string[]>();
  for (const o of overlaps) {
    overlapping.set(o.first, [...(overlapping.get(o.first) ?? []), o.second]);
    overlapping.set(o.second, [...(overlapping.get(o.second) ?? []), o.first]);
  }
  const scheduledIds = new Set<string>();
  const windows: CoveredWindow[] = plan.windows.map(w => {
    const id = `${w.startTime}_${w.endTime}`;
    scheduledIds.add(id);
    const f = found.get(id);
    const status: WindowStatus = !f ? 'missing' : f.committed ? 'committed' : 'partial';
    return { runTime: w.runTime, startTime: w.startTime, endTime: w.endTime, status, objects: f?.objects ?? 0, overlapsWith: overlapping.get(id) ?? [] };
  });
  const first = plan.windows[0]?.start ?? Number.POSITIVE_INFINITY;
  const last = plan.windows[plan.windows.length - 1]?.end ?? Number.NEGATIVE_INFINITY;
  const unscheduled = [...found.values()]
    .filter(f => !scheduledIds.has(f.id) && f.end > first && f.start < last)
    .sort((a, b) => a.start - b.start)
    .map(f => ({ startTime: f.startTime, endTime: f.endTime, committed: f.committed, objects: f.objects, overlapsWith: overlapping.get(f.id) ?? [] }));
  const relevant = overlaps.filter(o => scheduledIds.has(o.first) || scheduledIds.has(o.second) || unscheduled.some(u => `${u.startTime}_${u.endTime}` === o.first || `${u.startTime}_${u.endTime}` === o.second));
  const count = (s: WindowStatus): number => windows.filter(w => w.status === s).length;
  const counts = {
    scheduled: windows.length,
    committed: count('committed'),
    partial: count('partial'),
    missing: count('missing'),
    overlapping: windows.filter(w => w.overlapsWith.length > 0).length + unscheduled.filter(u => u.overlapsWith.length > 0).length,
  };
  return {
    table: target.table,
    timezone,
    from: plan.from,
    to: plan.to,
    engine: target.engine,
    bucket: target.bucket,
    location,
    windows,
    unscheduled,
    overlaps: relevant,
    counts,
    complete: counts.committed === counts.scheduled && relevant.length === 0,
  };
}

/** Every pair of found windows whose [start, end) intervals intersect. */
function findOverlaps(found: readonly FoundWindow[], timezone: string): WindowOverlap[] {
  const sorted = [...found].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: WindowOverlap[] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j].start < sorted[i].end; j++) {
      const a = sorted[i];
      const b = sorted[j];
      out.push({ first: a.id, second: b.id, from: formatWindowTime(b.start, timezone), to: formatWindowTime(Math.min(a.end, b.end), timezone) });
    }
  }
  return out;
}

/** The report over several tables (the same range and time zone: an environment's tables share its schedule). */
export function coverageReport(tables: readonly TableCoverage[]): CoverageReport {
  if (tables.length === 0) throw new Error('coverage needs at least one table');
  const { timezone, from, to } = tables[0];
  return { timezone, from, to, tables, complete: tables.every(t => t.complete) };
}

const CELL: Readonly<Record<WindowStatus | 'overlap' | 'none', string>> = { committed: '#', partial: 'p', missing: '.', overlap: '!', none: ' ' };
const RANK: Readonly<Record<string, number>> = { ' ': 0, '#': 1, '.': 2, p: 3, '!': 4 };

/**
 * The grid a person reads at a glance: per table, one row per local day, one cell per hour of the window start
 * (`#` committed, `p` partial, `.` missing, `!` overlapping another window, blank: no window scheduled), then
 * the windows that need attention.
 */
export function renderCoverage(report: CoverageReport): string {
  const lines: string[] = [];
  lines.push(`coverage of runs scheduled in [${report.from}, ${report.to}) ${report.timezone}`);
  for (const t of report.tables) {
    lines.push('');
    lines.push(`${t.table} (${t.engine === 'runtime' ? 'runtime engine: committed = manifest' : 'Data Integration engine: committed = object'}) oss://${t.bucket}/${t.location}`);
    lines.push(`            ${['00', '06', '12', '18'].map(h => h.padEnd(7)).join('').trimEnd()}`);
    const days = new Map<string, string[]>();
    for (const w of t.windows) {
      const day = `${w.startTime.slice(0, 4)}-${w.startTime.slice(4, 6)}-${w.startTime.slice(6, 8)}`;
      const cells = days.get(day) ?? Array<string>(24).fill(CELL.none);
      days.set(day, cells);
      const hour = Number(w.startTime.slice(8, 10));
      const cell = w.overlapsWith.length > 0 ? CELL.overlap : CELL[w.status];
      if (RANK[cell] > RANK[cells[hour]]) cells[hour] = cell;
    }
    for (const [day, cells] of days) {
      lines.push(`${day}  ${[0, 6, 12, 18].map(h => cells.slice(h, h + 6).join('')).join(' ')}`.trimEnd());
    }
    const c = t.counts;
    lines.push(`${c.scheduled} windows: ${c.committed} committed, ${c.partial} partial, ${c.missing} missing; ${t.overlaps.length} overlap${t.overlaps.length === 1 ? '' : 's'}`);
    for (const w of t.windows) {
      if (w.status === 'missing') lines.push(`  missing  ${w.startTime}_${w.endTime} (run ${w.runTime})`);
      if (w.status === 'partial') lines.push(`  partial  ${w.startTime}_${w.endTime} (run ${w.runTime}): ${w.objects} object${w.objects === 1 ? '' : 's'}, no manifest`);
    }
    for (const u of t.unscheduled) {
      lines.push(`  extra    ${u.startTime}_${u.endTime}: not a scheduled window (${u.committed ? 'committed' : 'not committed'}, ${u.objects} object${u.objects === 1 ? '' : 's'})`);
    }
    for (const o of t.overlaps) lines.push(`  overlap  ${o.first} and ${o.second} both cover [${o.from}, ${o.to})`);
  }
  lines.push('');
  lines.push('legend: # committed  p partial (objects, no manifest)  . missing  ! overlaps another window  (blank) no window scheduled');
  lines.push(report.complete ? 'complete: every scheduled window is committed, no overlap' : 'INCOMPLETE: see the windows listed above');
  return `${lines.join('\n')}\n`;
}

/** A self-contained HTML page with one SVG grid per table, for ranges too long to read in a terminal. */
export function renderCoverageHtml(report: CoverageReport): string {
  const colour: Readonly<Record<string, string>> = { '#': '#2e7d32', p: '#f9a825', '.': '#c62828', '!': '#6a1b9a', ' ': '#eeeeee' };
  const escape = (s: string): string => s.replace(/[&<>"]/g, ch => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] as string);
  const parts: string[] = [];
  for (const t of report.tables) {
    const days = [...new Set(t.windows.map(w => w.startTime.slice(0, 8)))];
    const size = 14;
    const rects: string[] = [];
    for (const w of t.windows) {
      const row = days.indexOf(w.startTime.slice(0, 8));
      const col = Number(w.startTime.slice(8, 10));
      const cell = w.overlapsWith.length > 0 ? CELL.overlap : CELL[w.status];
      rects.push(`<rect x="${90 + col * size}" y="${20 + row * size}" width="${size - 2}" height="${size - 2}" fill="${colour[cell]}"><title>${w.startTime}_${w.endTime}: ${w.overlapsWith.length > 0 ? 'overlapping' : w.status}</title></rect>`);
    }
    const labels = days.map((d, row) => `<text x="0" y="${31 + row * size}" font-size="11">${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}</text>`);
    const hours = [0, 6, 12, 18].map(h => `<text x="${90 + h * size}" y="12" font-size="11">${String(h).padStart(2, '0')}</text>`);
    const height = 30 + days.length * size;
    parts.push(`<h2>${escape(t.table)}</h2><p>${escape(`oss://${t.bucket}/${t.location}`)}: ${t.counts.committed}/${t.counts.scheduled} committed, ${t.counts.partial} partial, ${t.counts.missing} missing, ${t.overlaps.length} overlaps</p>`
      + `<svg xmlns="http://www.w3.org/2000/svg" width="${90 + 24 * size}" height="${height}">${hours.join('')}${labels.join('')}${rects.join('')}</svg>`);
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>Backup coverage ${escape(report.from)}–${escape(report.to)}</title></head>`
    + `<body style="font-family:sans-serif"><h1>Backup coverage</h1><p>Runs scheduled in [${escape(report.from)}, ${escape(report.to)}) ${escape(report.timezone)}. `
    + 'Green committed, yellow partial, red missing, purple overlapping.</p>'
    + `${parts.join('\n')}</body></html>\n`;
}

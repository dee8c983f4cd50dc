/**
 * Verifies a restored table against what it should hold:
 *
 *   against `backup`: the snapshot plus the windows up to `--to`, replayed in memory (memory grows with the table);
 *   against `source`: the source table as it is now, read in key order (meaningful while nothing has written to
 *   the source since `--to`, e.g. right after an incident stopped the writers).
 *
 * Both sides are read in key order and compared per key range (the source's split points, or the snapshot's
 * ranges): row counts and a SHA-256 of the ranges' canonical rows, and the keys that differ (missing, extra, or
 * with other columns).
 */
import { createHash, Hash } from 'node:crypto';
import type { PrimaryKeyColumn, WirePrimaryKeyColumn } from '../../tablestore/plainbuffer/types';
import type { TablestoreTableClient } from '../../tablestore/table-client';
import type { Logger } from '../../common/log';
import { compareKeys, rowLine, TableRow, tableRowOf } from './rows';
import { planRestore, replayPlan, RestoreTarget } from './restore';
import { MemoryTable } from './sink';
import { boundFromJson } from './snapshot';

export interface RangeComparison {
  readonly range: number;
  readonly expectedRows: number;
  readonly actualRows: number;
  readonly expectedSha256: string;
  readonly actualSha256: string;
  readonly ok: boolean;
}

export interface KeyDifference {
  readonly key: Readonly<Record<string, string>>;
  readonly problem: 'missing in target' | 'not expected in target' | 'columns differ';
  readonly expected?: string;
  readonly actual?: string;
}

/** `against`, `target` and `to` say what was verified, as the options gave them. */
export interface VerifyRestoreResult extends Pick<VerifyRestoreOptions, 'against' | 'target' | 'to'> {
  readonly ok: boolean;
  readonly expectedRows: number;
  readonly actualRows: number;
  readonly ranges: readonly RangeComparison[];
  /** The first `maxDifferences` differing keys, in key order. */
  readonly differences: readonly KeyDifference[];
  readonly differenceCount: number;
}

export interface VerifyRestoreOptions extends RestoreTarget {
  readonly against: 'backup' | 'source';
  readonly maxDifferences?: number;
  readonly logger?: Logger;
}

function keyText(key: readonly PrimaryKeyColumn[]): Record<string, string> {
  return Object.fromEntries(key.map((k) => [k.name, Buffer.isBuffer(k.value) ? k.value.toString('base64') : String(k.value)]));
}

async function* tableRows(client: TablestoreTableClient, table: string, start: readonly WirePrimaryKeyColumn[], end: readonly WirePrimaryKeyColumn[]): AsyncGenerator<TableRow> {
  for await (const page of client.scan(table, start, end)) {
    for (const r of page) yield tableRowOf(r);
  }
}

export async function* arrayRows(rows: readonly TableRow[]): AsyncGenerator<TableRow> {
  for (const r of rows) yield r;
}

/** Where `key` falls among ranges split at `points` (padded keys, ascending). */
function rangeOf(key: readonly PrimaryKeyColumn[], points: readonly WirePrimaryKeyColumn[][]): number {
  let i = 0;
  while (i < points.length && comparePadded(key, points[i]) >= 0) i++;
  return i;
}

function comparePadded(key: readonly PrimaryKeyColumn[], bound: readonly WirePrimaryKeyColumn[]): number {
  for (let i = 0; i < bound.length; i++) {
    const b = bound[i];
    if (b.type === 'INF_MIN') return 1;
    if (b.type === 'INF_MAX') return -1;
    const c = compareKeys([key[i]], [b as PrimaryKeyColumn]);
    if (c !== 0) return c;
  }
  return 0;
}

export async function verifyRestore(o: VerifyRestoreOptions): Promise<VerifyRestoreResult> {
  const max = o.maxDifferences ?? 100;
  const plan = await planRestore(o);
  const keyNames = plan.snapshot.schema.primaryKey.map((k) => k.name);
  const min: WirePrimaryKeyColumn[] = keyNames.map((name) => ({ name, type: 'INF_MIN', value: null }));
  const maxKey: WirePrimaryKeyColumn[] = keyNames.map((name) => ({ name, type: 'INF_MAX', value: null }));
  let expected: AsyncGenerator<TableRow>;
  let points: WirePrimaryKeyColumn[][];
  if (o.against === 'source') {
    points = await o.table.computeSplitPointsBySize(o.source, 1, keyNames);
    expected = tableRows(o.table, o.source, min, maxKey);
  } else {
    const memory = new MemoryTable();
    await replayPlan({ oss: o.oss, plan, sink: memory, dataIntegration: o.dataIntegration });
    points = plan.snapshot.parts.slice(1).map((p) => boundFromJson(p.range.start));
    expected = arrayRows(memory.sorted());
  }
  const actual = tableRows(o.table, o.target, min, maxKey);
  return reportComparison(o, await compareRows(expected, actual, points, max));
}

/** What compareRows finds. */
export type RowComparison = Pick<VerifyRestoreResult, 'ok' | 'expectedRows' | 'actualRows' | 'ranges' | 'differences' | 'differenceCount'>;

/**
 * Compares two row sequences in key order, per range split at `points`: counts, a SHA-256 of each range's
 * canonical rows, and the first `max` keys that differ.
 */
export async function compareRows(expected: AsyncGenerator<TableRow>, actual: AsyncGenerator<TableRow>, points: readonly WirePrimaryKeyColumn[][], max: number): Promise<RowComparison> {
  const n = points.length + 1;
  const counts = Array.from({ length: n }, () => ({ e: 0, a: 0, eh: createHash('sha256') as Hash, ah: createHash('sha256') as Hash }));
  const differences: KeyDifference[] = [];
  let differenceCount = 0;
  const differ = (d: KeyDifference): void => {
    differenceCount++;
    if (differences.length < max) differences.push(d);
  };
  let e = await expected.next();
  let a = await actual.next();
  let expectedRows = 0;
  let actualRows = 0;
  while (!e.done || !a.done) {
    const c = e.done ? 1 : a.done ? -1 : compareKeys(e.value.key, a.value.key);
    if (c <= 0 && !e.done) {
      const line = rowLine(e.value);
      const r = counts[rangeOf(e.value.key, points)];
      r.e++;
      r.eh.update(`${line}\n`);
      expectedRows++;
      if (c < 0) differ({ key: keyText(e.value.key), problem: 'missing in target', expected: line });
    }
    if (c >= 0 && !a.done) {
      const line = rowLine(a.value);
      const r = counts[rangeOf(a.value.key, points)];
      r.a++;
      r.ah.update(`${line}\n`);
      actualRows++;
      if (c > 0) differ({ key: keyText(a.value.key), problem: 'not expected in target', actual: line });
      else if (!e.done && line !== rowLine(e.value)) differ({ key: keyText(a.value.key), problem: 'columns differ', expected: rowLine(e.value), actual: line });
    }
    if (c <= 0 && !e.done) e = await expected.next();
    if (c >= 0 && !a.done) a = await actual.next();
  }
  const ranges = counts.map((r, i) => {
    const expectedSha256 = r.eh.digest('hex');
    const actualSha256 = r.ah.digest('hex');
    return { range: i, expectedRows: r.e, actualRows: r.a, expectedSha256, actualSha256, ok: r.e === r.a && expectedSha256 === actualSha256 };
  });
  return { ok: differenceCount === 0, expectedRows, actualRows, ranges, differences, differenceCount };
}

/** Logs the comparison and names what was verified. */
export function reportComparison(o: Pick<VerifyRestoreOptions, 'against' | 'target' | 'to' | 'logger'>, c: RowComparison): VerifyRestoreResult {
  const { ok, expectedRows, actualRows, differenceCount } = c;
  (ok ? o.logger?.info.bind(o.logger) : o.logger?.error.bind(o.logger))?.(ok ? 'restore verified' : 'restore differs', { target: o.target, against: o.against, expectedRows, actualRows, differences: differenceCount });
  return { ...c, against: o.against, target: o.target, to: o.to };
}

/**
 * Materialised table contents for reads (GetRow, GetRange) and row conditions.
 * Built on demand by replaying the write log, then kept up to date, so
 * write-only workloads (the benchmark) never pay for it.
 */
import { Cell, ColumnType, ColumnValue, PrimaryKeyColumn, WirePrimaryKeyColumn } from '../../tablestore/plainbuffer';
import { primaryKeyId } from '../../tablestore/primary-key';

export interface CellVersion {
  readonly timestampMillis: number;
  readonly type: ColumnType;
  readonly value: ColumnValue;
}

export interface RowState {
  readonly primaryKey: PrimaryKeyColumn[];
  /** Column name -> versions, newest first. */
  readonly columns: Map<string, CellVersion[]>;
}

const PLACEHOLDER_RANK: Record<string, number> = { INF_MIN: -1, INF_MAX: 1 };

/** Orders keys as the service does: column by column; INF_MIN < values < INF_MAX. */
export function comparePrimaryKeys(a: readonly WirePrimaryKeyColumn[], b: readonly WirePrimaryKeyColumn[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareColumn(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareColumn(a: WirePrimaryKeyColumn, b: WirePrimaryKeyColumn): number {
  const ra = PLACEHOLDER_RANK[a.type] ?? 0;
  const rb = PLACEHOLDER_RANK[b.type] ?? 0;
  if (ra !== 0 || rb !== 0) return ra - rb;
  if (a.type === 'INTEGER' && b.type === 'INTEGER') {
    const x = a.value as bigint;
    const y = b.value as bigint;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = typeof a.value === 'string' ? Buffer.from(a.value, 'utf8') : (a.value as Buffer);
  const y = typeof b.value === 'string' ? Buffer.from(b.value, 'utf8') : (b.value as Buffer);
  return Buffer.compare(x, y);
}

export class RowStore {
  private readonly rows = new Map<string, RowState>();
  private sorted: RowState[] | null = null;

  constructor(private readonly maxVersions: () => number) {}

  get size(): number {
    return this.rows.size;
  }

  get(pk: readonly PrimaryKeyColumn[]): RowState | undefined {
    return this.rows.get(primaryKeyId(pk));
  }

  /** PutRow: the row is replaced by exactly these cells. */
  put(pk: PrimaryKeyColumn[], cells: readonly Cell[]): void {
    const row: RowState = { primaryKey: pk, columns: new Map() };
    this.applyCells(row, cells);
    const id = primaryKeyId(pk);
    if (!this.rows.has(id)) this.sorted = null;
    this.rows.set(id, row);
  }

  /** UpdateRow: cells are merged into the row (created if missing). */
  update(pk: PrimaryKeyColumn[], cells: readonly Cell[]): void {
    const id = primaryKeyId(pk);
    let row = this.rows.get(id);
    if (!row) {
      row = { primaryKey: pk, columns: new Map() };
      this.rows.set(id, row);
      this.sorted = null;
    }
    this.applyCells(row, cells);
  }

  delete(pk: readonly PrimaryKeyColumn[]): void {
    if (this.rows.delete(primaryKeyId(pk))) this.sorted = null;
  }

  /**
   * Rows with start <= key < end (FORWARD) or end < key <= start (BACKWARD),
   * in scan order.
   */
  *range(start: readonly WirePrimaryKeyColumn[], end: readonly WirePrimaryKeyColumn[], backward: boolean): Generator<RowState> {
    const rows = this.sortedRows();
    if (!backward) {
      for (let i = lowerBound(rows, start); i < rows.length; i++) {
        if (comparePrimaryKeys(rows[i].primaryKey, end) >= 0) return;
        yield rows[i];
      }
    } else {
      for (let i = upperBound(rows, start) - 1; i >= 0; i--) {
        if (comparePrimaryKeys(rows[i].primaryKey, end) <= 0) return;
        yield rows[i];
      }
    }
  }

  private applyCells(row: RowState, cells: readonly Cell[]): void {
    const cap = this.maxVersions();
    for (const cell of cells) {
      if (cell.operation === 'DELETE_ALL_VERSIONS') {
        row.columns.delete(cell.name);
        continue;
      }
      const versions = row.columns.get(cell.name) ?? [];
      if (cell.operation === 'DELETE_ONE_VERSION') {
        const kept = versions.filter((v) => v.timestampMillis !== cell.timestampMillis);
        if (kept.length > 0) row.columns.set(cell.name, kept);
        else row.columns.delete(cell.name);
        continue;
      }
      // PUT (increments were resolved to PUT before reaching the store).
      const version: CellVersion = { timestampMillis: cell.timestampMillis as number, type: cell.type as ColumnType, value: cell.value as ColumnValue };
      const kept = versions.filter((v) => v.timestampMillis !== version.timestampMillis);
      kept.push(version);
      kept.sort((x, y) => y.timestampMillis - x.timestampMillis);
      if (kept.length > cap) kept.length = cap;
      row.columns.set(cell.name, kept);
    }
  }

  private sortedRows(): RowState[] {
    if (!this.sorted) {
      this.sorted = [...this.rows.values()].sort((a, b) => comparePrimaryKeys(a.primaryKey, b.primaryKey));
    }
    return this.sorted;
  }
}

function lowerBound(rows: RowState[], key: readonly WirePrimaryKeyColumn[]): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePrimaryKeys(rows[mid].primaryKey, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(rows: RowState[], key: readonly WirePrimaryKeyColumn[]): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePrimaryKeys(rows[mid].primaryKey, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

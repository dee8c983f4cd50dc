/**
 * The row model of snapshot and restore: typed rows, row operations (what one replayed line does to a row), the
 * snapshot line format, and the canonical text that checksums and comparisons use.
 *
 * Snapshot line (JSON Lines): `{"key":[[name,type,value],...],"columns":[[name,type,value],...]}`, columns sorted by
 * name. Values by type: INTEGER decimal string (every digit), DOUBLE a JSON number (or "NaN", "Infinity",
 * "-Infinity"), BOOLEAN true/false, STRING a string, BINARY base64. The line is also the row's canonical text.
 */
import type { ColumnType, ColumnValue, PlainBufferRow, PrimaryKeyColumn, PrimaryKeyType } from '../../tablestore/plainbuffer/types';

export interface TypedColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly value: ColumnValue;
}

/** A row as a table holds it: key and the latest value of each column. */
export interface TableRow {
  readonly key: readonly PrimaryKeyColumn[];
  /** Sorted by name. */
  readonly columns: readonly TypedColumn[];
}

/**
 * What one replayed line does: PUT replaces the row with `columns`; UPDATE sets `columns` and deletes
 * `deleteColumns`; DELETE removes the row.
 */
export interface RowOp {
  readonly kind: 'PUT' | 'UPDATE' | 'DELETE';
  readonly key: readonly PrimaryKeyColumn[];
  readonly columns: readonly TypedColumn[];
  readonly deleteColumns: readonly string[];
}

/** Orders keys as Tablestore does: column by column, integers numerically, strings and binaries bytewise. */
export function compareKeys(a: readonly PrimaryKeyColumn[], b: readonly PrimaryKeyColumn[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i].value;
    const y = b[i].value;
    let c: number;
    if (typeof x === 'bigint' && typeof y === 'bigint') c = x < y ? -1 : x > y ? 1 : 0;
    else c = Buffer.compare(typeof x === 'string' ? Buffer.from(x, 'utf8') : (x as Buffer), typeof y === 'string' ? Buffer.from(y, 'utf8') : (y as Buffer));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function valueJson(type: ColumnType, value: ColumnValue): unknown {
  switch (type) {
    case 'INTEGER': return (value as bigint).toString();
    case 'DOUBLE': return Number.isFinite(value as number) ? value : String(value);
    case 'BINARY': return (value as Buffer).toString('base64');
    default: return value;
  }
}

function valueFromJson(type: string, v: unknown, where: string): ColumnValue {
  switch (type) {
    case 'INTEGER':
      if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw new Error(`${where}: INTEGER value ${JSON.stringify(v)} is not a decimal string`);
      return BigInt(v);
    case 'DOUBLE':
      if (typeof v === 'number') return v;
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
      throw new Error(`${where}: DOUBLE value ${JSON.stringify(v)} is not a number`);
    case 'BOOLEAN':
      if (typeof v !== 'boolean') throw new Error(`${where}: BOOLEAN value ${JSON.stringify(v)} is not true or false`);
      return v;
    case 'STRING':
      if (typeof v !== 'string') throw new Error(`${where}: STRING value ${JSON.stringify(v)} is not a string`);
      return v;
    case 'BINARY':
      if (typeof v !== 'string') throw new Error(`${where}: BINARY value ${JSON.stringify(v)} is not base64`);
      return Buffer.from(v, 'base64');
    default:
      throw new Error(`${where}: unknown type ${JSON.stringify(type)}`);
  }
}

/** The snapshot line of a row, without the trailing newline; also its canonical text. */
export function rowLine(row: TableRow): string {
  return JSON.stringify({
    key: row.key.map((c) => [c.name, c.type, valueJson(c.type, c.value)]),
    columns: row.columns.map((c) => [c.name, c.type, valueJson(c.type, c.value)]),
  });
}

/** Parses a snapshot line; `where` names the file and line in errors. */
export function parseRowLine(line: string, where: string): TableRow {
  let v: { key?: unknown; columns?: unknown };
  try {
    v = JSON.parse(line) as typeof v;
  } catch (err) {
    throw new Error(`${where}: not a JSON line (${(err as Error).message})`);
  }
  if (!Array.isArray(v.key) || !Array.isArray(v.columns)) throw new Error(`${where}: a snapshot line needs "key" and "columns" arrays`);
  const key = (v.key as unknown[][]).map(([name, type, value]) => {
    if (type !== 'INTEGER' && type !== 'STRING' && type !== 'BINARY') throw new Error(`${where}: key column ${String(name)} has type ${String(type)}`);
    return { name: String(name), type: type as PrimaryKeyType, value: valueFromJson(type as string, value, where) as PrimaryKeyColumn['value'] };
  });
  const columns = (v.columns as unknown[][]).map(([name, type, value]) => ({ name: String(name), type: type as ColumnType, value: valueFromJson(type as string, value, where) }));
  return { key, columns };
}

/** Sorts columns by name (the canonical order). */
export function sortColumns(columns: TypedColumn[]): TypedColumn[] {
  return columns.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A row read from the table (GetRange): its key and its present cells, in the canonical column order. */
export function tableRowOf(r: PlainBufferRow): TableRow {
  const columns: TypedColumn[] = [];
  for (const c of r.cells) if (c.type !== null && c.value !== null) columns.push({ name: c.name, type: c.type, value: c.value });
  return { key: r.primaryKey as PrimaryKeyColumn[], columns: sortColumns(columns) };
}

/** Applies an operation to a row (undefined: no row); returns the new row or undefined. */
export function applyOp(row: TableRow | undefined, op: RowOp): TableRow | undefined {
  if (op.kind === 'DELETE') return undefined;
  if (op.kind === 'PUT') return { key: op.key, columns: sortColumns([...op.columns]) };
  const cols = new Map((row?.columns ?? []).map((c) => [c.name, c]));
  for (const c of op.columns) cols.set(c.name, c);
  for (const name of op.deleteColumns) cols.delete(name);
  // An update that leaves no column still creates the row (UpdateRow on a missing row does).
  return { key: op.key, columns: sortColumns([...cols.values()]) };
}

/**
 * Merges `next` into `prev` when both touch the same key, so that consecutive lines of one row become one write
 * (a cells-layout PUT is a DR line and one U line per column).
 */
export function mergeOps(prev: RowOp, next: RowOp): RowOp {
  if (next.kind !== 'UPDATE') return next;
  if (prev.kind === 'DELETE') {
    // Deleted then updated: the row is exactly the update's columns.
    return { kind: 'PUT', key: next.key, columns: next.columns, deleteColumns: [] };
  }
  const cols = new Map(prev.columns.map((c) => [c.name, c]));
  const deleted = new Set(prev.deleteColumns);
  for (const c of next.columns) {
    cols.set(c.name, c);
    deleted.delete(c.name);
  }
  for (const name of next.deleteColumns) {
    cols.delete(name);
    if (prev.kind === 'UPDATE') deleted.add(name);
  }
  return { kind: prev.kind, key: prev.key, columns: [...cols.values()], deleteColumns: prev.kind === 'PUT' ? [] : [...deleted] };
}

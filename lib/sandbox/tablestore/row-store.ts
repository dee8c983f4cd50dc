/**
 * Materialised table contents for reads (GetRow, GetRange) and row conditions.
 * Built on demand by replaying the write log, then kept up to date, so
 * write-only workloads (the benchmark) never pay for it.
 *
 * Rows are kept as bytes, not objects: each row is its key's order-preserving sort key followed by one PlainBuffer
 * row holding every kept version (columns by name, newest version first), in shared chunks, with a few numbers per
 * row in typed arrays. A read of whole rows serves those bytes as they are, key order is a byte comparison, and a
 * million rows leave the garbage collector little to walk: with one object graph per row, every major GC (which
 * a growing write log triggers often) marked millions of objects.
 */
import { Cell, ColumnType, ColumnValue, decodeRowAt, EncodableCell, PlainBufferWriter, PrimaryKeyColumn, WirePrimaryKeyColumn } from '../../tablestore/plainbuffer';
import { ChunkedBytes, growUint32 } from './write-log';

export interface CellVersion {
  readonly timestampMillis: number;
  readonly type: ColumnType;
  readonly value: ColumnValue;
}

/** A stored row, as handed to readers (a view: valid until the row is written again). */
export interface RowState {
  readonly primaryKey: PrimaryKeyColumn[];
  /** The PlainBuffer header and one row: the key and every kept version, columns by name, newest version first. */
  readonly encoded: Buffer;
  /** Most versions one column keeps (0 without columns): reads taking at least this many need no filtering. */
  readonly maxColumnVersions: number;
  /** Key and kept versions, near enough for GetRange's 4 MB page cap and ComputeSplitPointsBySize's split sizes. */
  readonly approximateBytes: number;
}

/** Bytes of the PlainBuffer header in front of `RowState.encoded`. */
export const ROW_HEADER_BYTES = 4;

/** The row's columns: name -> versions, newest first. */
export function rowColumns(row: RowState): Map<string, CellVersion[]> {
  const columns = new Map<string, CellVersion[]>();
  for (const c of decodeRowAt(row.encoded, 0, row.encoded.length, false).cells) {
    const version: CellVersion = { timestampMillis: c.timestampMillis as number, type: c.type as ColumnType, value: c.value as ColumnValue };
    const versions = columns.get(c.name);
    if (versions) versions.push(version);
    else columns.set(c.name, [version]);
  }
  return columns;
}

/** Key and values near enough for page caps and split sizes: names, values (8 bytes for numbers), 8 per cell. */
export function approximateRowBytes(primaryKey: readonly PrimaryKeyColumn[], cells: readonly { readonly name: string; readonly value?: ColumnValue | null }[]): number {
  let n = 0;
  for (const k of primaryKey) n += k.name.length + valueBytes(k.value);
  for (const c of cells) n += c.name.length + valueBytes(c.value) + 8;
  return n;
}

function valueBytes(v: unknown): number {
  return typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : 8;
}

const SIGN_BIT = 1n << 63n;

/** Where sort keys are built (synchronously), grown when a key needs more. */
let keyScratch = Buffer.allocUnsafe(1024);

/**
 * Bytes that order as the service orders keys, column by column: INF_MIN (0x00) < values (0x01 ...) < INF_MAX
 * (0x02); integers as 8 big-endian bytes with the sign bit flipped; strings (by their UTF-8 bytes) and binaries
 * with 0x00 escaped as 00 FF and ended by 00 01, so that a prefix orders first.
 */
export function primaryKeySortKey(pk: readonly WirePrimaryKeyColumn[]): Buffer {
  return Buffer.from(sortKeyView(pk));
}

/** primaryKeySortKey in a shared buffer: valid until the next call. */
function sortKeyView(pk: readonly WirePrimaryKeyColumn[]): Buffer {
  let need = 0;
  for (const c of pk) need += 1 + (c.value === null ? 0 : c.type === 'INTEGER' ? 8 : 2 + 2 * (typeof c.value === 'string' ? Buffer.byteLength(c.value) : (c.value as Buffer).length));
  if (need > keyScratch.length) keyScratch = Buffer.allocUnsafe(need * 2);
  const buf = keyScratch;
  let pos = 0;
  for (const c of pk) {
    if (c.value === null) {
      buf[pos++] = c.type === 'INF_MAX' ? 0x02 : 0x00;
      continue;
    }
    buf[pos++] = 0x01;
    if (c.type === 'INTEGER') {
      pos = buf.writeBigUInt64BE(BigInt.asUintN(64, c.value as bigint) ^ SIGN_BIT, pos);
      continue;
    }
    if (typeof c.value === 'string' && !c.value.includes('\u0000')) {
      pos += buf.write(c.value, pos, 'utf8');
    } else {
      const bytes = typeof c.value === 'string' ? Buffer.from(c.value, 'utf8') : (c.value as Buffer);
      for (let i = 0; i < bytes.length; i++) {
        buf[pos++] = bytes[i];
        if (bytes[i] === 0) buf[pos++] = 0xff;
      }
    }
    buf[pos++] = 0x00;
    buf[pos++] = 0x01;
  }
  return buf.subarray(0, pos);
}

/** Encoding buffer shared by every row store (writes are synchronous). */
const writer = new PlainBufferWriter(4096);

const EMPTY = -1;
const DELETED = -2;

/** FNV-1a of buf[start, end). */
function hashBytes(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h >>> 0;
}

/** Per-slot numbers of RowStore.meta: chunk, offset of the sort key (the row follows it), sort key length, row length
 * (0: deleted), most versions per column, approximate bytes, hash of the sort key. */
const CHUNK = 0;
const OFFSET = 1;
const KEY_LENGTH = 2;
const ROW_LENGTH = 3;
const VERSIONS = 4;
const APPROXIMATE_BYTES = 5;
const HASH = 6;
const FIELDS = 7;

export class RowStore {
  /** Open-addressing hash of sort keys -> row slot (EMPTY, DELETED), in a typed array like everything else. */
  private buckets: Int32Array = new Int32Array(1024).fill(EMPTY);
  /** Buckets holding a slot or DELETED. */
  private bucketsUsed = 0;
  private live = 0;
  private readonly data = new ChunkedBytes(1024 * 1024);
  /** FIELDS numbers per slot (see CHUNK...HASH); a deleted row has ROW_LENGTH 0. */
  private meta: Uint32Array = new Uint32Array(256 * FIELDS);
  private slots = 0;
  /** Live slots in key order; null when a key was added or removed since. */
  private sorted: Uint32Array | null = null;

  constructor(private readonly maxVersions: () => number) {}

  get size(): number {
    return this.live;
  }

  get(pk: readonly PrimaryKeyColumn[]): RowState | undefined {
    const bucket = this.bucketOf(sortKeyView(pk));
    return bucket < 0 ? undefined : this.view(this.buckets[bucket]);
  }

  /** PutRow: the row is replaced by exactly these cells. */
  put(pk: PrimaryKeyColumn[], cells: readonly Cell[]): void {
    this.store(pk, this.applyCells(new Map(), cells));
  }

  /** UpdateRow: cells are merged into the row (created if missing). */
  update(pk: PrimaryKeyColumn[], cells: readonly Cell[]): void {
    const row = this.get(pk);
    this.store(pk, this.applyCells(row ? rowColumns(row) : new Map(), cells));
  }

  delete(pk: readonly PrimaryKeyColumn[]): void {
    const bucket = this.bucketOf(sortKeyView(pk));
    if (bucket < 0) return;
    this.meta[this.buckets[bucket] * FIELDS + ROW_LENGTH] = 0;
    this.buckets[bucket] = DELETED;
    this.live--;
    this.sorted = null;
  }

  /**
   * Rows with start <= key < end (FORWARD) or end < key <= start (BACKWARD),
   * in scan order.
   */
  *range(start: readonly WirePrimaryKeyColumn[], end: readonly WirePrimaryKeyColumn[], backward: boolean): Generator<RowState> {
    const rows = this.sortedSlots();
    const from = primaryKeySortKey(start);
    const to = primaryKeySortKey(end);
    if (!backward) {
      for (let i = this.bound(rows, from, false), stop = this.bound(rows, to, false); i < stop; i++) yield this.view(rows[i]);
    } else {
      for (let i = this.bound(rows, from, true) - 1, stop = this.bound(rows, to, true); i >= stop; i--) yield this.view(rows[i]);
    }
  }

  private view(slot: number): RowState {
    const m = this.meta;
    const at = slot * FIELDS;
    const rowStart = m[at + OFFSET] + m[at + KEY_LENGTH];
    return new StoredRow(this.data.chunk(m[at + CHUNK]).subarray(rowStart, rowStart + m[at + ROW_LENGTH]), m[at + VERSIONS], m[at + APPROXIMATE_BYTES]);
  }

  private store(pk: PrimaryKeyColumn[], columns: ReadonlyMap<string, readonly CellVersion[]>): void {
    const cells: EncodableCell[] = [];
    let most = 0;
    for (const name of [...columns.keys()].sort()) {
      const versions = columns.get(name) as readonly CellVersion[];
      most = Math.max(most, versions.length);
      for (const v of versions) cells.push({ name, type: v.type, value: v.value, timestampMillis: v.timestampMillis });
    }
    writer.reset();
    writer.writeHeader();
    writer.writeRow({ primaryKey: pk, cells });
    const row = writer.finish();
    const key = sortKeyView(pk);

    const bucket = this.bucketOf(key);
    let slot: number;
    if (bucket >= 0) slot = this.buckets[bucket];
    else {
      slot = this.slots++;
      if ((slot + 1) * FIELDS > this.meta.length) this.grow();
      this.meta[slot * FIELDS + HASH] = hashBytes(key, 0, key.length);
      this.addToIndex(slot);
      this.live++;
      this.sorted = null;
    }
    // A rewritten row takes new bytes; the old ones stay behind in their chunk (a sandbox holds test data).
    const chunk = this.data.reserve(key.length + row.length);
    key.copy(chunk, this.data.lastOffset);
    row.copy(chunk, this.data.lastOffset + key.length);
    const at = slot * FIELDS;
    this.meta[at + CHUNK] = this.data.lastChunk;
    this.meta[at + OFFSET] = this.data.lastOffset;
    this.meta[at + KEY_LENGTH] = key.length;
    this.meta[at + ROW_LENGTH] = row.length;
    this.meta[at + VERSIONS] = most;
    this.meta[at + APPROXIMATE_BYTES] = approximateRowBytes(pk, cells);
  }

  private applyCells(columns: Map<string, CellVersion[]>, cells: readonly Cell[]): Map<string, CellVersion[]> {
    const cap = this.maxVersions();
    for (const cell of cells) {
      if (cell.operation === 'DELETE_ALL_VERSIONS') {
        columns.delete(cell.name);
        continue;
      }
      const versions = columns.get(cell.name) ?? [];
      if (cell.operation === 'DELETE_ONE_VERSION') {
        const kept = versions.filter((v) => v.timestampMillis !== cell.timestampMillis);
        if (kept.length > 0) columns.set(cell.name, kept);
        else columns.delete(cell.name);
        continue;
      }
      // PUT (increments were resolved to PUT before reaching the store).
      const version: CellVersion = { timestampMillis: cell.timestampMillis as number, type: cell.type as ColumnType, value: cell.value as ColumnValue };
      const kept = versions.filter((v) => v.timestampMillis !== version.timestampMillis);
      kept.push(version);
      kept.sort((x, y) => y.timestampMillis - x.timestampMillis);
      if (kept.length > cap) kept.length = cap;
      columns.set(cell.name, kept);
    }
    return columns;
  }

  /** The bucket holding the row with this sort key, or -1. */
  private bucketOf(key: Buffer): number {
    const mask = this.buckets.length - 1;
    const hash = hashBytes(key, 0, key.length);
    for (let b = hash & mask; ; b = (b + 1) & mask) {
      const slot = this.buckets[b];
      if (slot === EMPTY) return -1;
      if (slot >= 0 && this.meta[slot * FIELDS + HASH] === hash && this.meta[slot * FIELDS + KEY_LENGTH] === key.length && this.compareTo(slot, key) === 0) return b;
    }
  }

  /** Indexes a slot (its hashOf set) whose key is not indexed yet. */
  private addToIndex(slot: number): void {
    if ((this.bucketsUsed + 1) * 2 > this.buckets.length) this.rehash();
    const mask = this.buckets.length - 1;
    let b = this.meta[slot * FIELDS + HASH] & mask;
    while (this.buckets[b] >= 0) b = (b + 1) & mask;
    if (this.buckets[b] === EMPTY) this.bucketsUsed++;
    this.buckets[b] = slot;
  }

  /** A table at most a quarter full of live rows, without deleted marks. */
  private rehash(): void {
    let size = 1024;
    while (size < this.live * 4) size *= 2;
    this.buckets = new Int32Array(size).fill(EMPTY);
    this.bucketsUsed = 0;
    for (let slot = 0; slot < this.slots; slot++) if (this.meta[slot * FIELDS + ROW_LENGTH] > 0) this.addToIndex(slot);
  }

  /** Sort key of `slot` against `key` (negative: the slot's key orders first). */
  private compareTo(slot: number, key: Buffer): number {
    const off = this.meta[slot * FIELDS + OFFSET];
    return this.data.chunk(this.meta[slot * FIELDS + CHUNK]).compare(key, 0, key.length, off, off + this.meta[slot * FIELDS + KEY_LENGTH]);
  }

  /** First position whose key is >= key (`after`: > key). */
  private bound(rows: Uint32Array, key: Buffer, after: boolean): number {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compareTo(rows[mid], key);
      if (c < 0 || (after && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private sortedSlots(): Uint32Array {
    if (!this.sorted) {
      // Sort keys are prefix-free, so each key's bytes as a latin1 string (code units order as bytes) followed by
      // its slot number sort like the keys; the default string sort is far quicker than a comparator call per pair.
      const tagged: string[] = [];
      for (let slot = 0; slot < this.slots; slot++) {
        if (this.meta[slot * FIELDS + ROW_LENGTH] === 0) continue;
        const off = this.meta[slot * FIELDS + OFFSET];
        tagged.push(this.data.chunk(this.meta[slot * FIELDS + CHUNK]).toString('latin1', off, off + this.meta[slot * FIELDS + KEY_LENGTH]) + String.fromCharCode(slot >>> 16, slot & 0xffff));
      }
      tagged.sort();
      const sorted = new Uint32Array(tagged.length);
      for (let i = 0; i < tagged.length; i++) {
        const t = tagged[i];
        sorted[i] = t.charCodeAt(t.length - 2) * 0x10000 + t.charCodeAt(t.length - 1);
      }
      this.sorted = sorted;
    }
    return this.sorted;
  }

  private grow(): void {
    this.meta = growUint32(this.meta, this.meta.length * 2);
  }
}

/** A stored row; its key is decoded only when asked for (scans mostly serve the bytes). */
class StoredRow implements RowState {
  private key: PrimaryKeyColumn[] | undefined;

  constructor(
    readonly encoded: Buffer,
    readonly maxColumnVersions: number,
    readonly approximateBytes: number,
  ) {}

  get primaryKey(): PrimaryKeyColumn[] {
    this.key ??= decodeRowAt(this.encoded, 0, this.encoded.length, false).primaryKey as PrimaryKeyColumn[];
    return this.key;
  }
}

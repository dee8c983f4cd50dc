/** Shared test fixtures: synthetic stream records and an independent Parquet reader (hyparquet). */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { gunzipSync } from 'node:zlib';
import type { RecordEncoder } from '../../lib/runtime/formats';
import type { StreamColumn, StreamRecord, StreamRecordPage } from '../../lib/runtime/reader/types';

/** A whole file: begin, encode calls of at most `budget` bytes each, finish. */
export function encodeAll(encoder: RecordEncoder, records: readonly StreamRecord[], budget = Infinity): Buffer {
  const parts: Buffer[] = [];
  const head = encoder.begin();
  if (head) parts.push(head);
  for (let i = 0; i < records.length;) {
    const r = encoder.encode(records, i, records.length, budget);
    if (r.bytes) parts.push(r.bytes);
    i += r.records;
  }
  const tail = encoder.finish();
  if (tail) parts.push(tail);
  return Buffer.concat(parts);
}

export const PRIMARY_KEY = [{ name: 'user_id', type: 'String' as const }, { name: 'seq', type: 'Integer' as const }];

export function putColumn(name: string, value: StreamColumn['value'], timestampMillis = 1_700_000_000_000): StreamColumn {
  const type = typeof value === 'string' ? 'STRING' : typeof value === 'bigint' ? 'INTEGER' : typeof value === 'number' ? 'DOUBLE' : typeof value === 'boolean' ? 'BOOLEAN' : 'BINARY';
  return { name, operation: 'PUT', type, value, timestampMillis };
}

export function record(action: StreamRecord['action'], user: string, seq: bigint, columns: StreamColumn[], writeTimeMicros = 1_700_000_000_000_000, rowIndex = 0): StreamRecord {
  return {
    action,
    shardId: 'shard-0',
    writeTimeMicros,
    epoch: 1,
    rowIndex,
    primaryKey: [{ name: 'user_id', type: 'STRING', value: user }, { name: 'seq', type: 'INTEGER', value: seq }],
    columns,
    timeseries: null,
  };
}

/**
 * Deterministic pseudo-random records: a mix of PUT / UPDATE (with cell deletes) / DELETE. `namePadding` characters
 * appended to each PUT's name make the records bulky, for tests whose point is bytes (file and part sizes), not how
 * many records there are: the same bytes from a fraction of the records to generate, encode and compare.
 */
export function syntheticRecords(count: number, startMicros = 1_700_000_000_000_000, seed = 1, namePadding = 0): StreamRecord[] {
  const padding = '~'.repeat(namePadding);
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const out: StreamRecord[] = [];
  for (let i = 0; i < count; i++) {
    const t = startMicros + i * 1000;
    const ms = Math.floor(t / 1000);
    const r = rnd();
    const user = `user-${Math.floor(rnd() * 100000).toString().padStart(6, '0')}`;
    if (r < 0.6) {
      out.push(record('PUT', user, BigInt(i), [
        putColumn('name', `Name ${i} "quoted", with comma${padding}`, ms),
        putColumn('score', Math.round(rnd() * 1e6) / 100, ms),
        putColumn('count', BigInt(Math.floor(rnd() * 1e9)), ms),
        putColumn('active', rnd() < 0.5, ms),
      ], t, i));
    } else if (r < 0.9) {
      out.push(record('UPDATE', user, BigInt(i), [
        putColumn('score', Math.round(rnd() * 1e6) / 100, ms),
        { name: 'name', operation: 'DELETE_ONE_VERSION', type: null, value: null, timestampMillis: ms - 5 },
        { name: 'tags', operation: 'DELETE_ALL_VERSIONS', type: null, value: null, timestampMillis: null },
      ], t, i));
    } else {
      out.push(record('DELETE', user, BigInt(i), [], t, i));
    }
  }
  return out;
}

/** Splits records into pages of `size` (the reader's unit). */
export function pagesOf(records: readonly StreamRecord[], size: number): StreamRecordPage[] {
  const pages: StreamRecordPage[] = [];
  for (let i = 0; i < records.length; i += size) pages.push({ shardId: 'shard-0', records: records.slice(i, i + size) });
  return pages;
}

export async function* asyncPages(pages: readonly StreamRecordPage[]): AsyncGenerator<StreamRecordPage> {
  for (const p of pages) yield p;
}

export interface HyparquetResult {
  readonly rows: Record<string, unknown>[];
  readonly numRows: unknown;
  readonly rowGroups: number;
  readonly schema: Array<Record<string, unknown>>;
  readonly createdBy: string;
}

/**
 * Reads a Parquet file with hyparquet, in this process (Jest transforms the ESM package); bigints come back as
 * `{ $bigint }`, byte arrays as `{ $bytes }` (base64).
 */
export async function readWithHyparquet(file: Buffer): Promise<HyparquetResult> {
  const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const rows = await parquetReadObjects({ file: buffer, utf8: false, compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) } });
  const meta = parquetMetadata(buffer);
  const json = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? { $bigint: v.toString() } : v instanceof Uint8Array ? { $bytes: Buffer.from(v).toString('base64') } : v);
  return JSON.parse(JSON.stringify({ rows, numRows: meta.num_rows, rowGroups: meta.row_groups.length, schema: meta.schema, createdBy: meta.created_by }, json)) as HyparquetResult;
}

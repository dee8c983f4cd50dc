/**
 * Records kept as PlainBuffer bytes (EncodedStreamRecord, what the reader hands out for wide-column tables) must
 * give exactly the bytes decoded records give, in every layout and format; and the bytes of a representative
 * window are pinned, so that a faster path cannot change what a rerun writes.
 */
import { createHash } from 'node:crypto';
import { CsvOptions, cellsLayout, createFileFormat, OutputLayout, rowsLayout } from '../../lib/runtime/formats';
import { decodeBatch, StreamRecordFormatError } from '../../lib/runtime/reader';
import type { StreamRecord } from '../../lib/runtime/reader/types';
import { encodeRow } from '../../lib/tablestore/plainbuffer/encode';
import { decodeGetStreamRecordResponse, StreamRecordResponseWriter } from '../../lib/tablestore/protocol/stream-wire';
import { encodeAll, PRIMARY_KEY, putColumn, record, syntheticRecords } from '../formats/helpers';

const ACTION_CODES = { PUT: 1, UPDATE: 2, DELETE: 3 } as const;

/** The records as one GetStreamRecord response, decoded by the reader (wide-column table). */
function throughTheWire(records: readonly StreamRecord[], verifyChecksums = true): StreamRecord[] {
  const w = new StreamRecordResponseWriter();
  for (const r of records) {
    const bytes = encodeRow({
      primaryKey: r.primaryKey,
      cells: r.columns,
      deleteMarker: r.action === 'DELETE',
      sequence: { epoch: r.epoch, timestampMicros: r.writeTimeMicros, rowIndex: r.rowIndex },
    });
    w.add(ACTION_CODES[r.action], bytes, 0, bytes.length);
  }
  const batch = decodeGetStreamRecordResponse(Buffer.from(w.finish(null)));
  const { records: out } = decodeBatch(batch, { shardId: 'shard-0', startMicros: 0, endMicros: Number.MAX_SAFE_INTEGER, isTimeseriesTable: false, verifyChecksums });
  return out;
}

const COLUMNS = [{ name: 'user_id' }, { name: 'seq', type: 'int64' as const }, { name: 'name' }, { name: 'score', type: 'double' as const }, { name: 'count' }, { name: 'active' }, { name: 'tags' }, { name: 'blob' }];

const LAYOUTS: Record<string, () => OutputLayout> = {
  'rows with operations': () => rowsLayout({ columns: COLUMNS, operations: true }),
  'rows, sequence info': () => rowsLayout({ columns: COLUMNS, sequenceInfo: true }),
  'rows, some columns': () => rowsLayout({ columns: [{ name: 'seq' }, { name: 'score' }], operations: true }),
  cells: () => cellsLayout({ primaryKey: PRIMARY_KEY, sequenceInfo: true }),
};

/** Synthetic records plus the awkward cases: binary, unicode, quoting, a column set twice, a record of unexported columns. */
function window(): StreamRecord[] {
  const t = 1_700_000_000_000_000;
  return [
    ...syntheticRecords(600, t),
    record('PUT', 'ü ,"x"\n', 7n, [putColumn('blob', Buffer.from([0, 255, 10, 34])), putColumn('name', '#温度 ')], t + 1e9, 1),
    record('UPDATE', '', -5n, [putColumn('score', 1e21), putColumn('score', -0.000123), { name: 'name', operation: 'DELETE_ALL_VERSIONS', type: null, value: null, timestampMillis: null }], t + 1e9 + 1, 2),
    record('PUT', 'other', 9007199254740993n, [putColumn('unexported', 'x')], t + 1e9 + 2, 3),
  ];
}

describe('encoded records give the bytes decoded records give', () => {
  const decoded = window();
  const encoded = throughTheWire(decoded);

  test('the reader keeps wide-column records encoded, and they read back as the decoded ones', () => {
    expect(encoded).toHaveLength(decoded.length);
    expect(encoded[0].constructor.name).toBe('EncodedStreamRecord');
    for (let i = 0; i < decoded.length; i += 37) {
      const e = encoded[i];
      expect({ action: e.action, writeTimeMicros: e.writeTimeMicros, epoch: e.epoch, rowIndex: e.rowIndex, primaryKey: e.primaryKey, columns: e.columns })
        .toEqual({ action: decoded[i].action, writeTimeMicros: decoded[i].writeTimeMicros, epoch: decoded[i].epoch, rowIndex: decoded[i].rowIndex, primaryKey: decoded[i].primaryKey, columns: decoded[i].columns });
    }
  });

  for (const [name, layout] of Object.entries(LAYOUTS)) {
    for (const fileFormat of ['csv', 'jsonl', 'parquet'] as const) {
      test(`${name}, ${fileFormat}`, () => {
        const spec = { fileFormat, compression: 'none' as const };
        const want = encodeAll(createFileFormat(layout(), spec).encoder, decoded, 4096);
        expect(encodeAll(createFileFormat(layout(), spec).encoder, encoded, 4096).equals(want)).toBe(true);
      });
    }
  }

  test('a representative window keeps its bytes (CSV and JSON Lines, rows with operations)', () => {
    const digest = (fileFormat: 'csv' | 'jsonl'): string =>
      createHash('sha256').update(encodeAll(createFileFormat(LAYOUTS['rows with operations'](), { fileFormat, compression: 'none' }).encoder, encoded)).digest('hex');
    expect({ csv: digest('csv'), jsonl: digest('jsonl') }).toEqual({
      csv: '4e46af68df4583dc728576fa9e0b81c5bc1cab4e8a5c640420a8b8e4abf60a0f',
      jsonl: 'ff07ef58cd00cb6be76cea2f8b43dcd7898a05cbb566901a840c54a4baada04e',
    });
  });
});

/**
 * Values the byte paths (strings copied, numbers printed into the output) must either write exactly as the value
 * path does or hand over to it: quoting, escaping, non-ASCII, empty strings, integers around 2^31 and 2^53,
 * negative numbers, doubles printed plainly or not, doubles in an int64 column.
 */
function awkwardWindow(): StreamRecord[] {
  const t = 1_700_000_100_000_000;
  const strings = ['', ' ', 'a b', ' lead', 'trail ', '\ttab', 'tab\t', '#hash', 'x#', 'semi;colon', 'pipe|', 'comma,', 'quote"', 'back\\slash',
    'cr\r', 'lf\n', 'nul\u0000', 'x\u0001y', 'del\u007f', 'ü', '温度', '温度;', '，全角', 'emoji 😀', '\u2028', '\ufeffbom', '\\N', 'null', '1.5', '-7'];
  const doubles = [0, -0, 1.5, -1.5, 0.001, 0.000999, 1e-4, 9999999.999999, 9999999.9999999, 1e7, -1e7, 123456789.125, 1e21, -1e-7, NaN, Infinity, -Infinity,
    29.990000000000002, 100, -100, 20.01, 0.1 + 0.2];
  const ints = [0n, -1n, 1n, 2147483647n, 2147483648n, -2147483648n, -2147483649n, 999999999n, 1000000000n, -1000000000n, 9007199254740991n,
    9007199254740992n, -9007199254740992n, 9007199254740993n, -9007199254740993n, -(2n ** 63n), 2n ** 63n - 1n];
  const out: StreamRecord[] = [];
  let i = 0;
  for (const s of strings) out.push(record('PUT', s, BigInt(i), [putColumn('name', s), putColumn('tags', s)], t + i++, i));
  for (const d of doubles) out.push(record('UPDATE', `d${i}`, BigInt(-i), [putColumn('score', d), putColumn('reading', d)], t + i++, i));
  for (const n of ints) out.push(record('PUT', `i${i}`, n, [putColumn('count', n), putColumn('reading', n), putColumn('active', n < 0n)], t + i++, i));
  // More cells than the cells layout first makes room for, negative and missing cell timestamps.
  out.push(record('UPDATE', 'wide', 1n, Array.from({ length: 20 }, (_, k) => putColumn(`c${k}`, k / 4, k % 3 === 0 ? -5 - k : 1_700_000_000_000 + k)), t + i++, i));
  out.push(record('PUT', 'no-ts', 2n, [{ name: 'name', operation: 'PUT', type: 'STRING', value: 'x', timestampMillis: null }], t + i++, i));
  out.push(record('UPDATE', 'da-ts', 3n, [{ name: 'tags', operation: 'DELETE_ALL_VERSIONS', type: null, value: null, timestampMillis: 5 }], t + i++, i));
  return out;
}

const AWKWARD_COLUMNS = [...COLUMNS, { name: 'reading', type: 'int64' as const }];
const CSV_OPTIONS: Record<string, CsvOptions> = {
  default: {},
  'semicolon, header': { fieldDelimiter: ';', header: true },
  tab: { fieldDelimiter: '\t' },
  pipe: { fieldDelimiter: '|' },
  'control character': { fieldDelimiter: '\u0001' },
  'non-ASCII delimiter': { fieldDelimiter: '，' },
  'delimiter in numbers (.)': { fieldDelimiter: '.' },
  'delimiter in numbers (-)': { fieldDelimiter: '-' },
  'empty nullFormat': { nullFormat: '' },
  'nullFormat needing quotes': { nullFormat: ' n,"' },
  'non-ASCII nullFormat': { nullFormat: '空' },
  'utf8 binaries': { binaryEncoding: 'utf8' },
};

describe('encoded records written as bytes give the bytes of their values', () => {
  const decoded = [...awkwardWindow(), ...syntheticRecords(60, 1_700_000_200_000_000)];
  const encoded = throughTheWire(decoded);
  const layouts = {
    rows: () => rowsLayout({ columns: AWKWARD_COLUMNS, operations: true }),
    'rows, sequence info': () => rowsLayout({ columns: AWKWARD_COLUMNS, sequenceInfo: true }),
    cells: () => cellsLayout({ primaryKey: PRIMARY_KEY }),
    'cells, sequence info': () => cellsLayout({ primaryKey: PRIMARY_KEY, sequenceInfo: true }),
  };

  for (const [name, layout] of Object.entries(layouts)) {
    // Every CSV option with each layout's plain form, the default with sequence info.
    for (const [optionName, csv] of Object.entries(name.includes('sequence') ? { default: {} } : CSV_OPTIONS)) {
      test(`${name}, CSV, ${optionName}`, () => {
        const spec = { fileFormat: 'csv' as const, compression: 'none' as const, csv };
        const want = encodeAll(createFileFormat(layout(), spec).encoder, decoded, 512);
        expect(encodeAll(createFileFormat(layout(), spec).encoder, encoded, 512).toString('latin1')).toBe(want.toString('latin1'));
      });
    }
    test(`${name}, JSON Lines`, () => {
      const spec = { fileFormat: 'jsonl' as const, compression: 'none' as const };
      const want = encodeAll(createFileFormat(layout(), spec).encoder, decoded, 512);
      expect(encodeAll(createFileFormat(layout(), spec).encoder, encoded, 512).toString('latin1')).toBe(want.toString('latin1'));
    });
  }

  test('the rows and cells layouts write encoded records without building their values', () => {
    for (const layout of [rowsLayout({ columns: AWKWARD_COLUMNS, operations: true }), cellsLayout({ primaryKey: PRIMARY_KEY })]) {
      const rowsOf = jest.spyOn(layout, 'rowsOf');
      for (const fileFormat of ['csv', 'jsonl'] as const) encodeAll(createFileFormat(layout, { fileFormat, compression: 'none' }).encoder, encoded);
      expect(rowsOf).not.toHaveBeenCalled();
    }
  });

  test('encoded and decoded records mixed in one call keep their order and the size budget', () => {
    const mixed = decoded.map((r, i) => (i % 3 === 0 ? r : encoded[i]));
    for (const fileFormat of ['csv', 'jsonl'] as const) {
      const spec = { fileFormat, compression: 'none' as const };
      const steps = (records: readonly StreamRecord[]): number[] => {
        const encoder = createFileFormat(rowsLayout({ columns: AWKWARD_COLUMNS, operations: true }), spec).encoder;
        const consumed: number[] = [];
        for (let i = 0; i < records.length;) {
          const r = encoder.encode(records, i, records.length, 300);
          expect(r.size).toBe(r.bytes?.length ?? 0);
          consumed.push(r.records);
          i += r.records;
        }
        return consumed;
      };
      expect(steps(mixed)).toEqual(steps(decoded));
      const layout = rowsLayout({ columns: AWKWARD_COLUMNS, operations: true });
      expect(encodeAll(createFileFormat(layout, spec).encoder, mixed, 300).toString('latin1')).toBe(encodeAll(createFileFormat(layout, spec).encoder, decoded, 300).toString('latin1'));
    }
  });

  test('strings that are not well-formed UTF-8 are written as their decoded text (U+FFFD), as before', () => {
    const [rec] = throughTheWire([record('PUT', 'key', 1n, [putColumn('name', 'abcdef'), putColumn('tags', 'ghijkl')])], false);
    const body = (rec as unknown as { body: Buffer }).body;
    const name = body.indexOf(Buffer.from('abcdef'));
    Buffer.from([0xc0, 0x80, 0xff, 0xed, 0xa0, 0x80]).copy(body, name); // overlong NUL, invalid byte, surrogate
    const tags = body.indexOf(Buffer.from('ghijkl'));
    Buffer.from([0x61, 0xe6, 0xb8, 0x29, 0x62, 0x63]).copy(body, tags); // truncated sequence
    const asValues: StreamRecord = {
      action: rec.action, shardId: rec.shardId, writeTimeMicros: rec.writeTimeMicros, epoch: rec.epoch, rowIndex: rec.rowIndex, primaryKey: rec.primaryKey, columns: rec.columns, timeseries: null,
    };
    expect(asValues.columns[0].value).toContain('\ufffd');
    for (const fileFormat of ['csv', 'jsonl'] as const) {
      const layout = rowsLayout({ columns: COLUMNS, operations: true });
      const spec = { fileFormat, compression: 'none' as const };
      expect(encodeAll(createFileFormat(layout, spec).encoder, [rec]).toString('latin1')).toBe(encodeAll(createFileFormat(layout, spec).encoder, [asValues]).toString('latin1'));
    }
  });
});

test('cell timestamps beyond 2^53 are written as their decoded (rounded) values, as before', () => {
  const [rec] = throughTheWire([record('UPDATE', 'key', 1n, [putColumn('name', 'abc', 0x0123456789ab), { name: 'tags', operation: 'DELETE_ONE_VERSION', type: null, value: null, timestampMillis: 0x0123456789ab }])], false);
  const body = (rec as unknown as { body: Buffer }).body;
  const stamp = Buffer.alloc(8);
  stamp.writeBigInt64LE(0x0123456789abn);
  for (let at = body.indexOf(stamp), n = 0; at >= 0; at = body.indexOf(stamp, at + 8), n++) body.writeBigInt64LE(n === 0 ? 2n ** 60n + 1n : -(2n ** 55n) - 3n, at);
  const asValues: StreamRecord = {
    action: rec.action, shardId: rec.shardId, writeTimeMicros: rec.writeTimeMicros, epoch: rec.epoch, rowIndex: rec.rowIndex, primaryKey: rec.primaryKey, columns: rec.columns, timeseries: null,
  };
  expect(asValues.columns.map((c) => c.timestampMillis)).toEqual([2 ** 60, -(2 ** 55)]);
  for (const fileFormat of ['csv', 'jsonl'] as const) {
    const layout = cellsLayout({ primaryKey: PRIMARY_KEY });
    const spec = { fileFormat, compression: 'none' as const };
    expect(encodeAll(createFileFormat(layout, spec).encoder, [rec]).toString('latin1')).toBe(encodeAll(createFileFormat(layout, spec).encoder, [asValues]).toString('latin1'));
  }
});

test('the cells layout refuses an encoded record whose key does not match, before writing any of its rows', () => {
  const [rec] = throughTheWire([{ ...record('PUT', 'a', 1n, [putColumn('name', 'abc')]), primaryKey: [{ name: 'user_id', type: 'STRING', value: 'a' }] }]);
  const encoder = createFileFormat(cellsLayout({ primaryKey: PRIMARY_KEY }), { fileFormat: 'csv', compression: 'none' }).encoder;
  expect(() => encoder.encode([rec], 0, 1, Infinity)).toThrow('Stream record from shard shard-0 has 1 primary key columns (user_id); the layout expects 2 (user_id, seq)');
  expect(encoder.encode([], 0, 0, Infinity).bytes).toBeNull();
});

test('a corrupted record is refused with its shard and position when it is read', () => {
  const [good] = throughTheWire([record('PUT', 'a', 1n, [putColumn('name', 'abc')])]);
  const bytes = (good as unknown as { body: Buffer }).body;
  const at = bytes.indexOf(Buffer.from('abc'));
  bytes[at] ^= 1;
  const layout = rowsLayout({ columns: COLUMNS, operations: true });
  expect(() => layout.rowsOf(good, new Array(layout.columns.length).fill(null), () => undefined)).toThrow(StreamRecordFormatError);
  expect(() => good.columns).toThrow(/stream record 0 of shard shard-0: PlainBuffer: cell "name" checksum mismatch/);
});

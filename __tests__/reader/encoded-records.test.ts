/**
 * Records kept as PlainBuffer bytes (EncodedStreamRecord, what the reader hands out for wide-column tables) must
 * give exactly the bytes decoded records give, in every layout and format; and the bytes of a representative
 * window are pinned, so that a faster path cannot change what a rerun writes.
 */
import { createHash } from 'node:crypto';
import { cellsLayout, createFileFormat, OutputLayout, rowsLayout } from '../../lib/runtime/formats';
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

test('a corrupted record is refused with its shard and position when it is read', () => {
  const [good] = throughTheWire([record('PUT', 'a', 1n, [putColumn('name', 'abc')])]);
  const bytes = (good as unknown as { body: Buffer }).body;
  const at = bytes.indexOf(Buffer.from('abc'));
  bytes[at] ^= 1;
  const layout = rowsLayout({ columns: COLUMNS, operations: true });
  expect(() => layout.rowsOf(good, new Array(layout.columns.length).fill(null), () => undefined)).toThrow(StreamRecordFormatError);
  expect(() => good.columns).toThrow(/stream record 0 of shard shard-0: PlainBuffer: cell "name" checksum mismatch/);
});

import {
  crc8Byte,
  crc8Range,
  decodeRow,
  decodeRows,
  encodeRow,
  encodeRows,
  PlainBufferError,
  readSequenceTimestamp,
} from '../../lib/tablestore/plainbuffer';
import { long, TableStore } from './helpers';

/** Lets the official SDK's PlainBuffer reader parse one of our buffers. */
function officialRead(buf: Buffer): any[] {
  const view = Buffer.from(buf) as Buffer & { limit: number; offset: number };
  view.limit = view.offset + view.length;
  return new TableStore.PlainBufferCodedInputStream(new TableStore.PlainBufferInputStream(view)).readRows();
}

describe('CRC-8', () => {
  test('table matches the polynomial 0x07 used by the SDKs', () => {
    expect(crc8Byte(0, 1)).toBe(0x07);
    expect(crc8Byte(0, 8)).toBe(0x38);
    expect(crc8Byte(0, 0xff)).toBe(0xf3);
    expect(crc8Range(0, Buffer.from('123456789'), 0, 9)).toBe(0xf4); // CRC-8/SMBUS check value
  });
});

describe('PlainBuffer round trip', () => {
  const row = {
    primaryKey: [
      { name: 'pk', type: 'STRING' as const, value: 'héllo' },
      { name: 'id', type: 'INTEGER' as const, value: -42n },
      { name: 'bin', type: 'BINARY' as const, value: Buffer.from([0, 1, 2]) },
    ],
    cells: [
      { name: 's', type: 'STRING' as const, value: 'x'.repeat(40), timestampMillis: 1_700_000_000_123 },
      { name: 'i', type: 'INTEGER' as const, value: 9_007_199_254_740_993n, timestampMillis: 1 },
      { name: 'd', type: 'DOUBLE' as const, value: -0.25, timestampMillis: 2 },
      { name: 'b', type: 'BOOLEAN' as const, value: true, timestampMillis: 3 },
      { name: 'x', type: 'BINARY' as const, value: Buffer.from('bytes'), timestampMillis: 4 },
      { name: 'gone', operation: 'DELETE_ONE_VERSION' as const, timestampMillis: 5 },
      { name: 'all', operation: 'DELETE_ALL_VERSIONS' as const },
    ],
    sequence: { epoch: 3, timestampMicros: 1_700_000_000_123_456, rowIndex: 7 },
  };

  test('decode(encode(row)) restores keys, values, versions, markers and sequence info', () => {
    const decoded = decodeRow(encodeRow(row));
    expect(decoded.primaryKey).toEqual(row.primaryKey);
    expect(decoded.cells).toEqual([
      { name: 's', operation: 'PUT', type: 'STRING', value: 'x'.repeat(40), timestampMillis: 1_700_000_000_123 },
      { name: 'i', operation: 'PUT', type: 'INTEGER', value: 9_007_199_254_740_993n, timestampMillis: 1 },
      { name: 'd', operation: 'PUT', type: 'DOUBLE', value: -0.25, timestampMillis: 2 },
      { name: 'b', operation: 'PUT', type: 'BOOLEAN', value: true, timestampMillis: 3 },
      { name: 'x', operation: 'PUT', type: 'BINARY', value: Buffer.from('bytes'), timestampMillis: 4 },
      { name: 'gone', operation: 'DELETE_ONE_VERSION', type: null, value: null, timestampMillis: 5 },
      { name: 'all', operation: 'DELETE_ALL_VERSIONS', type: null, value: null, timestampMillis: null },
    ]);
    expect(decoded.deleteMarker).toBe(false);
    expect(decoded.sequence).toEqual(row.sequence);
  });

  test('a delete row keeps its marker; several rows decode in order', () => {
    const buf = encodeRows([{ primaryKey: [{ name: 'pk', type: 'STRING', value: 'a' }], deleteMarker: true }, row]);
    const rows = decodeRows(buf);
    expect(rows).toHaveLength(2);
    expect(rows[0].deleteMarker).toBe(true);
    expect(rows[1].sequence?.rowIndex).toBe(7);
  });

  test('readSequenceTimestamp skips to the extension without decoding', () => {
    const buf = encodeRow(row);
    expect(readSequenceTimestamp(buf, 0, buf.length)).toBe(row.sequence.timestampMicros);
    const plain = encodeRow({ primaryKey: row.primaryKey });
    expect(readSequenceTimestamp(plain, 0, plain.length)).toBe(-1);
  });

  test('every flipped byte of a cell or row is caught', () => {
    const buf = encodeRow({ primaryKey: [{ name: 'pk', type: 'STRING', value: 'key' }], cells: [{ name: 'c', type: 'STRING', value: 'value', timestampMillis: 10 }] });
    let caught = 0;
    // Flip each byte of the cell name, the values and the timestamp (skip tags/lengths, which fail structurally too).
    for (let i = 4; i < buf.length; i++) {
      const bad = Buffer.from(buf);
      bad[i] ^= 0x01;
      try {
        decodeRow(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        caught++;
      }
    }
    expect(caught).toBe(buf.length - 4);
  });

  test('checksum verification can be turned off', () => {
    const buf = encodeRow({ primaryKey: [{ name: 'pk', type: 'STRING', value: 'key' }] });
    buf[buf.length - 1] ^= 0xff; // row checksum
    expect(() => decodeRow(buf)).toThrow(/row checksum mismatch/);
    expect(decodeRow(buf, { verifyChecksums: false }).primaryKey[0].value).toBe('key');
  });

  test('INTEGER keeps the full int64 range; values outside it are refused', () => {
    const values = [0n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)];
    const buf = encodeRow({ primaryKey: [{ name: 'pk', type: 'INTEGER', value: 1 }], cells: values.map((value, i) => ({ name: `c${i}`, type: 'INTEGER' as const, value, timestampMillis: 1 })) });
    expect(decodeRow(buf).primaryKey[0].value).toBe(1n);
    expect(decodeRow(buf).cells.map((c) => c.value)).toEqual(values);
    expect(() => encodeRow({ primaryKey: [{ name: 'pk', type: 'INTEGER', value: 2n ** 63n }] })).toThrow(RangeError);
    expect(() => encodeRow({ primaryKey: [{ name: 'pk', type: 'INTEGER', value: 1.5 }] })).toThrow(/neither a bigint nor a safe integer/);
  });

  test('truncation and bad headers are reported with their offset', () => {
    const buf = encodeRow(row);
    expect(() => decodeRow(buf.subarray(0, buf.length - 3))).toThrow(PlainBufferError);
    const badHeader = Buffer.from(buf);
    badHeader[0] = 0x76;
    expect(() => decodeRow(badHeader)).toThrow(/bad header 0x76/);
  });
});

describe('compatibility with the official SDK', () => {
  test('rows the SDK encodes for PutRow, UpdateRow and DeleteRow decode with valid checksums', () => {
    const put = Buffer.from(
      TableStore.PlainBufferBuilder.serializeForPutRow([{ pk: 'abc' }, { n: long(5) }], [{ c1: 'x' }, { c2: 1.5, timestamp: 1_700_000_000_000 }, { c3: true }, { c4: long(-7) }]),
    );
    expect(decodeRow(put)).toEqual({
      primaryKey: [
        { name: 'pk', type: 'STRING', value: 'abc' },
        { name: 'n', type: 'INTEGER', value: 5n },
      ],
      cells: [
        { name: 'c1', operation: 'PUT', type: 'STRING', value: 'x', timestampMillis: null },
        { name: 'c2', operation: 'PUT', type: 'DOUBLE', value: 1.5, timestampMillis: 1_700_000_000_000 },
        { name: 'c3', operation: 'PUT', type: 'BOOLEAN', value: true, timestampMillis: null },
        { name: 'c4', operation: 'PUT', type: 'INTEGER', value: -7n, timestampMillis: null },
      ],
      deleteMarker: false,
      sequence: null,
    });

    const update = Buffer.from(
      TableStore.PlainBufferBuilder.serializeForUpdateRow([{ pk: 'abc' }], [{ PUT: [{ c1: 'v', timestamp: 1_700_000_000_001 }] }, { DELETE: [{ c2: long(1_700_000_000_002) }] }, { DELETE_ALL: ['c3'] }]),
    );
    // The SDK pads this buffer with zeros: strict decoding refuses, the server-side option accepts.
    expect(() => decodeRow(update)).toThrow(/trailing bytes/);
    expect(decodeRow(update, { allowTrailingZeros: true }).cells).toEqual([
      { name: 'c1', operation: 'PUT', type: 'STRING', value: 'v', timestampMillis: 1_700_000_000_001 },
      { name: 'c2', operation: 'DELETE_ONE_VERSION', type: null, value: null, timestampMillis: 1_700_000_000_002 },
      { name: 'c3', operation: 'DELETE_ALL_VERSIONS', type: null, value: null, timestampMillis: null },
    ]);

    const del = decodeRow(Buffer.from(TableStore.PlainBufferBuilder.serializeForDeleteRow([{ pk: 'abc' }])));
    expect(del.deleteMarker).toBe(true);
    expect(del.cells).toEqual([]);
  });

  test('the SDK reads rows we encode, checksums included', () => {
    const buf = encodeRows([
      {
        primaryKey: [
          { name: 'pk', type: 'STRING', value: 'a' },
          { name: 'n', type: 'INTEGER', value: 5n },
        ],
        cells: [
          { name: 'c1', type: 'STRING', value: 'x', timestampMillis: 1_700_000_000_000 },
          { name: 'c2', value: 2.5, timestampMillis: 1 },
          { name: 'c3', value: false, timestampMillis: 2 },
          { name: 'c4', value: Buffer.from('hi'), timestampMillis: 3 },
        ],
      },
      { primaryKey: [{ name: 'pk', type: 'STRING', value: 'b' }, { name: 'n', type: 'INTEGER', value: 6n }] },
    ]);
    const rows = officialRead(buf);
    expect(rows).toHaveLength(2);
    expect(rows[0].primaryKey.map((c: any) => [c.name, String(c.value)])).toEqual([
      ['pk', 'a'],
      ['n', '5'],
    ]);
    expect(rows[0].attributes.map((c: any) => c.columnName)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(rows[0].attributes[1].columnValue).toBe(2.5);
    expect(rows[1].attributes).toEqual([]);
  });
});

import { parquetMetadata } from 'hyparquet';
import { gunzipSync } from 'node:zlib';
import {
  cellsLayout, createDeterministicGzip, createFileFormat, CsvEncoder, javaDoubleText, JsonLinesEncoder, ParquetEncoder, rowsLayout,
} from '../../lib/runtime/formats';
import type { StreamRecord } from '../../lib/runtime/reader/types';
import { encodeAll, PRIMARY_KEY, putColumn, readWithHyparquet, record, syntheticRecords } from './helpers';

const T = 1_700_000_000_000;

describe('row layout with operations (tombstones)', () => {
  const layout = rowsLayout({ columns: [{ name: 'user_id' }, { name: 'seq' }, { name: 'a' }, { name: 'b' }], operations: true });

  test('every record is a line: _op names the action, _deleted_columns the exported columns an UPDATE deleted', () => {
    const records = [
      record('PUT', 'u1', 1n, [putColumn('a', 'x', T), putColumn('zz', 'not exported', T)]),
      record('UPDATE', 'u1', 1n, [
        putColumn('b', 5n, T + 1),
        { name: 'a', operation: 'DELETE_ALL_VERSIONS', type: null, value: null, timestampMillis: null },
        { name: 'zz', operation: 'DELETE_ALL_VERSIONS', type: null, value: null, timestampMillis: null },
      ]),
      record('UPDATE', 'u1', 1n, [{ name: 'b', operation: 'DELETE_ONE_VERSION', type: null, value: null, timestampMillis: T + 1 }]),
      record('UPDATE', 'u2', 2n, [putColumn('zz', 'only an unexported column', T)]),
      record('DELETE', 'u1', 1n, []),
    ];
    const csv = encodeAll(new CsvEncoder(layout, { fieldDelimiter: ',', nullFormat: '' }), records).toString();
    expect(csv).toBe(['u1,1,x,,PUT,', 'u1,1,,5,UPDATE,a', 'u1,1,,,UPDATE,b', 'u2,2,,,UPDATE,', 'u1,1,,,DELETE,', ''].join('\n'));
    expect(layout.columns.map((c) => c.name)).toEqual(['user_id', 'seq', 'a', 'b', '_op', '_deleted_columns']);
  });

  test('a table column named like an operation column is refused', () => {
    expect(() => rowsLayout({ columns: [{ name: 'id' }, { name: '_op' }], operations: true })).toThrow(/'_op' clashes with the operation columns/);
  });
});

describe('cell layout (Data Integration column mode)', () => {
  const layout = cellsLayout({ primaryKey: PRIMARY_KEY });

  test('PUT is a DR row then one U row per column; UPDATE rows per column operation; DELETE is one DR row', () => {
    const records = [
      record('PUT', 'u1', 1n, [putColumn('a', 'x', T), putColumn('b', 5n, T + 1)]),
      record('UPDATE', 'u2', 2n, [
        putColumn('a', 1.5, T + 2),
        { name: 'b', operation: 'DELETE_ONE_VERSION', type: null, value: null, timestampMillis: T + 3 },
        { name: 'c', operation: 'DELETE_ALL_VERSIONS', type: null, value: null, timestampMillis: null },
      ]),
      record('DELETE', 'u3', 3n, []),
    ];
    const csv = encodeAll(new CsvEncoder(layout, { fieldDelimiter: ',', nullFormat: '' }), records).toString();
    expect(csv).toBe([
      `u1,1,,,,DR`,
      `u1,1,a,${T},x,U`,
      `u1,1,b,${T + 1},5,U`,
      `u2,2,a,${T + 2},1.5,U`,
      `u2,2,b,${T + 3},,DO`,
      `u2,2,c,,,DA`,
      `u3,3,,,,DR`,
      '',
    ].join('\n'));
    expect(layout.columns.map((c) => c.name)).toEqual(['user_id', 'seq', 'column_name', 'timestamp', 'column_value', 'op_type']);
  });

  test('sequence info follows DataX: epoch_timestamp_rowIndex_shard:columnIndex', () => {
    const seq = cellsLayout({ primaryKey: PRIMARY_KEY, sequenceInfo: true });
    const r = { ...record('PUT', 'u1', 1n, [putColumn('a', 'x', T)], 1_700_000_000_123_456, 7), epoch: 3, shardId: 'sh1' };
    const lines = encodeAll(new CsvEncoder(seq, { nullFormat: '' }), [r]).toString().trim().split('\n');
    expect(lines[0].endsWith(',DR,0000000003_00001700000000123456_0000000007_sh1:0000000000')).toBe(true);
    expect(lines[1].endsWith(',U,0000000003_00001700000000123456_0000000007_sh1:0000000001')).toBe(true);
  });

  test('a record whose key does not match the layout is refused with both key lists named', () => {
    const bad = { ...record('DELETE', 'u', 1n, []), primaryKey: [{ name: 'id', type: 'STRING' as const, value: 'x' }] };
    expect(() => encodeAll(new CsvEncoder(layout), [bad])).toThrow(/has 1 primary key columns \(id\); the layout expects 2 \(user_id, seq\)/);
  });
});

describe('row layout (Data Integration single_version_and_update_only)', () => {
  const layout = rowsLayout({ columns: [{ name: 'user_id' }, { name: 'seq' }, { name: 'a' }, { name: 'missing' }] });

  test('PUT/UPDATE give one row of new values; DELETE and cell deletions are skipped', () => {
    const records = [
      record('PUT', 'u1', 1n, [putColumn('a', 'x'), putColumn('zzz', 'ignored')]),
      record('UPDATE', 'u2', 2n, [{ name: 'a', operation: 'DELETE_ALL_VERSIONS', type: null, value: null, timestampMillis: null }]),
      record('DELETE', 'u3', 3n, []),
    ];
    expect(encodeAll(new CsvEncoder(layout, { nullFormat: 'NULL' }), records).toString()).toBe('u1,1,x,NULL\nu2,2,NULL,NULL\n');
  });

  test('old and latest values are refused: the stream only carries new values', () => {
    expect(() => rowsLayout({ columns: [{ name: 'a', dataType: 'old' }] })).toThrow(/dataType 'old'/);
  });

  test('time series points map _m_name, _data_source, _tags and _time', () => {
    const ts = rowsLayout({ columns: [{ name: '_m_name' }, { name: '_data_source' }, { name: '_tags' }, { name: '_time' }, { name: 'cpu' }] });
    const r: StreamRecord = {
      ...record('PUT', 'x', 0n, []),
      timeseries: { measurement: 'host', dataSource: 'ds1', tags: { zone: 'b', region: 'a' }, timeMicros: 1_700_000_000_000_001, fields: [putColumn('cpu', 0.5)] },
    };
    expect(encodeAll(new CsvEncoder(ts), [r]).toString()).toBe('host,ds1,"[""region=a"",""zone=b""]",1700000000000001,0.5\n');
  });
});

describe('CSV text rules', () => {
  const layout = rowsLayout({ columns: [{ name: 'user_id' }, { name: 'seq' }, { name: 'v' }] });
  const line = (value: StreamColumn['value'], options = {}, user = 'u'): string =>
    encodeAll(new CsvEncoder(layout, { nullFormat: '\\N', ...options }), [record('PUT', user, 1n, value === null ? [] : [putColumn('v', value)])]).toString();
  type StreamColumn = import('../../lib/runtime/reader/types').StreamColumn;

  test('quotes fields with the delimiter, quotes, line breaks and edge whitespace; doubles embedded quotes', () => {
    expect(line('a,b')).toBe('u,1,"a,b"\n');
    expect(line('say "hi"')).toBe('u,1,"say ""hi"""\n');
    expect(line('two\nlines')).toBe('u,1,"two\nlines"\n');
    expect(line('cr\ronly')).toBe('u,1,"cr\ronly"\n');
    expect(line(' padded ')).toBe('u,1," padded "\n');
    expect(line('tab\t')).toBe('u,1,"tab\t"\n');
    expect(line('plain text')).toBe('u,1,plain text\n');
  });

  test('first field: empty or starting with # is quoted (CsvWriter comment rule)', () => {
    expect(line('v', {}, '')).toBe('"",1,v\n');
    expect(line('v', {}, '#hash')).toBe('"#hash",1,v\n');
  });

  test('null format, custom delimiter, header', () => {
    expect(line(null)).toBe('u,1,\\N\n');
    expect(line(null, { nullFormat: '' })).toBe('u,1,\n');
    // A value that reads as the null text is quoted, so that a reader can tell them apart.
    expect(line('', { nullFormat: '' })).toBe('u,1,""\n');
    expect(line('\\N')).toBe('u,1,"\\N"\n');
    expect(line('NULL', { nullFormat: 'NULL' })).toBe('u,1,"NULL"\n');
    expect(line('', {})).toBe('u,1,\n');
    expect(line('a|b', { fieldDelimiter: '|' })).toBe('u|1|"a|b"\n');
    expect(line('a,b', { fieldDelimiter: '\t' })).toBe('u\t1\ta,b\n');
    expect(line('x', { header: true })).toBe('user_id,seq,v\nu,1,x\n');
  });

  test('value types print as DataX columns do', () => {
    expect(line(123456789012345678n)).toBe('u,1,123456789012345678\n');
    expect(line(true)).toBe('u,1,true\n');
    expect(line(2.5)).toBe('u,1,2.5\n');
    expect(line(Buffer.from([0, 1, 255]))).toBe('u,1,AAH/\n');
    expect(line(Buffer.from('text'), { binaryEncoding: 'utf8' })).toBe('u,1,text\n');
  });

  test('a delimiter that can occur in numbers forces numbers through quoting', () => {
    expect(line(2.5, { fieldDelimiter: '.' })).toBe('u.1."2.5"\n');
  });

  test('delimiter validation', () => {
    expect(() => new CsvEncoder(layout, { fieldDelimiter: '::' })).toThrow(/exactly one character/);
    expect(() => new CsvEncoder(layout, { fieldDelimiter: '"' })).toThrow(/collides/);
  });
});

test('javaDoubleText matches new BigDecimal(String.valueOf(d)).toPlainString()', () => {
  const cases: Array<[number, string]> = [
    [0, '0.0'], [-0, '0.0'], [1, '1.0'], [-2, '-2.0'], [100, '100.0'], [1.5, '1.5'], [0.001, '0.001'],
    [9999999, '9999999.0'], [1e7, '10000000'], [1.5e7, '15000000'], [1.2345e10, '12345000000'],
    [1e-4, '0.00010'], [1.5e-5, '0.000015'], [123.456, '123.456'], [1e21, '1000000000000000000000'],
    [-3.25e-7, '-0.000000325'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
  ];
  for (const [v, s] of cases) expect([v, javaDoubleText(v)]).toEqual([v, s]);
});

test('javaDoubleText in plain range: few-decimal values and full-precision ones print as String() does', () => {
  const values = [0.001, 0.0015, 0.1 + 0.2, 20.07, 20 + 7 / 100, 9999999.999999, 123456.123456, 0.009999, 1 / 3, 5e-3, 2.5];
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 20000; i++) {
    const decimals = i % 8;
    values.push(Math.round(random() * 1e7 * 10 ** decimals) / 10 ** decimals, random() * 10 ** ((i % 10) - 3));
  }
  // One expectation over all values: 80,000 expect() calls cost seconds, the comparisons themselves nothing.
  const mismatches: Array<[number, string, string]> = [];
  for (const v of values) {
    if (v < 1e-3 || v >= 1e7) continue;
    for (const x of [v, -v]) {
      const s = String(x);
      const want = s.includes('.') ? s : `${s}.0`;
      const got = javaDoubleText(x);
      if (got !== want) mismatches.push([x, got, want]);
    }
  }
  expect(mismatches).toEqual([]);
});

describe('JSON Lines', () => {
  test('typed values, int64 digits kept, binary base64, nulls', () => {
    const layout = cellsLayout({ primaryKey: PRIMARY_KEY });
    const records = [
      record('PUT', 'u"1', 9007199254740993n, [putColumn('n', 9007199254740993n, T), putColumn('b', Buffer.from('hi'), T), putColumn('d', NaN, T)]),
    ];
    const lines = encodeAll(new JsonLinesEncoder(layout), records).toString().trim().split('\n');
    expect(lines[0]).toBe('{"user_id":"u\\"1","seq":9007199254740993,"column_name":null,"timestamp":null,"column_value":null,"op_type":"DR"}');
    expect(lines[1]).toBe(`{"user_id":"u\\"1","seq":9007199254740993,"column_name":"n","timestamp":${T},"column_value":9007199254740993,"op_type":"U"}`);
    expect(JSON.parse(lines[2]).column_value).toBe('aGk=');
    expect(JSON.parse(lines[3]).column_value).toBe('NaN');
  });
});

describe('Parquet', () => {
  const layout = cellsLayout({ primaryKey: [...PRIMARY_KEY, { name: 'blob', type: 'Binary' }] });
  const withBlob = (r: StreamRecord): StreamRecord => ({ ...r, primaryKey: [...r.primaryKey, { name: 'blob', type: 'BINARY', value: Buffer.from([1, 2, 3]) }] });

  test.each(['gzip', 'none', 'snappy'] as const)('round trip through hyparquet (%s), several row groups', async (compression) => {
    // About 570 rows in four row groups: the point is several groups per codec, not their size.
    const records = syntheticRecords(200).map(withBlob);
    const format = createFileFormat(layout, { fileFormat: 'parquet', compression, parquet: { rowGroupRows: 150 } });
    const file = encodeAll(format.encoder, records);
    const read = await readWithHyparquet(file);

    const expected: Array<Record<string, unknown>> = [];
    const row = new Array(layout.columns.length);
    for (const r of records) {
      layout.rowsOf(r, row, () => expected.push(Object.fromEntries(layout.columns.map((c, i) => [c.name, row[i]]))));
    }
    expect(read.rows.length).toBe(expected.length);
    expect(read.rowGroups).toBe(Math.ceil(expected.length / 150));
    expect(read.rowGroups).toBeGreaterThan(2);
    const norm = (v: unknown): unknown => {
      if (typeof v === 'bigint') return { $bigint: v.toString() };
      if (Buffer.isBuffer(v)) return { $bytes: v.toString('base64') };
      if (typeof v === 'number' && Number.isInteger(v)) return { $bigint: String(v) };
      return v;
    };
    for (let i = 0; i < expected.length; i += 29) {
      const e = expected[i];
      const got = read.rows[i];
      expect(got.user_id).toBe(e.user_id);
      expect(got.seq).toEqual(norm(e.seq));
      expect(got.blob).toEqual(norm(e.blob));
      expect(got.column_name).toBe(e.column_name);
      expect(got.timestamp).toEqual(e.timestamp === null ? null : norm(e.timestamp));
      expect(got.op_type).toBe(e.op_type);
      const v = e.column_value;
      expect(got.column_value).toBe(v === null ? null : typeof v === 'number' ? javaDoubleText(v) : typeof v === 'bigint' ? v.toString() : String(v));
    }
    expect(read.schema.map((s) => s.name)).toEqual(['schema', 'user_id', 'seq', 'blob', 'column_name', 'timestamp', 'column_value', 'op_type']);
  });

  test('typed row-mode columns, booleans and doubles, empty file', async () => {
    const typed = rowsLayout({ columns: [{ name: 'user_id', type: 'string' }, { name: 'seq', type: 'int64' }, { name: 'active', type: 'boolean' }, { name: 'score', type: 'double' }] });
    const records = [
      record('PUT', 'a', 1n, [putColumn('active', true), putColumn('score', 1.25)]),
      record('PUT', 'b', 2n, [putColumn('active', false)]),
      record('PUT', 'c', -3n, [putColumn('score', -0.5)]),
    ];
    const read = await readWithHyparquet(encodeAll(new ParquetEncoder(typed), records));
    expect(read.rows).toEqual([
      { user_id: 'a', seq: { $bigint: '1' }, active: true, score: 1.25 },
      { user_id: 'b', seq: { $bigint: '2' }, active: false, score: null },
      { user_id: 'c', seq: { $bigint: '-3' }, active: null, score: -0.5 },
    ]);
    const empty = await readWithHyparquet(encodeAll(new ParquetEncoder(typed), []));
    expect(empty.rows).toEqual([]);
    expect(empty.rowGroups).toBe(0);
  });

  test('a value of the wrong type names the column', () => {
    const typed = rowsLayout({ columns: [{ name: 'user_id', type: 'int64' }] });
    expect(() => encodeAll(new ParquetEncoder(typed), [record('PUT', 'not-a-number', 1n, [])])).toThrow(/column 'user_id' \(INT64\) cannot store string/);
  });

  test('output is deterministic', () => {
    const records = syntheticRecords(300).map(withBlob);
    const a = encodeAll(new ParquetEncoder(layout, { rowGroupRows: 100 }), records);
    const b = encodeAll(new ParquetEncoder(layout, { rowGroupRows: 100 }), records);
    expect(a.equals(b)).toBe(true);
  });

  test('snappy output decompresses to the input', async () => {
    const input = Buffer.from('abcabcabcabcabcabc xyz '.repeat(5000) + 'tail');
    const read = await readWithHyparquet(encodeAll(new ParquetEncoder(rowsLayout({ columns: [{ name: 'user_id', type: 'string' }] }), { codec: 'SNAPPY' }), [record('PUT', input.toString(), 1n, [])]));
    expect(read.rows[0].user_id).toBe(input.toString());
  });

  test('columns carry min/max statistics, dictionary pages where they pay, and page indexes where a chunk has several pages', () => {
    const typed = rowsLayout({ columns: [{ name: 'user_id', type: 'string' }, { name: 'seq', type: 'int64' }, { name: 'city', type: 'string' }] });
    const cities = ['Hangzhou', 'Shanghai', 'Beijing'];
    const records = Array.from({ length: 3000 }, (_, i) => record('PUT', `u${String(i).padStart(5, '0')}`, BigInt(i), [putColumn('city', cities[i % 3])]));
    const file = encodeAll(new ParquetEncoder(typed, { rowGroupRows: 1000, pageSize: 2048 }), records);
    const meta = parquetMetadata(new Uint8Array(file).buffer);
    expect(meta.row_groups.length).toBe(3);
    const [userId, seq, city] = meta.row_groups[1].columns.map((c) => c.meta_data!);
    expect(seq.statistics).toMatchObject({ min_value: 1000n, max_value: 1999n, null_count: 0n });
    expect(userId.statistics).toMatchObject({ min_value: 'u01000', max_value: 'u01999' });
    expect(city.encodings).toContain('RLE_DICTIONARY');
    expect(city.dictionary_page_offset).toBeDefined();
    for (const c of meta.row_groups[1].columns) {
      expect(c.column_index_offset).toBeDefined();
      expect(c.offset_index_offset).toBeDefined();
    }
  });
});

describe('gzip stream', () => {
  async function gzipChunks(chunks: readonly Buffer[], level: number): Promise<Buffer> {
    const gz = createDeterministicGzip(level);
    const out: Buffer[] = [];
    gz.on('data', (c: Buffer) => out.push(c));
    const done = new Promise((resolve) => gz.on('end', resolve));
    for (const c of chunks) gz.write(c);
    gz.end();
    await done;
    return Buffer.concat(out);
  }

  test('output depends on the bytes, not on how they were split; header has no mtime or name', async () => {
    const text = encodeAll(new CsvEncoder(cellsLayout({ primaryKey: PRIMARY_KEY })), syntheticRecords(3000));
    const whole = await gzipChunks([text], 6);
    const pieces: Buffer[] = [];
    for (let i = 0; i < text.length; i += 7919) pieces.push(text.subarray(i, i + 7919));
    const split = await gzipChunks(pieces, 6);
    expect(split.equals(whole)).toBe(true);
    expect(whole.readUInt32LE(4)).toBe(0); // MTIME
    expect(whole[3] & 0x08).toBe(0); // FNAME flag
    expect(gunzipSync(whole).equals(text)).toBe(true);
  });

  test('format selection', () => {
    const layout = cellsLayout({ primaryKey: PRIMARY_KEY });
    expect(createFileFormat(layout, { fileFormat: 'csv' }).extension).toBe('csv.gz');
    expect(createFileFormat(layout, { fileFormat: 'jsonl', compression: 'none' }).extension).toBe('jsonl');
    expect(createFileFormat(layout, { fileFormat: 'parquet', compression: 'snappy' }).compression).toBe('snappy');
    expect(() => createFileFormat(layout, { fileFormat: 'csv', compression: 'snappy' })).toThrow(/parquet only/);
    expect(() => createFileFormat(layout, { fileFormat: 'csv', gzipLevel: 0 })).toThrow(/gzipLevel/);
  });
});

test('encode stops after the record that reaches the size budget', () => {
  const encoder = new CsvEncoder(cellsLayout({ primaryKey: PRIMARY_KEY }));
  const records = syntheticRecords(100);
  encoder.begin();
  const first = encoder.encode(records, 0, records.length, 1000);
  expect(first.records).toBeGreaterThan(0);
  expect(first.records).toBeLessThan(records.length);
  expect(first.size).toBeGreaterThanOrEqual(1000);
  expect(first.size).toBe(first.bytes!.length);
  const firstMinusOne = new CsvEncoder(cellsLayout({ primaryKey: PRIMARY_KEY })).encode(records, 0, first.records - 1, Infinity);
  expect(firstMinusOne.size).toBeLessThan(1000);
});

test('where encode stops depends on exact UTF-8 sizes per record, whatever the budget', () => {
  const layout = rowsLayout({ columns: [{ name: 'user_id' }, { name: 'seq' }, { name: 'note' }] });
  const records = syntheticRecords(400).map((r, i) => ({ ...r, action: 'PUT' as const, columns: [putColumn('note', i % 3 === 0 ? `温度${'é'.repeat(i % 50)}` : `n${i}`)] }));
  const one = new CsvEncoder(layout);
  const sizes = records.map((_, i) => one.encode(records, i, i + 1, Infinity).size);
  for (const budget of [1, 37, 1000, 4096, 10_000, 1e9]) {
    let total = 0;
    let expected = 0;
    while (expected < records.length && total < budget) total += sizes[expected++];
    const got = new CsvEncoder(layout).encode(records, 0, records.length, budget);
    expect([budget, got.records, got.size]).toEqual([budget, expected, total]);
    expect(got.bytes!.length).toBe(total);
  }
});

/** Readers of the exported text: CSV records, flat JSON lines with int64 literals, pieces cut at record boundaries. */
import { gzipSync } from 'node:zlib';
import { csvRecords, parseFlatJsonLine, textPieces } from '../../lib/runtime/restore/line-parsers';
import { mergeOps, RowOp } from '../../lib/runtime/restore/rows';
import { RestoreProgressBar } from '../../lib/runtime/restore';

test('CSV: quotes, doubled quotes, delimiters and line breaks inside quoted fields; quoted vs unquoted empty', () => {
  const records = [...csvRecords('a,"b,""c""\nd",\n"",x\n', ',')];
  expect(records).toEqual([
    [{ text: 'a', quoted: false }, { text: 'b,"c"\nd', quoted: true }, { text: '', quoted: false }],
    [{ text: '', quoted: true }, { text: 'x', quoted: false }],
  ]);
});

test('JSON Lines: int64 literals keep every digit; strings, booleans and nulls', () => {
  const m = parseFlatJsonLine('{"id":"a\\"b","n":9007199254740993,"d":1.5e3,"t":true,"z":null}', 'x');
  expect([...m]).toEqual([['id', 'a"b'], ['n', { number: '9007199254740993' }], ['d', { number: '1.5e3' }], ['t', true], ['z', null]]);
  expect(() => parseFlatJsonLine('{"a":[1]}', 'file line 3')).toThrow(/file line 3: expected a scalar value/);
});

test('pieces of a large gzipped CSV end at record boundaries, never inside a quoted line break', async () => {
  const line = (i: number): string => `k${i},"multi\nline ${'x'.repeat(i % 50)}"\n`;
  let text = '';
  for (let i = 0; text.length < 3 * 1024 * 1024; i++) text += line(i);
  const pieces: string[] = [];
  for await (const p of textPieces(gzipSync(text), true, true)) pieces.push(p);
  expect(pieces.length).toBeGreaterThan(1);
  expect(pieces.join('')).toBe(text);
  for (const p of pieces) expect([...csvRecords(p, ',')].every((r) => r.length === 2)).toBe(true);
});

test('consecutive operations on one row merge into the write that has the same effect', () => {
  const key = [{ name: 'id', type: 'STRING' as const, value: 'a' }];
  const col = (name: string, value: string) => ({ name, type: 'STRING' as const, value });
  const del: RowOp = { kind: 'DELETE', key, columns: [], deleteColumns: [] };
  const upd = (cols: ReturnType<typeof col>[], deleted: string[] = []): RowOp => ({ kind: 'UPDATE', key, columns: cols, deleteColumns: deleted });
  // cells layout PUT: DR then U lines
  expect(mergeOps(mergeOps(del, upd([col('a', '1')])), upd([col('b', '2')]))).toEqual({ kind: 'PUT', key, columns: [col('a', '1'), col('b', '2')], deleteColumns: [] });
  expect(mergeOps(upd([col('a', '1')]), upd([], ['a']))).toEqual({ kind: 'UPDATE', key, columns: [], deleteColumns: ['a'] });
  expect(mergeOps(upd([col('a', '1')]), del)).toEqual(del);
});

test('the restore progress bar shows rows, the total, rows/s and an ETA, redrawn in place', () => {
  let out = '';
  let t = 0;
  const bar = new RestoreProgressBar({ write: (s: string) => (out += s), columns: 200 }, () => t);
  t = 2000;
  bar.update({ phase: 'snapshot', item: 'part-00000.jsonl.gz', rowsApplied: 50_000, rowsExpected: 200_000, rowsPerSecond: 25_000, etaMs: 6000 });
  expect(out).toBe('\r\x1b[2K[█████░░░░░░░░░░░░░░░] 50,000/200,000 rows  snapshot part-00000.jsonl.gz  25,000 rows/s  ETA 6s');
});

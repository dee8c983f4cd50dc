import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetRowGroups } from '../../lib/runtime/restore/windows';

const text = (v: unknown): unknown => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v);

async function groupsOf(file: Buffer): Promise<Array<{ rowStart: number; rows: number; ids: unknown[]; qty: unknown[]; ratio: unknown[] }>> {
  const groups = [];
  for await (const g of parquetRowGroups(file)) {
    const column = (name: string): unknown[] => Array.from({ length: g.rows }, (_, i) => text(g.columns.get(name)?.[i]));
    groups.push({ rowStart: g.rowStart, rows: g.rows, ids: column('id'), qty: column('qty'), ratio: column('ratio') });
  }
  return groups;
}

test('a Parquet window is read one row group at a time, each group with the index of its first row', async () => {
  const file = Buffer.from(parquetWriteBuffer({
    columnData: [
      { name: 'id', data: ['r0', 'r1', 'r2', 'r3', 'r4'], type: 'STRING' },
      { name: 'qty', data: [0, 1, 2, 3, 4], type: 'INT32' },
    ],
    rowGroupSize: 2,
  }));
  expect(await groupsOf(file)).toEqual([
    { rowStart: 0, rows: 2, ids: ['r0', 'r1'], qty: [0, 1], ratio: [undefined, undefined] },
    { rowStart: 2, rows: 2, ids: ['r2', 'r3'], qty: [2, 3], ratio: [undefined, undefined] },
    { rowStart: 4, rows: 1, ids: ['r4'], qty: [4], ratio: [undefined] },
  ]);
});

test('column chunks of several pages, with nulls, keep every value at its row', async () => {
  const n = 3000;
  const ids = Array.from({ length: n }, (_, i) => `row-${i}`);
  const qty = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? null : i));
  const ratio = Array.from({ length: n }, (_, i) => i / 3);
  // Pages of ~1 KB. hyparquet joins a nullable column's pages into one array, but hands a required DOUBLE column
  // over a page (a typed array) at a time.
  const file = Buffer.from(parquetWriteBuffer({
    columnData: [
      { name: 'id', data: ids, type: 'STRING' },
      { name: 'qty', data: qty, type: 'INT32', nullable: true },
      { name: 'ratio', data: Float64Array.from(ratio), type: 'DOUBLE', nullable: false },
    ],
    rowGroupSize: 2000,
    pageSize: 1024,
  }));
  const groups = await groupsOf(file);
  expect(groups.map((g) => [g.rowStart, g.rows])).toEqual([[0, 2000], [2000, 1000]]);
  expect(groups.flatMap((g) => g.ids)).toEqual(ids);
  expect(groups.flatMap((g) => g.qty)).toEqual(qty);
  expect(groups.flatMap((g) => g.ratio)).toEqual(ratio);
});

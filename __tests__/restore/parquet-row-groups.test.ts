import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetRowGroups } from '../../lib/runtime/restore/windows';

test('a Parquet window is read one row group at a time, each group with the index of its first row', async () => {
  const file = Buffer.from(parquetWriteBuffer({
    columnData: [
      { name: 'id', data: ['r0', 'r1', 'r2', 'r3', 'r4'], type: 'STRING' },
      { name: 'qty', data: [0, 1, 2, 3, 4], type: 'INT32' },
    ],
    rowGroupSize: 2,
  }));
  const groups: Array<{ rowStart: number; ids: unknown[] }> = [];
  for await (const g of parquetRowGroups(file)) groups.push({ rowStart: g.rowStart, ids: g.rows.map((r) => Buffer.from(r.id as Uint8Array).toString('utf8')) });
  expect(groups).toEqual([
    { rowStart: 0, ids: ['r0', 'r1'] },
    { rowStart: 2, ids: ['r2', 'r3'] },
    { rowStart: 4, ids: ['r4'] },
  ]);
});

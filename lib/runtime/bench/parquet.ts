/**
 * Parquet encoder figures (not a test): encodes N synthetic PUT records (rows layout: string key, integer
 * sequence, text, integer, double, boolean) with the production settings and prints time, rows/s and size,
 * the median of several runs (wall and CPU time: CPU time is steadier on a shared machine). Usage: `npm run bench:parquet -- [--rows 200000] [--runs 3] [--codec GZIP|SNAPPY]`.
 */
import { gzipSync } from 'node:zlib';
import { createFileFormat, rowsLayout } from '../formats';
import type { StreamRecord } from '../reader/types';

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function records(count: number): StreamRecord[] {
  let s = 7;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const cities = ['Hangzhou', 'Shanghai', 'Beijing', 'Shenzhen', 'Chengdu', 'Wuhan', 'Xi\'an', 'Nanjing'];
  return Array.from({ length: count }, (_, i) => {
    const ms = 1_700_000_000_000 + i;
    const col = (name: string, type: StreamRecord['columns'][number]['type'], value: StreamRecord['columns'][number]['value']) =>
      ({ name, operation: 'PUT' as const, type, value, timestampMillis: ms });
    return {
      action: 'PUT',
      shardId: 'shard-0',
      writeTimeMicros: ms * 1000,
      epoch: 1,
      rowIndex: 0,
      primaryKey: [
        { name: 'device_id', type: 'STRING', value: `device-${Math.floor(rnd() * 5000).toString().padStart(5, '0')}` },
        { name: 'seq', type: 'INTEGER', value: BigInt(i) },
      ],
      columns: [
        col('city', 'STRING', cities[Math.floor(rnd() * cities.length)]),
        col('reading', 'INTEGER', BigInt(Math.floor(rnd() * 1000))),
        col('temperature', 'DOUBLE', Math.round(rnd() * 4000) / 100),
        col('online', 'BOOLEAN', rnd() < 0.9),
      ],
      timeseries: null,
    } as StreamRecord;
  });
}

function main(): void {
  const rows = Number(argument('rows', '200000'));
  const runs = Number(argument('runs', '3'));
  const compression = argument('codec', 'GZIP') === 'SNAPPY' ? 'snappy' : 'gzip';
  const layout = rowsLayout({
    columns: [
      { name: 'device_id', type: 'string' }, { name: 'seq', type: 'int64' }, { name: 'city', type: 'string' },
      { name: 'reading', type: 'int64' }, { name: 'temperature', type: 'double' }, { name: 'online', type: 'boolean' },
    ],
  });
  const input = records(rows);
  const times: number[] = [];
  const cpu: number[] = [];
  let size = 0;
  for (let run = 0; run < runs; run++) {
    const format = createFileFormat(layout, { fileFormat: 'parquet', compression });
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const chunks: Buffer[] = [];
    const head = format.encoder.begin();
    if (head) chunks.push(head);
    const body = format.encoder.encode(input, 0, input.length, Infinity).bytes;
    if (body) chunks.push(body);
    const tail = format.encoder.finish();
    if (tail) chunks.push(tail);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    size = chunks.reduce((n, c) => n + c.length, 0);
  }
  const medianOf = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const median = medianOf(times);
  const csvLike = input.map((r) => `${String(r.primaryKey[0].value)},${String(r.primaryKey[1].value)},${r.columns.map((c) => String(c.value)).join(',')}\n`).join('');
  const gzipped = gzipSync(csvLike).length;
  console.log(JSON.stringify({
    rows, runs, compression, medianMs: Math.round(median), medianCpuMs: Math.round(medianOf(cpu)), rowsPerSecond: Math.round(rows / (median / 1000)),
    bytes: size, bytesPerRow: +(size / rows).toFixed(2), csvGzipBytes: gzipped,
  }));
}

main();

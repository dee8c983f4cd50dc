/**
 * CSV / JSON Lines figures in process (not a test): N stream records shaped like `npm run bench`'s seeded rows
 * (string and integer key, two doubles, a short string; PUT records with sequence info) framed as GetStreamRecord
 * responses of 1000 records, decoded from the wire once (untimed), then filtered into records and formatted
 * (timed: what the runtime's "decoding + formatting" figure covers). Prints the CPU time of each run and the
 * median. Usage: `npm run bench:text -- [--rows 200000] [--runs 5] [--format csv|jsonl] [--layout rows|cells]`.
 * Run from its TypeScript source, it bundles itself into .bench/text.js first and runs that: the deployed runtime
 * is one bundle, and code transpiled file by file runs several times slower (calls and constants across modules).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { cellsLayout, createFileFormat, rowsLayout } from '../formats';
import { decodeBatch } from '../reader';
import { encodeRow } from '../../tablestore/plainbuffer/encode';
import { decodeGetStreamRecordResponse, StreamRecordBatch, StreamRecordResponseWriter } from '../../tablestore/protocol/stream-wire';

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const PAGE = 1000;
const START_MICROS = 1_682_243_400_000_000;

function pages(rows: number): StreamRecordBatch[] {
  const out: StreamRecordBatch[] = [];
  for (let p = 0; p < rows; p += PAGE) {
    const w = new StreamRecordResponseWriter(PAGE * 160);
    for (let i = p; i < Math.min(rows, p + PAGE); i++) {
      const ms = Math.floor(START_MICROS / 1000) + i;
      const bytes = encodeRow({
        primaryKey: [{ name: 'device_id', type: 'STRING', value: `device-${String(i % 10_000).padStart(5, '0')}` }, { name: 'ts', type: 'INTEGER', value: BigInt(i) }],
        cells: [
          { name: 'temperature', operation: 'PUT', type: 'DOUBLE', value: 20 + (i % 1000) / 100, timestampMillis: ms },
          { name: 'humidity', operation: 'PUT', type: 'DOUBLE', value: 40 + (i % 500) / 10, timestampMillis: ms },
          { name: 'status', operation: 'PUT', type: 'STRING', value: i % 17 === 0 ? 'warn' : 'ok', timestampMillis: ms },
        ],
        deleteMarker: false,
        sequence: { epoch: 0, timestampMicros: START_MICROS + i * 10, rowIndex: 0 },
      });
      w.add(1, bytes, 0, bytes.length);
    }
    out.push(decodeGetStreamRecordResponse(w.finish(null)));
  }
  return out;
}

function main(): void {
  const rows = Number(argument('rows', '200000'));
  const runs = Number(argument('runs', '5'));
  const fileFormat = argument('format', 'csv') === 'jsonl' ? 'jsonl' : 'csv';
  const layoutName = argument('layout', 'rows');
  const layout = layoutName === 'cells'
    ? cellsLayout({ primaryKey: [{ name: 'device_id', type: 'String' }, { name: 'ts', type: 'Integer' }] })
    : rowsLayout({
      columns: [{ name: 'device_id', type: 'string' }, { name: 'ts', type: 'int64' }, { name: 'temperature', type: 'double' }, { name: 'humidity', type: 'double' }, { name: 'status', type: 'string' }],
      operations: true,
    });
  const input = pages(rows);
  const cpu: number[] = [];
  let digest = '';
  let bytes = 0;
  for (let run = 0; run < runs; run++) {
    const encoder = createFileFormat(layout, { fileFormat, compression: 'none' }).encoder;
    const hash = createHash('sha256');
    bytes = 0;
    let ms = 0;
    for (const batch of input) {
      // Hashing the output is left out of the time.
      const c0 = process.cpuUsage();
      const { records } = decodeBatch(batch, { shardId: 'shard-0', startMicros: 0, endMicros: Number.MAX_SAFE_INTEGER, isTimeseriesTable: false, verifyChecksums: true });
      const chunks: Buffer[] = [];
      for (let i = 0; i < records.length;) {
        const r = encoder.encode(records, i, records.length, 8 * 1024 * 1024);
        if (r.bytes) chunks.push(r.bytes);
        i += r.records;
      }
      const c = process.cpuUsage(c0);
      ms += (c.user + c.system) / 1000;
      for (const chunk of chunks) {
        hash.update(chunk);
        bytes += chunk.length;
      }
    }
    cpu.push(Math.round(ms));
    digest = hash.digest('hex').slice(0, 16);
  }
  const median = [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)];
  console.log(JSON.stringify({ rows, fileFormat, layout: layoutName, runs: cpu, medianCpuMs: median, minCpuMs: Math.min(...cpu), usPerRecord: +(median * 1000 / rows).toFixed(2), bytes, sha256: digest }));
}

if (__filename.endsWith('.ts')) {
  const root = resolve(__dirname, '..', '..', '..');
  const outfile = join(root, '.bench', 'text.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('esbuild') as typeof import('esbuild')).buildSync({
    absWorkingDir: root, entryPoints: [__filename], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['esbuild'], logLevel: 'warning',
  });
  execFileSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
} else {
  main();
}

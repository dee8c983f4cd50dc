/**
 * Benchmark child #1: both sandboxes, the table, and N rows seeded into it with BatchWriteRow (200 rows per
 * request, encoded with this project's PlainBuffer encoder and sent over loopback HTTP like any client; the
 * official SDK would take minutes per million rows), then one GetRange so that the sandbox's row store is built
 * before the snapshot is measured. Kept out of the runtime's process so that the runtime's RSS
 * is measured alone. Afterwards it measures how long zlib alone takes to gzip the uncompressed output bytes.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { encodeMessage } from '../../tablestore/protocol/messages';
import { encodeRow } from '../../tablestore/plainbuffer/encode';
import { TablestoreStreamClient } from '../../tablestore/stream-client';
import { TablestoreTransport } from '../../tablestore/transport';
import { DEFAULT_RECORD_LIMIT } from '../reader';
import { formatWindowTime, parseWindowTime } from '../../schedule';
import { createStreamTable, startLocalSandboxes } from '../demo/local-sandboxes';
import type { FromSandbox, ToSandbox } from './protocol';

const TZ = 'Asia/Shanghai';
const START = '20230423175000';
const END = '20230423185000';
const TABLE = 'device_readings';
const BATCH = 200;
const IN_FLIGHT = 4;
/** GetStreamRecord requests the sandbox serves during setup before the runs are measured (see readStreamPages). */
const WARM_UP_REQUESTS = 2000;

function send(message: FromSandbox): void {
  process.send!(message);
}

/**
 * Reads the table's stream as the runtime will (from the window's start, pages of its record limit), over and over
 * until the sandbox has served at least `minRequests` pages: the sandbox encodes and hashes each page once and keeps
 * it (as the service has its data stored before anyone reads it), and its own code is compiled before the runs.
 * Returns the pages read.
 */
async function readStreamPages(client: TablestoreStreamClient, table: string, startMicros: number, limit: number, minRequests: number): Promise<number> {
  const [stream] = await client.listStream(table);
  const { shards } = await client.describeStream(stream.streamId);
  let pages = 0;
  do {
    await Promise.all(shards.map(async (shard) => {
      for (let it: string | null = await client.getShardIterator(stream.streamId, shard.shardId, startMicros); it !== null;) {
        const batch = await client.getStreamRecordBatch(it, limit);
        pages++;
        it = batch.count > 0 ? batch.nextShardIterator : null;
      }
    }));
  } while (pages < minRequests);
  return pages;
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2]);
  const recordLimit = process.argv[3] ? Number(process.argv[3]) : undefined;
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`row count ${process.argv[2]} must be a positive integer`);
  const start = parseWindowTime(START, TZ);
  const end = parseWindowTime(END, TZ);
  const sb = await startLocalSandboxes({
    startMicros: start * 1000 - 60_000_000,
    tablestore: { maxClockSkewMs: null, maxStreamRecordLimit: 10_000 },
  });
  await createStreamTable(sb.ots, TABLE, [{ name: 'device_id', type: 'STRING' }, { name: 'ts', type: 'INTEGER' }]);

  const transport = new TablestoreTransport({ endpoint: sb.tablestore.endpoint, instanceName: sb.tablestore.instanceName, credentials: sb.credentials });
  const batches = Math.ceil(rows / BATCH);
  const spanMicros = (end - start) * 1000 - 2_000_000;
  const condition = { row_existence: 'IGNORE' };
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let b = next++; b < batches; b = next++) {
      const body = [];
      for (let i = b * BATCH; i < Math.min(rows, (b + 1) * BATCH); i++) {
        const row = encodeRow({
          primaryKey: [{ name: 'device_id', type: 'STRING', value: `device-${String(i % 10_000).padStart(5, '0')}` }, { name: 'ts', type: 'INTEGER', value: i }],
          cells: [
            { name: 'temperature', type: 'DOUBLE', value: 20 + (i % 1000) / 100 },
            { name: 'humidity', type: 'DOUBLE', value: 40 + (i % 500) / 10 },
            { name: 'status', type: 'STRING', value: i % 17 === 0 ? 'warn' : 'ok' },
          ],
        });
        body.push({ type: 'PUT', row_change: row, condition });
      }
      // Writes spread over the window, in order.
      sb.tablestore.clock.set(Math.max(sb.tablestore.clock.nowMicros(), start * 1000 + 1_000_000 + Math.floor((b / batches) * spanMicros)));
      await transport.call('BatchWriteRow', encodeMessage('BatchWriteRowRequest', { tables: [{ table_name: TABLE, rows: body }] }));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  // The service has its rows stored for reads before anyone reads them; the sandbox builds that store (and its key
  // order) on a table's first read. One GetRange does it here, during setup, so that the snapshot measures serving
  // rows rather than the sandbox indexing them.
  const keyBound = (type: 'INF_MIN' | 'INF_MAX'): Buffer => encodeRow({ primaryKey: [{ name: 'device_id', type, value: null }, { name: 'ts', type, value: null }] });
  await transport.call('GetRange', encodeMessage('GetRangeRequest', {
    table_name: TABLE, direction: 'FORWARD', max_versions: 1, limit: 1, inclusive_start_primary_key: keyBound('INF_MIN'), exclusive_end_primary_key: keyBound('INF_MAX'),
  }));
  const seedMs = performance.now() - t0;
  transport.close();
  const t1 = performance.now();
  const reader = new TablestoreStreamClient({ endpoint: sb.tablestore.endpoint, instanceName: sb.tablestore.instanceName, credentials: sb.credentials });
  const warmPages = await readStreamPages(reader, TABLE, start * 1000, recordLimit ?? DEFAULT_RECORD_LIMIT, WARM_UP_REQUESTS);
  reader.close();
  const warmMs = performance.now() - t1;

  send({
    type: 'ready',
    config: {
      tablestore: { endpoint: sb.tablestore.endpoint, instanceName: sb.tablestore.instanceName, tableName: TABLE, ...(recordLimit !== undefined ? { recordLimit } : {}) },
      oss: { endpoint: sb.oss.endpoint, region: sb.oss.clientOptions().region, bucket: sb.oss.bucket, prefix: 'bench' },
      format: { fileFormat: 'csv', compression: 'gzip' },
      layout: {
        mode: 'rows',
        columns: [
          { name: 'device_id', type: 'string' }, { name: 'ts', type: 'int64' }, { name: 'temperature', type: 'double' }, { name: 'humidity', type: 'double' }, { name: 'status', type: 'string' },
        ],
      },
      timezone: TZ,
    },
    credentials: sb.credentials,
    startTime: formatWindowTime(start, TZ),
    endTime: formatWindowTime(end, TZ),
    nowMs: end + 3_600_000,
    seed: { rows, requests: batches, ms: Math.round(seedMs), method: `BatchWriteRow, ${BATCH} rows per request, ${IN_FLIGHT} in flight, then one GetRange to build the sandbox's row store` },
    warmUp: { pages: warmPages, ms: Math.round(warmMs) },
  });

  process.on('message', (m: ToSandbox) => {
    if (m.type === 'exit') {
      void sb.close().then(() => process.exit(0));
      return;
    }
    if (m.type === 'cpu') {
      const cpu = process.cpuUsage();
      send({ type: 'cpu', cpuMs: (cpu.user + cpu.system) / 1000, requests: { ...sb.tablestore.stats.requests } });
      return;
    }
    // The data files, gunzipped (untimed), then gzipped again by zlib alone (timed, best of `repeat`).
    const plain = [...sb.oss.objects()].filter(([k]) => k.endsWith(m.suffix)).map(([, v]) => gunzipSync(v));
    let best = Infinity;
    let bestCpu = Infinity;
    let gzipBytes = 0;
    for (let r = 0; r < m.repeat; r++) {
      const c = process.cpuUsage();
      const t = performance.now();
      gzipBytes = 0;
      for (const p of plain) gzipBytes += gzipSync(p, { level: m.level }).length;
      const cpu = process.cpuUsage(c);
      best = Math.min(best, performance.now() - t);
      bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
    }
    send({ type: 'zlib', uncompressedBytes: plain.reduce((n, p) => n + p.length, 0), gzipBytes, zlibMs: Math.round(best), zlibCpuMs: Math.round(bestCpu), level: m.level, files: plain.length });
  });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
  process.exit(1);
});

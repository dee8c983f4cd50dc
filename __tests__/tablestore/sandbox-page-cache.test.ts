/**
 * The Tablestore sandbox keeps GetStreamRecord pages (bytes and MD5) to answer rereads: a kept page must never
 * outlive what it shows. Requests go over raw HTTP, so that each answer's bytes and x-ots-contentmd5 are checked
 * as sent (the client would retry a mismatch).
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import { encodeMessage } from '../../lib/tablestore/protocol/messages';
import { decodeGetStreamRecordResponse, StreamRecordBatch } from '../../lib/tablestore/protocol/stream-wire';
import { signRequest } from '../../lib/tablestore/signing';
import { createStreamTable, Harness, IGNORE, startHarness, T0 } from './helpers';

interface RawAnswer {
  readonly status: number;
  readonly body: Buffer;
  readonly md5: string | undefined;
}

function post(h: Harness, operation: string, body: Buffer): Promise<RawAnswer> {
  const headers = signRequest({ path: `/${operation}`, body, instanceName: h.sb.instanceName, credentials: { accessKeyId: h.sb.accessKeyId, accessKeySecret: h.sb.accessKeySecret } });
  const url = new URL(h.sb.endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: 'POST', path: `/${operation}`, headers: { ...headers, 'content-length': body.length }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), md5: res.headers['x-ots-contentmd5'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One GetStreamRecord over raw HTTP; checks that x-ots-contentmd5 is the MD5 of the bytes received. */
async function page(h: Harness, iterator: string, limit?: number): Promise<{ raw: RawAnswer; batch: StreamRecordBatch }> {
  const raw = await post(h, 'GetStreamRecord', encodeMessage('GetStreamRecordRequest', limit === undefined ? { shard_iterator: iterator } : { shard_iterator: iterator, limit }));
  expect(raw.md5).toBe(createHash('md5').update(raw.body).digest('base64'));
  return { raw, batch: raw.status === 200 ? decodeGetStreamRecordResponse(raw.body) : (undefined as unknown as StreamRecordBatch) };
}

/** Keys of a page's records, in order. */
function keys(batch: StreamRecordBatch): string[] {
  const out: string[] = [];
  for (let i = 0; i < batch.count; i++) {
    // The first primary key column is a short ASCII string "kNNNN": find it in the PlainBuffer.
    const text = batch.body.toString('latin1', batch.starts[i], batch.ends[i]);
    out.push(/k\d{4}/.exec(text)?.[0] ?? '?');
  }
  return out;
}

/** Writes rows k<from>..k<to-1> (about 300 bytes each, so that a page of them is kept), 100 per request at T0 + the first's number. */
async function writeRows(h: Harness, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 100) {
    h.sb.clock.set(T0 + i);
    const rows = [];
    for (let j = i; j < Math.min(to, i + 100); j++) rows.push({ type: 'PUT', condition: IGNORE(), primaryKey: [{ pk: `k${String(j).padStart(4, '0')}` }], attributeColumns: [{ v: 'x'.repeat(300) }] });
    await h.ots.batchWriteRow({ tables: [{ tableName: 't', rows }] });
  }
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `k${String(from + i).padStart(4, '0')}`);

describe('GetStreamRecord pages kept by the sandbox', () => {
  let h: Harness;
  let streamId: string;
  let shardId: string;
  beforeEach(async () => {
    h = await startHarness({ shardCount: 1, silentTrim: true });
    await createStreamTable(h.ots, 't');
    [{ streamId }] = await h.client.listStream('t');
    shardId = h.sb.shards('t')[0].shardId;
  });
  afterEach(() => h.close());

  test('a reread gets the same bytes with their MD5; a page that stopped at its limit stays the same after more writes', async () => {
    await writeRows(h, 0, 200);
    const it = await h.client.getShardIterator(streamId, shardId);
    const first = await page(h, it, 100);
    expect(keys(first.batch)).toEqual(range(0, 100));
    const again = await page(h, it, 100);
    expect(again.raw.body.equals(first.raw.body)).toBe(true);
    await writeRows(h, 200, 300);
    const later = await page(h, it, 100);
    expect(later.raw.body.equals(first.raw.body)).toBe(true);
    // Another limit from the same position is another page.
    expect(keys((await page(h, it, 150)).batch)).toEqual(range(0, 150));
    expect(keys((await page(h, it, 100)).batch)).toEqual(range(0, 100));
  });

  test('a write after a page that reached the shard\'s end shows in the identical request', async () => {
    await writeRows(h, 0, 100);
    const it = await h.client.getShardIterator(streamId, shardId);
    const first = await page(h, it, 1000);
    expect(keys(first.batch)).toEqual(range(0, 100));
    await page(h, it, 1000);
    await writeRows(h, 100, 101);
    const after = await page(h, it, 1000);
    expect(keys(after.batch)).toEqual(range(0, 101));
    // The next iterator moved with the page's end: it points after the new record.
    expect(after.batch.nextShardIterator).not.toBe(first.batch.nextShardIterator);
    expect((await page(h, after.batch.nextShardIterator as string, 1000)).batch.count).toBe(0);
  });

  test('a split after a page that reached the shard\'s end drops its next iterator; a merge closes the children alike', async () => {
    await writeRows(h, 0, 100);
    const it = await h.client.getShardIterator(streamId, shardId);
    const open = await page(h, it, 1000);
    expect(open.batch.nextShardIterator).not.toBeNull();
    const [a, b] = h.sb.splitShard('t', shardId);
    const closed = await page(h, it, 1000);
    expect(keys(closed.batch)).toEqual(range(0, 100));
    expect(closed.batch.nextShardIterator).toBeNull();
    expect(closed.raw.md5).not.toBe(open.raw.md5);

    // Children: read each to its end while open, then merge them: the same requests end their shards.
    await writeRows(h, 100, 400);
    const children = [a, b];
    const iterators = await Promise.all(children.map((s) => h.client.getShardIterator(streamId, s)));
    const before = await Promise.all(iterators.map((i) => page(h, i, 1000)));
    expect(before.map((p) => p.batch.nextShardIterator)).not.toContain(null);
    expect(before.reduce((n, p) => n + p.batch.count, 0)).toBe(300);
    h.sb.mergeShards('t', a, b);
    const after = await Promise.all(iterators.map((i) => page(h, i, 1000)));
    expect(after.map((p) => p.batch.nextShardIterator)).toEqual([null, null]);
    expect(after.map((p) => keys(p.batch))).toEqual(before.map((p) => keys(p.batch)));
  });

  test('a trim after a page moves the identical request to the oldest record left (silent trim) or refuses it', async () => {
    await writeRows(h, 0, 200);
    const it = await h.client.getShardIterator(streamId, shardId);
    expect(keys((await page(h, it, 100)).batch)).toEqual(range(0, 100));
    h.sb.trimStream('t', T0 + 100);
    expect(keys((await page(h, it, 100)).batch)).toEqual(range(100, 200));
    await h.close();

    h = await startHarness({ shardCount: 1 });
    await createStreamTable(h.ots, 't');
    [{ streamId }] = await h.client.listStream('t');
    await writeRows(h, 0, 200);
    const strict = await h.client.getShardIterator(streamId, h.sb.shards('t')[0].shardId);
    expect(keys((await page(h, strict, 100)).batch)).toEqual(range(0, 100));
    h.sb.trimStream('t', T0 + 100);
    const refused = await page(h, strict, 100);
    expect(refused.raw.status).toBe(400);
    expect(refused.raw.body.toString('latin1')).toContain('OTSTrimmedDataAccess');
  });
});

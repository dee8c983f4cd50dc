/**
 * Stream API: ListStream, DescribeStream, GetShardIterator, GetStreamRecord.
 *
 * Shard iterators and tokens are opaque base64url strings naming a position in
 * a shard's record list. An open shard always hands out a next iterator (at its
 * tail when caught up); a closed shard stops handing one out with the page
 * that returns its last record.
 */
import { createHash } from 'node:crypto';
import { encodeMessage } from '../../tablestore/protocol/messages';
import { StreamRecordResponseWriter } from '../../tablestore/protocol/stream-wire';
import { invalidParameter, ServiceError } from './service-error';
import { SandboxState } from './state';
import { SandboxTable, ShardState, StreamState } from './tables';
import { parseRequest } from './table-handlers';

/** A response body in parts sent one after the other, with the MD5 (base64) of their concatenation. */
export interface HashedBody {
  readonly parts: readonly Buffer[];
  readonly md5: string;
}

type Handler = (state: SandboxState, body: Buffer) => Buffer | HashedBody;

/**
 * A GetStreamRecord answer kept for its shard position: rereading a window asks for the same pages again, and
 * hashing each page's few hundred KB for x-ots-contentmd5 was most of the sandbox's CPU. The records of a shard
 * never change once written (its list only grows), so a page is reused exactly when it is the same: same position
 * and limit, and, for a page that reached the shard's end, the same record count and open/closed state (new
 * records, or a split or merge closing the shard, change it). Trims are checked before the cache is asked.
 */
interface CachedPage {
  readonly limit: number;
  readonly end: number;
  /** The shard's record count and closed flag when the page was built. */
  readonly total: number;
  readonly closed: boolean;
  readonly body: HashedBody;
}

/** Pages smaller than this are hashed again on each request (cheap); it also bounds entries by the records' bytes. */
const CACHED_PAGE_MIN_BYTES = 16 * 1024;
/** Pages kept per shard; when full, further pages are not kept (a sequential reread still hits the ones kept). */
const CACHED_PAGES_PER_SHARD = 4096;
const pageCaches = new WeakMap<ShardState, Map<number, CachedPage>>();

function cachedPage(shard: ShardState, from: number, limit: number): HashedBody | undefined {
  const page = pageCaches.get(shard)?.get(from);
  if (page === undefined || page.limit !== limit) return undefined;
  // A page that stopped before the shard's end (limit or byte cap) stays the same whatever is written after it.
  if (page.end < page.total || (page.total === shard.records.count && page.closed === shard.closed)) return page.body;
  return undefined;
}

function keepPage(shard: ShardState, from: number, page: CachedPage, recordBytes: number): void {
  if (recordBytes < CACHED_PAGE_MIN_BYTES) return;
  let pages = pageCaches.get(shard);
  if (pages === undefined) pageCaches.set(shard, (pages = new Map()));
  if (pages.size < CACHED_PAGES_PER_SHARD || pages.has(from)) pages.set(from, page);
}

interface IteratorPosition {
  readonly streamId: string;
  readonly shardId: string;
  readonly index: number;
}

function encodeIterator(p: IteratorPosition): string {
  return Buffer.from(JSON.stringify([p.streamId, p.shardId, p.index])).toString('base64url');
}

export function decodeIterator(s: string): IteratorPosition {
  try {
    const [streamId, shardId, index] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown[];
    if (typeof streamId === 'string' && typeof shardId === 'string' && Number.isInteger(index) && (index as number) >= 0) {
      return { streamId, shardId, index: index as number };
    }
  } catch {
    // fall through
  }
  throw invalidParameter(`Invalid shard iterator: ${s.slice(0, 64)}`);
}

function trimmed(): ServiceError {
  return new ServiceError(400, 'OTSTrimmedDataAccess', 'Requested stream data is already trimmed or does not exist.');
}

function shardOf(stream: StreamState, shardId: string): ShardState {
  const shard = stream.byId.get(shardId);
  if (!shard) throw new ServiceError(404, 'OTSObjectNotExist', `Requested shard ${shardId} does not exist in stream ${stream.streamId}.`);
  return shard;
}

const listStream: Handler = (state, body) => {
  const req = parseRequest<{ table_name?: string }>('ListStream', body);
  let tables: SandboxTable[] = [...state.tables.values()];
  if (req.table_name !== undefined) tables = [state.table(req.table_name)];
  const streams = tables
    .filter((t) => t.stream !== null)
    .map((t) => ({ stream_id: (t.stream as StreamState).streamId, table_name: t.name, creation_time: (t.stream as StreamState).creationTimeMicros }));
  return encodeMessage('ListStreamResponse', { streams });
};

const describeStream: Handler = (state, body) => {
  const req = parseRequest<{ stream_id: string; inclusive_start_shard_id?: string; shard_limit?: number; support_timeseries_data_table?: boolean }>('DescribeStream', body);
  const { table, stream } = state.streamById(req.stream_id);
  if (req.shard_limit !== undefined && req.shard_limit < 1) throw invalidParameter(`Invalid shard_limit: ${req.shard_limit}.`);
  const limit = req.shard_limit ?? state.settings.describeStreamPageSize;
  let from = 0;
  if (req.inclusive_start_shard_id !== undefined) {
    from = stream.shards.findIndex((s) => s.id === req.inclusive_start_shard_id);
    if (from < 0) throw new ServiceError(404, 'OTSObjectNotExist', `Requested shard ${req.inclusive_start_shard_id} does not exist in stream ${stream.streamId}.`);
  }
  const page = stream.shards.slice(from, from + limit);
  const next = stream.shards[from + limit];
  return encodeMessage('DescribeStreamResponse', {
    stream_id: stream.streamId,
    expiration_time: stream.expirationHours,
    table_name: table.name,
    creation_time: stream.creationTimeMicros,
    stream_status: 'STREAM_ACTIVE',
    shards: page.map((s) => {
      const out: Record<string, string> = { shard_id: s.id };
      if (s.parentId !== null) out.parent_id = s.parentId;
      if (s.parentSiblingId !== null) out.parent_sibling_id = s.parentSiblingId;
      return out;
    }),
    next_shard_id: next ? next.id : undefined,
    is_timeseries_data_table: req.support_timeseries_data_table ? table.kind === 'timeseries' : undefined,
  });
};

const getShardIterator: Handler = (state, body) => {
  const req = parseRequest<{ stream_id: string; shard_id: string; timestamp?: number; token?: string }>('GetShardIterator', body);
  const { table, stream } = state.streamById(req.stream_id);
  const shard = shardOf(stream, req.shard_id);
  let index = shard.trimmedCount;
  if (req.timestamp !== undefined) {
    if (req.timestamp < 0) throw invalidParameter(`Invalid timestamp: ${req.timestamp}.`);
    // Data in [timestamp, trim point) is gone: the caller would silently miss it (unless the silent mode hides it).
    if (shard.trimmedCount > 0 && req.timestamp < shard.trimmedBeforeMicros && !state.settings.silentTrim) throw trimmed();
    const target = Math.max(0, req.timestamp - state.settings.seekSlackMicros);
    index = shard.records.lowerBound(shard.trimmedCount, target, (id) => table.log.timestampOf(id));
  }
  const iterator = encodeIterator({ streamId: stream.streamId, shardId: shard.id, index });
  // Locating a position by time may take several rounds on the service: emulate them.
  const rounds = req.timestamp !== undefined ? state.settings.shardIteratorTokenRounds : 0;
  let done = 0;
  if (req.token !== undefined) {
    const parsed = Number(Buffer.from(req.token, 'base64url').toString('utf8').replace(/^round:/, ''));
    if (!Number.isInteger(parsed) || parsed < 1) throw invalidParameter(`Invalid token: ${req.token}`);
    done = parsed;
  }
  if (done < rounds) {
    return encodeMessage('GetShardIteratorResponse', { shard_iterator: iterator, next_token: Buffer.from(`round:${done + 1}`).toString('base64url') });
  }
  return encodeMessage('GetShardIteratorResponse', { shard_iterator: iterator });
};

const getStreamRecord: Handler = (state, body) => {
  const req = parseRequest<{ shard_iterator: string; limit?: number }>('GetStreamRecord', body);
  const pos = decodeIterator(req.shard_iterator);
  let found: { table: SandboxTable; stream: StreamState };
  try {
    found = state.streamById(pos.streamId);
  } catch {
    // The stream was disabled or its table deleted: its data is gone.
    throw trimmed();
  }
  const { table, stream } = found;
  const shard = shardOf(stream, pos.shardId);
  if (pos.index < shard.trimmedCount && !state.settings.silentTrim) throw trimmed();
  const from = Math.max(pos.index, shard.trimmedCount);
  const total = shard.records.count;
  if (pos.index > total) throw invalidParameter('Shard iterator points past the end of the shard.');
  if (req.limit !== undefined && req.limit < 1) throw invalidParameter(`Invalid limit: ${req.limit}.`);
  const limit = Math.min(req.limit ?? state.settings.defaultStreamRecordLimit, state.settings.maxStreamRecordLimit);
  const cached = cachedPage(shard, from, limit);
  if (cached !== undefined) return cached;
  const log = table.log;
  const byteCap = state.settings.maxStreamRecordBytes;
  let end = from;
  let bytes = 0;
  while (end < total && end - from < limit) {
    const len = log.lengthOf(shard.records.at(end));
    if (end > from && bytes + len > byteCap) break;
    bytes += len;
    end++;
  }
  // The shard's records are stored framed and one after the other: the page is a slice or two of the log's chunks
  // (a slice per run of adjacent records), sent as they are, then the tail (next iterator, consumed capacity).
  const page: Buffer[] = [];
  let runChunk = -1;
  let runStart = 0;
  let runEnd = 0;
  for (let i = from; i < end; i++) {
    const id = shard.records.at(i);
    const chunk = log.chunkNumberOf(id);
    const start = log.framedOffsetOf(id);
    if (chunk !== runChunk || start !== runEnd) {
      if (runChunk >= 0) page.push(log.chunkOf(shard.records.at(i - 1)).subarray(runStart, runEnd));
      runChunk = chunk;
      runStart = start;
    }
    runEnd = log.offsetOf(id) + log.lengthOf(id);
  }
  if (runChunk >= 0) page.push(log.chunkOf(shard.records.at(end - 1)).subarray(runStart, runEnd));
  const tail = new StreamRecordResponseWriter(256);
  tail.countFramed(bytes);
  const next = shard.closed && end === total ? null : encodeIterator({ streamId: stream.streamId, shardId: shard.id, index: end });
  page.push(tail.finish(next));
  const md5 = createHash('md5');
  for (const p of page) md5.update(p);
  const hashed: HashedBody = { parts: page, md5: md5.digest('base64') };
  keepPage(shard, from, { limit, end, total, closed: shard.closed, body: hashed }, bytes);
  return hashed;
};

export const STREAM_HANDLERS: Readonly<Record<string, Handler>> = {
  ListStream: listStream,
  DescribeStream: describeStream,
  GetShardIterator: getShardIterator,
  GetStreamRecord: getStreamRecord,
};

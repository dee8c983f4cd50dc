/**
 * Sandbox state: tables (wide and time series), their write logs, streams and
 * stream shards (hash ranges of the first primary key column, split and merged
 * by test hooks).
 */
import { Cell, decodeRowAt, PlainBufferWriter, PrimaryKeyColumn, PrimaryKeyType } from '../../tablestore/plainbuffer';
import { ServiceError } from './service-error';
import { RowStore } from './row-store';
import { ActionCode, EntryIdList, WriteLog } from './write-log';

export const HASH_SPACE = 2 ** 32;

/** Encoding buffer shared by all writes (they are synchronous). */
const scratch = new PlainBufferWriter(4096);

export interface ShardState {
  readonly id: string;
  readonly parentId: string | null;
  readonly parentSiblingId: string | null;
  /** Hash range [hashLo, hashHi) of the first primary key column. */
  readonly hashLo: number;
  readonly hashHi: number;
  closed: boolean;
  /** Entry ids of the table's write log, in write order. */
  readonly records: EntryIdList;
  /** records[0, trimmedCount) were trimmed (expired). */
  trimmedCount: number;
  /** Data written before this instant is gone from the shard. */
  trimmedBeforeMicros: number;
  /** The write-log lane holding this shard's records (contiguous, so that a page is one slice). */
  readonly lane: number;
}

/** Lanes of shards (0 is the lane of writes without a stream). */
let nextLane = 1;

export interface StreamState {
  readonly streamId: string;
  readonly creationTimeMicros: number;
  expirationHours: number;
  /** Every shard ever created, in creation order (the DescribeStream order). */
  readonly shards: ShardState[];
  readonly byId: Map<string, ShardState>;
  nextShardNumber: number;
}

export type TableKind = 'wide' | 'timeseries';

export interface PrimaryKeySchemaEntry {
  readonly name: string;
  readonly type: PrimaryKeyType;
  readonly autoIncrement?: boolean;
}

export interface TableSettings {
  timeToLiveSeconds: number;
  maxVersions: number;
  deviationCellVersionInSec: number;
  allowUpdate: boolean;
  reservedRead: number;
  reservedWrite: number;
  lastIncreaseTimeMicros: number;
  lastDecreaseTimeMicros: number | null;
}

export class SandboxTable {
  readonly log = new WriteLog();
  stream: StreamState | null = null;
  lastStreamEnableTimeMicros: number | null = null;
  private rows: RowStore | null = null;
  private autoIncrement = 0n;

  constructor(
    readonly kind: TableKind,
    readonly name: string,
    readonly primaryKey: readonly PrimaryKeySchemaEntry[],
    readonly settings: TableSettings,
    readonly creationTimeMicros: number,
    /** Time series tables: custom time series key columns and field primary keys. */
    readonly timeseriesKeys: readonly string[] = [],
    readonly fieldPrimaryKeys: readonly PrimaryKeySchemaEntry[] = [],
  ) {}

  /** Next value of an AUTO_INCREMENT key column (increasing per table). */
  nextAutoIncrement(): bigint {
    this.autoIncrement += 1n;
    return this.autoIncrement;
  }

  /** Turns the stream on (a new stream id) with `initialShards` shards. */
  enableStream(nowMicros: number, expirationHours: number, initialShards: number): StreamState {
    const stream: StreamState = {
      streamId: `${this.name}_${nowMicros}`,
      creationTimeMicros: nowMicros,
      expirationHours,
      shards: [],
      byId: new Map(),
      nextShardNumber: 0,
    };
    const width = HASH_SPACE / initialShards;
    for (let i = 0; i < initialShards; i++) {
      const lo = Math.floor(i * width);
      const hi = i === initialShards - 1 ? HASH_SPACE : Math.floor((i + 1) * width);
      addShard(stream, null, null, lo, hi);
    }
    this.stream = stream;
    this.lastStreamEnableTimeMicros = nowMicros;
    return stream;
  }

  disableStream(): void {
    this.stream = null;
  }

  /**
   * Records one applied write: the stream record (with its sequence info) goes
   * to the log and, if the stream is on, to the open shard owning the key.
   */
  recordWrite(action: ActionCode, primaryKey: PrimaryKeyColumn[], cells: Cell[], writeTimeMicros: number, rowIndex: number): void {
    scratch.reset();
    scratch.writeHeader();
    scratch.writeRow({ primaryKey, cells, deleteMarker: action === 3, sequence: { epoch: 0, timestampMicros: writeTimeMicros, rowIndex } });
    // append copies the bytes, so the scratch writer can be reused.
    const shard = this.stream ? this.shardFor(this.stream, primaryKey[0]) : null;
    const id = this.log.append(action, writeTimeMicros, scratch.finish(), shard ? shard.lane : 0);
    shard?.records.push(id);
    if (this.rows) applyToStore(this.rows, action, primaryKey, cells);
  }

  /** Current rows; replays the log the first time it is needed. */
  rowStore(): RowStore {
    if (!this.rows) {
      const store = new RowStore(() => this.settings.maxVersions);
      for (let id = 0; id < this.log.count; id++) {
        const chunk = this.log.chunkOf(id);
        const off = this.log.offsetOf(id);
        const row = decodeRowAt(chunk, off, off + this.log.lengthOf(id), false);
        applyToStore(store, this.log.actionOf(id), row.primaryKey as PrimaryKeyColumn[], row.cells);
      }
      this.rows = store;
    }
    return this.rows;
  }

  /** Closes `shardId` and opens two children splitting its hash range. */
  splitShard(shardId: string): [string, string] {
    const stream = this.requireStream();
    const shard = requireOpenShard(stream, shardId);
    if (shard.hashHi - shard.hashLo < 2) throw new RangeError(`shard ${shardId} covers a single hash value and cannot be split`);
    const mid = shard.hashLo + Math.floor((shard.hashHi - shard.hashLo) / 2);
    shard.closed = true;
    const a = addShard(stream, shard.id, null, shard.hashLo, mid);
    const b = addShard(stream, shard.id, null, mid, shard.hashHi);
    return [a.id, b.id];
  }

  /** Closes two adjacent shards and opens one child covering both ranges. */
  mergeShards(shardIdA: string, shardIdB: string): string {
    const stream = this.requireStream();
    let a = requireOpenShard(stream, shardIdA);
    let b = requireOpenShard(stream, shardIdB);
    if (a === b) throw new RangeError(`cannot merge shard ${shardIdA} with itself`);
    if (b.hashHi === a.hashLo) [a, b] = [b, a];
    if (a.hashHi !== b.hashLo) throw new RangeError(`shards ${shardIdA} and ${shardIdB} are not adjacent and cannot be merged`);
    a.closed = true;
    b.closed = true;
    return addShard(stream, a.id, b.id, a.hashLo, b.hashHi).id;
  }

  /** Drops records written before `beforeMicros` from every shard (stream expiry). */
  trimStream(beforeMicros: number): void {
    const stream = this.requireStream();
    for (const shard of stream.shards) {
      const n = shard.records.lowerBound(shard.trimmedCount, beforeMicros, (id) => this.log.timestampOf(id));
      shard.trimmedCount = n;
      shard.trimmedBeforeMicros = Math.max(shard.trimmedBeforeMicros, beforeMicros);
    }
  }

  requireStream(): StreamState {
    if (!this.stream) throw new RangeError(`table ${this.name} has no enabled stream`);
    return this.stream;
  }

  private shardFor(stream: StreamState, first: PrimaryKeyColumn): ShardState {
    const h = hashKeyValue(first);
    for (const shard of stream.shards) {
      if (!shard.closed && h >= shard.hashLo && h < shard.hashHi) return shard;
    }
    throw new ServiceError(500, 'OTSInternalServerError', `no open shard covers hash ${h} of table ${this.name}`);
  }
}

function addShard(stream: StreamState, parentId: string | null, parentSiblingId: string | null, lo: number, hi: number): ShardState {
  const n = stream.nextShardNumber++;
  const shard: ShardState = {
    id: `${stream.streamId}_shard${String(n).padStart(4, '0')}`,
    parentId,
    parentSiblingId,
    hashLo: lo,
    hashHi: hi,
    closed: false,
    records: new EntryIdList(),
    trimmedCount: 0,
    trimmedBeforeMicros: 0,
    lane: nextLane++,
  };
  stream.shards.push(shard);
  stream.byId.set(shard.id, shard);
  return shard;
}

function requireOpenShard(stream: StreamState, shardId: string): ShardState {
  const shard = stream.byId.get(shardId);
  if (!shard) throw new RangeError(`stream ${stream.streamId} has no shard ${shardId}`);
  if (shard.closed) throw new RangeError(`shard ${shardId} is already closed`);
  return shard;
}

function applyToStore(store: RowStore, action: ActionCode, pk: PrimaryKeyColumn[], cells: Cell[]): void {
  if (action === 1) store.put(pk, cells);
  else if (action === 2) store.update(pk, cells);
  else store.delete(pk);
}

/** FNV-1a (32 bit) of the first key column, with a final mix so similar keys spread over shards. */
export function hashKeyValue(col: PrimaryKeyColumn): number {
  let h = 0x811c9dc5;
  const v = col.value;
  if (Buffer.isBuffer(v)) {
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v[i], 0x01000193);
  } else {
    const s = typeof v === 'string' ? v : v.toString();
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

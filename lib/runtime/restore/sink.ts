/**
 * Where replayed row operations go: a Tablestore table through BatchWriteRow, or an in-memory table (what
 * `verify-restore` compares the target with).
 *
 * The Tablestore sink keeps the order of operations per key: consecutive operations on one key merge into one
 * write, a batch never holds a key twice (the service refuses that), and a batch whose keys overlap a batch still
 * in flight waits for it. Rows the service refuses with a throttling or transient code are retried with backoff;
 * any other refusal stops the restore naming the key and the code.
 */
import { equalJitterDelay, realSleep } from '../../common/retry';
import { THROTTLING_CODES, TRANSIENT_CODES } from '../../tablestore/errors';
import { encodeRowWrite, MAX_BATCH_WRITE_BYTES, MAX_BATCH_WRITE_ROWS, RowWrite, TablestoreTableClient } from '../../tablestore/table-client';
import { primaryKeyId } from '../../tablestore/primary-key';
import { applyOp, compareKeys, mergeOps, RowOp, TableRow } from './rows';

export interface RowSink {
  /** Queues operations in order; resolves when the sink can take more. */
  write(ops: readonly RowOp[]): Promise<void>;
  /** Resolves when everything written so far is applied. */
  flush(): Promise<void>;
  /** Rows written (after merging). */
  readonly rowsWritten: number;
}

/** Bytes kept free in a request besides the rows (table name, message framing). */
const REQUEST_OVERHEAD = 64 * 1024;

export interface TablestoreSinkOptions {
  readonly client: TablestoreTableClient;
  readonly tableName: string;
  /** BatchWriteRow requests in flight. Default 4. */
  readonly concurrency?: number;
  /** Rows per request, at most 200. Default 200. */
  readonly batchRows?: number;
  /** Attempts for a row the service refused with a retryable code. Default 8. */
  readonly rowAttempts?: number;
  readonly baseDelayMs?: number;
  readonly onRowRetry?: (code: string, attempt: number) => void;
}

function toWrite(op: RowOp): RowWrite {
  if (op.kind === 'DELETE') return { type: 'DELETE', primaryKey: op.key };
  if (op.kind === 'PUT') return { type: 'PUT', primaryKey: op.key, columns: op.columns };
  return { type: 'UPDATE', primaryKey: op.key, columns: op.columns, deleteColumns: op.deleteColumns };
}

export class TablestoreRowSink implements RowSink {
  rowsWritten = 0;
  private pending: RowOp[] = [];
  /** PlainBuffer of each pending op (measured for the 4 MB budget, then sent as is). */
  private pendingEncoded: Buffer[] = [];
  private pendingIds = new Map<string, number>();
  private pendingBytes = 0;
  private readonly inflight = new Set<Promise<void>>();
  private readonly inflightKeys = new Set<string>();
  private failure: unknown;
  private readonly concurrency: number;
  private readonly batchRows: number;
  private readonly rowAttempts: number;
  private readonly baseDelayMs: number;

  constructor(private readonly options: TablestoreSinkOptions) {
    this.concurrency = options.concurrency ?? 4;
    this.batchRows = Math.min(options.batchRows ?? MAX_BATCH_WRITE_ROWS, MAX_BATCH_WRITE_ROWS);
    this.rowAttempts = options.rowAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 200;
  }

  async write(ops: readonly RowOp[]): Promise<void> {
    for (const op of ops) {
      if (this.failure) throw this.failure;
      const id = primaryKeyId(op.key);
      const at = this.pendingIds.get(id);
      if (at !== undefined && at === this.pending.length - 1) {
        // Consecutive lines of one row: one write.
        this.pending[at] = mergeOps(this.pending[at], op);
        const encoded = encodeRowWrite(toWrite(this.pending[at]));
        this.pendingBytes += encoded.length - this.pendingEncoded[at].length;
        this.pendingEncoded[at] = encoded;
        continue;
      }
      if (at !== undefined) await this.dispatch();
      const encoded = encodeRowWrite(toWrite(op));
      if (this.pending.length >= this.batchRows || this.pendingBytes + encoded.length > MAX_BATCH_WRITE_BYTES - REQUEST_OVERHEAD) await this.dispatch();
      this.pendingIds.set(id, this.pending.length);
      this.pending.push(op);
      this.pendingEncoded.push(encoded);
      this.pendingBytes += encoded.length;
    }
  }

  async flush(): Promise<void> {
    await this.dispatch();
    while (this.inflight.size > 0) await Promise.race(this.inflight);
    if (this.failure) throw this.failure;
  }

  private async dispatch(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const encoded = this.pendingEncoded;
    const ids = [...this.pendingIds.keys()];
    this.pending = [];
    this.pendingEncoded = [];
    this.pendingIds = new Map();
    this.pendingBytes = 0;
    // Order per key: wait for in-flight batches that touch these keys (and for a free slot).
    while (this.inflight.size > 0 && (this.inflight.size >= this.concurrency || ids.some((id) => this.inflightKeys.has(id)))) {
      await Promise.race(this.inflight);
    }
    if (this.failure) throw this.failure;
    for (const id of ids) this.inflightKeys.add(id);
    const p: Promise<void> = this.send(batch, encoded)
      .then(() => {
        this.rowsWritten += batch.length;
      })
      .catch((err) => {
        this.failure ??= err;
      })
      .finally(() => {
        for (const id of ids) this.inflightKeys.delete(id);
        this.inflight.delete(p);
      });
    this.inflight.add(p);
  }

  private send(batch: RowOp[], encoded: Buffer[]): Promise<void> {
    const { client, tableName } = this.options;
    return sendWithRowRetries(
      batch.map(toWrite),
      // The first attempt sends the bytes measured for the budget; a retry re-encodes its subset.
      (rows, attempt) => client.batchWriteRow(tableName, rows, attempt === 1 ? encoded : undefined),
      { rowAttempts: this.rowAttempts, baseDelayMs: this.baseDelayMs, onRowRetry: this.options.onRowRetry },
      (row, code, message) => {
        const key = row.primaryKey.map((k) => `${k.name}=${Buffer.isBuffer(k.value) ? k.value.toString('base64') : String(k.value)}`).join(', ');
        return new Error(`BatchWriteRow refused the ${row.type} of row (${key}) in ${tableName}: ${code} ${message}`.trim());
      },
    );
  }
}

/** How rows refused with a retryable code are sent again. */
export interface RowRetryPolicy {
  readonly rowAttempts: number;
  readonly baseDelayMs: number;
  readonly onRowRetry?: (code: string, attempt: number) => void;
}

/**
 * Sends `items`, then again (after a backoff) the ones the service refused with a throttling or transient code,
 * until every one is written; any other refusal, or one past the last attempt, throws `refused(item, code, message)`.
 * `send` answers one result per item, in order.
 */
export async function sendWithRowRetries<T>(
  items: readonly T[],
  send: (items: readonly T[], attempt: number) => Promise<readonly { readonly ok: boolean; readonly code?: string | null; readonly message?: string | null }[]>,
  policy: RowRetryPolicy,
  refused: (item: T, code: string, message: string) => Error,
): Promise<void> {
  let todo = items;
  for (let attempt = 1; ; attempt++) {
    const results = await send(todo, attempt);
    const retry: T[] = [];
    let throttled = false;
    results.forEach((r, i) => {
      if (r.ok) return;
      const code = r.code ?? 'unknown';
      if ((THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code)) && attempt < policy.rowAttempts) {
        throttled ||= THROTTLING_CODES.has(code);
        retry.push(todo[i]);
        policy.onRowRetry?.(code, attempt);
        return;
      }
      throw refused(todo[i], code, r.message ?? '');
    });
    if (retry.length === 0) return;
    const delays = { attempts: policy.rowAttempts, baseDelayMs: policy.baseDelayMs, throttleBaseDelayMs: policy.baseDelayMs * 2.5, maxDelayMs: 10_000 };
    await realSleep(equalJitterDelay(delays, attempt, throttled ? 'throttled' : 'server'));
    todo = retry;
  }
}

/** The table a replay produces, in memory (verification and tests). */
export class MemoryTable implements RowSink {
  rowsWritten = 0;
  readonly rows = new Map<string, TableRow>();

  async write(ops: readonly RowOp[]): Promise<void> {
    for (const op of ops) {
      const id = primaryKeyId(op.key);
      const next = applyOp(this.rows.get(id), op);
      if (next) this.rows.set(id, next);
      else this.rows.delete(id);
      this.rowsWritten++;
    }
  }

  async flush(): Promise<void> {}

  /** Rows in key order. */
  sorted(): TableRow[] {
    return [...this.rows.values()].sort((a, b) => compareKeys(a.key, b.key));
  }
}

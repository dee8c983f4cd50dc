/**
 * Liveness records of the attempts writing one window (`<window>/_attempts/<attempt>.json`).
 *
 * OSS has no compare-and-swap: its one conditional write, `x-oss-forbid-overwrite` (PutObject reference), is
 * documented for buckets without versioning, and an exclusive create could not expire a crashed holder anyway. So
 * concurrent runs of a window do not exclude each other. Instead each attempt writes its data files under keys of
 * its own, publishes a record with an expiry it renews while it runs, and a cleanup never deletes an object of an
 * attempt whose record is still live. A crashed attempt stops renewing; once its record expires, the next run
 * of the window removes what it left.
 */
import { randomBytes } from 'node:crypto';
import { ATTEMPTS_DIRECTORY, isAttemptId } from './keys';
import { listWindowObjects } from './listing';
import { isNoSuchKey, OssClient } from './oss-client';

/** How long a record stays live without renewal. A run renews it every third of this. */
export const DEFAULT_ATTEMPT_TTL_MS = 5 * 60_000;

export interface AttemptRecord {
  readonly attempt: string;
  /** Epoch ms after which the attempt counts as dead unless renewed. */
  readonly expiresAt: number;
}

/** A fresh attempt id: 12 lowercase hex digits (48 random bits). */
export function newAttemptId(): string {
  return randomBytes(6).toString('hex');
}

export interface AttemptLeaseOptions {
  readonly ttlMs: number;
  readonly now: () => number;
  /** Sends one request with the writer's retries. */
  readonly retry: <T>(what: string, op: () => Promise<T>) => Promise<T>;
  /** A renewal that failed after its retries (the run goes on; its record may expire). */
  readonly onRenewalError?: (err: unknown) => void;
}

/** The record of the running attempt: published on start, renewed on a timer, deleted on release. */
export class AttemptLease {
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;

  constructor(private readonly client: OssClient, readonly key: string, readonly attempt: string, private readonly options: AttemptLeaseOptions) {
    if (!(Number.isFinite(options.ttlMs) && options.ttlMs >= 3)) throw new Error(`attempt TTL must be at least 3 ms, got ${options.ttlMs}`);
  }

  async start(): Promise<void> {
    await this.publish();
    this.timer = setInterval(() => {
      this.renewing ??= this.publish().catch((err) => this.options.onRenewalError?.(err)).finally(() => (this.renewing = undefined));
    }, Math.floor(this.options.ttlMs / 3));
    this.timer.unref();
  }

  /** Stops renewing; the record stays, as a crashed attempt's would. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing;
  }

  /** Stops renewing and deletes the record. */
  async release(): Promise<void> {
    await this.stop();
    await this.options.retry(`DeleteObject ${this.key}`, () => this.client.delete(this.key)).catch((err) => {
      if (!isNoSuchKey(err)) throw err;
    });
  }

  private async publish(): Promise<void> {
    const record: AttemptRecord = { attempt: this.attempt, expiresAt: this.options.now() + this.options.ttlMs };
    const body = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    await this.options.retry(`PutObject ${this.key}`, () => this.client.put(this.key, body, { mime: 'application/json' }));
  }
}

export interface AttemptRecords {
  /** Attempts whose record has not expired at `now`. */
  readonly live: ReadonlySet<string>;
  /** Keys of records that expired (or cannot be read as a record). */
  readonly expiredKeys: readonly string[];
}

/** Reads the records under a window directory's `_attempts/`. */
export async function readAttemptRecords(client: OssClient, windowDirectory: string, now: number): Promise<AttemptRecords> {
  const live = new Set<string>();
  const expiredKeys: string[] = [];
  for (const { key } of await listWindowObjects(client, windowDirectory + ATTEMPTS_DIRECTORY)) {
    const name = key.slice(key.lastIndexOf('/') + 1).replace(/\.json$/, '');
    let record: Partial<AttemptRecord> | undefined;
    try {
      record = JSON.parse((await client.get(key)).content.toString('utf8')) as Partial<AttemptRecord>;
    } catch (err) {
      if (isNoSuchKey(err)) continue; // released meanwhile
      if (!(err instanceof SyntaxError)) throw err;
    }
    if (isAttemptId(name) && record?.attempt === name && typeof record.expiresAt === 'number' && record.expiresAt > now) live.add(name);
    else expiredKeys.push(key);
  }
  return { live, expiredKeys };
}

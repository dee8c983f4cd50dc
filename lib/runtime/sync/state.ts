/**
 * The resumable record of a backfill: which windows are finished and where their manifests are. Written after
 * every finished window, atomically (temporary file + rename), so a crash loses at most the window in flight.
 * The record names the target it belongs to; a record for another table, bucket or format is refused rather than
 * trusted.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './errors';

export const STATE_VERSION = 1;

/** What a backfill writes to; two backfills with the same target may share a state file. */
export interface BackfillTarget {
  readonly instanceName: string;
  readonly tableName: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly fileFormat: string;
  readonly compression: string;
}

export interface FinishedWindow {
  /** `yyyyMMddHHmmss` in the state's time zone. */
  readonly startTime: string;
  readonly endTime: string;
  readonly manifestKey: string;
  readonly records: number;
  readonly objects: number;
  readonly finishedAt: string;
}

export interface BackfillStateFile {
  readonly version: number;
  readonly target: BackfillTarget;
  readonly timezone: string;
  /** Keyed by `<startTime>_<endTime>`. */
  readonly windows: Record<string, FinishedWindow>;
}

export function windowStateKey(startTime: string, endTime: string): string {
  return `${startTime}_${endTime}`;
}

export class BackfillState {
  private constructor(
    readonly path: string,
    private readonly data: BackfillStateFile,
  ) {}

  /** Loads the record at `path`, or starts an empty one; refuses a record of another target or time zone. */
  static open(path: string, target: BackfillTarget, timezone: string): BackfillState {
    if (!existsSync(path)) return new BackfillState(path, { version: STATE_VERSION, target, timezone, windows: {} });
    let parsed: BackfillStateFile;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as BackfillStateFile;
    } catch (err) {
      throw new UsageError(`Backfill state ${path} is not valid JSON (${(err as Error).message}); move it away to start over`);
    }
    if (parsed?.version !== STATE_VERSION || typeof parsed.windows !== 'object' || parsed.windows === null) {
      throw new UsageError(`Backfill state ${path} is not a version ${STATE_VERSION} state file`);
    }
    const mismatched = (Object.keys(target) as (keyof BackfillTarget)[]).filter((k) => parsed.target?.[k] !== target[k]);
    if (mismatched.length > 0) {
      throw new UsageError(
        `Backfill state ${path} belongs to another target (${mismatched.map((k) => `${k}: ${JSON.stringify(parsed.target?.[k])} there, ${JSON.stringify(target[k])} now`).join('; ')}); use another --state file`,
      );
    }
    if (parsed.timezone !== timezone) throw new UsageError(`Backfill state ${path} was written for time zone ${parsed.timezone}, not ${timezone}`);
    return new BackfillState(path, parsed);
  }

  finished(startTime: string, endTime: string): FinishedWindow | undefined {
    return this.data.windows[windowStateKey(startTime, endTime)];
  }

  get finishedCount(): number {
    return Object.keys(this.data.windows).length;
  }

  /** Records a finished window and saves the file. */
  markFinished(window: FinishedWindow): void {
    this.data.windows[windowStateKey(window.startTime, window.endTime)] = window;
    this.save();
  }

  /** Forgets a window (its manifest disappeared) and saves the file. */
  forget(startTime: string, endTime: string): void {
    delete this.data.windows[windowStateKey(startTime, endTime)];
    this.save();
  }

  snapshot(): BackfillStateFile {
    return JSON.parse(JSON.stringify(this.data)) as BackfillStateFile;
  }

  private save(): void {
    const dir = dirname(this.path);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const ordered: BackfillStateFile = {
      ...this.data,
      windows: Object.fromEntries(Object.entries(this.data.windows).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    };
    writeFileSync(tmp, `${JSON.stringify(ordered, null, 2)}\n`);
    renameSync(tmp, this.path);
  }
}

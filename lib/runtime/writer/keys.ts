/**
 * Object keys of one window's export. Everything a window writes lives under one directory, so a rerun can
 * find and replace exactly what an earlier attempt left:
 *
 *   <prefix>/<table>/<yyyy>/<MM>/<dd>/<startTime>_<endTime>/part-00000-<attempt>.<ext>
 *   <prefix>/<table>/<yyyy>/<MM>/<dd>/<startTime>_<endTime>/_manifest.json
 *   <prefix>/<table>/<yyyy>/<MM>/<dd>/<startTime>_<endTime>/_attempts/<attempt>.json
 *
 * Data files carry the id of the attempt that wrote them, so an attempt never overwrites an object another
 * attempt (or the committed manifest) refers to; `_attempts/` holds each running attempt's liveness record.
 *
 * The date and both times (yyyyMMddHHmmss) are wall-clock values of the window bounds in the configured time
 * zone, the same strings DataWorks passes as ${startTime}/${endTime}.
 */
import { formatWindowTime, type Window } from '../../schedule';

export const MANIFEST_NAME = '_manifest.json';
/** Sub-directory of a window directory holding the liveness records of running attempts. */
export const ATTEMPTS_DIRECTORY = '_attempts/';

const ATTEMPT_ID = /^[0-9a-f]{12}$/;
const PART_NAME = /^part-\d{5,}(?:-([0-9a-f]{12}))?\./;

/** Whether `id` has the form of an attempt id (12 lowercase hex digits). */
export function isAttemptId(id: string): boolean {
  return ATTEMPT_ID.test(id);
}

/** The attempt that wrote a data file, from its key; undefined for other objects and for files of runtime 0.1 (no id). */
export function attemptOfKey(key: string): string | undefined {
  return PART_NAME.exec(key.slice(key.lastIndexOf('/') + 1))?.[1];
}

export interface WindowKeyOptions {
  /** Export prefix without leading or trailing slash ('' for the bucket root). */
  readonly prefix: string;
  readonly table: string;
  readonly window: Window;
  readonly timeZone: string;
  /** File extension of data files, e.g. `csv.gz`. */
  readonly extension: string;
}

export interface WindowObjectKeys {
  /** Directory of the window, ending with '/'. */
  readonly directory: string;
  readonly manifestKey: string;
  readonly startTime: string;
  readonly endTime: string;
  /** Directory of the attempts' liveness records, ending with '/'. */
  readonly attemptsDirectory: string;
  /** Key of data file `index` (0-based) written by `attempt`: `part-00000-<attempt>.<ext>`. */
  partKey(index: number, attempt: string): string;
  /** Key of the liveness record of `attempt`. */
  attemptKey(attempt: string): string;
  /** Whether `key` is a data file name this layout produces (any index and attempt, this extension). */
  isPartKey(key: string): boolean;
}

function checkSegment(what: string, value: string): void {
  if (value.length === 0) throw new Error(`${what} must not be empty`);
  if (value.includes('/') || value === '.' || value === '..') throw new Error(`${what} ${JSON.stringify(value)} must be one path segment (no '/', not '.' or '..')`);
}

/**
 * Directory holding the windows that start on the local date of `startTime` (yyyyMMddHHmmss):
 * `<prefix>/<table>/<yyyy>/<MM>/<dd>/`. Coverage lists it to find every window of a day.
 */
export function windowDayDirectory(prefix: string, table: string, startTime: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return `${p ? `${p}/` : ''}${table}/${startTime.slice(0, 4)}/${startTime.slice(4, 6)}/${startTime.slice(6, 8)}/`;
}

export function windowObjectKeys(options: WindowKeyOptions): WindowObjectKeys {
  const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((s) => s === '' || s === '.' || s === '..') && prefix !== '') {
    throw new Error(`prefix ${JSON.stringify(options.prefix)} has an empty, '.' or '..' segment`);
  }
  checkSegment('table', options.table);
  if (!/^[A-Za-z0-9][A-Za-z0-9.]*$/.test(options.extension)) throw new Error(`extension ${JSON.stringify(options.extension)} must be letters, digits and dots`);
  const { start, end } = options.window;
  if (!(Number.isFinite(start) && Number.isFinite(end) && start < end)) {
    throw new Error(`window [${start}, ${end}) is not a non-empty interval of epoch milliseconds`);
  }
  const startTime = formatWindowTime(start, options.timeZone);
  const endTime = formatWindowTime(end, options.timeZone);
  const directory = `${windowDayDirectory(prefix, options.table, startTime)}${startTime}_${endTime}/`;
  const ext = options.extension;
  const partPattern = new RegExp(`^part-\\d{5,}(?:-[0-9a-f]{12})?\\.${ext.replace(/\./g, '\\.')}$`);
  const checkAttempt = (attempt: string): void => {
    if (!isAttemptId(attempt)) throw new Error(`attempt id ${JSON.stringify(attempt)} must be 12 lowercase hex digits`);
  };
  return {
    directory,
    manifestKey: directory + MANIFEST_NAME,
    attemptsDirectory: directory + ATTEMPTS_DIRECTORY,
    startTime,
    endTime,
    partKey(index: number, attempt: string): string {
      if (!Number.isInteger(index) || index < 0) throw new Error(`part index must be a non-negative integer, got ${index}`);
      checkAttempt(attempt);
      return `${directory}part-${String(index).padStart(5, '0')}-${attempt}.${ext}`;
    },
    attemptKey(attempt: string): string {
      checkAttempt(attempt);
      return `${directory}${ATTEMPTS_DIRECTORY}${attempt}.json`;
    },
    isPartKey(key: string): boolean {
      return key.startsWith(directory) && partPattern.test(key.slice(directory.length));
    },
  };
}

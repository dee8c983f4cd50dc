/**
 * Object keys of one window's export. Everything a window writes lives under one directory, so a rerun can
 * find and replace exactly what an earlier attempt left:
 *
 *   <prefix>/<table>/<yyyy>/<MM>/<dd>/<startTime>_<endTime>/part-00000.<ext>
 *   <prefix>/<table>/<yyyy>/<MM>/<dd>/<startTime>_<endTime>/_manifest.json
 *
 * The date and both times (yyyyMMddHHmmss) are wall-clock values of the window bounds in the configured time
 * zone, the same strings DataWorks passes as ${startTime}/${endTime}.
 */
import { formatWindowTime, type Window } from '../../schedule';

export const MANIFEST_NAME = '_manifest.json';

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
  /** Key of data file `index` (0-based): `part-00000.<ext>`. */
  partKey(index: number): string;
  /** Whether `key` is a data file name this layout produces (any index, this extension). */
  isPartKey(key: string): boolean;
}

function checkSegment(what: string, value: string): void {
  if (value.length === 0) throw new Error(`${what} must not be empty`);
  if (value.includes('/') || value === '.' || value === '..') throw new Error(`${what} ${JSON.stringify(value)} must be one path segment (no '/', not '.' or '..')`);
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
  const date = `${startTime.slice(0, 4)}/${startTime.slice(4, 6)}/${startTime.slice(6, 8)}`;
  const directory = `${prefix ? `${prefix}/` : ''}${options.table}/${date}/${startTime}_${endTime}/`;
  const ext = options.extension;
  const partPattern = new RegExp(`^part-\\d{5,}\\.${ext.replace(/\./g, '\\.')}$`);
  return {
    directory,
    manifestKey: directory + MANIFEST_NAME,
    startTime,
    endTime,
    partKey(index: number): string {
      if (!Number.isInteger(index) || index < 0) throw new Error(`part index must be a non-negative integer, got ${index}`);
      return `${directory}part-${String(index).padStart(5, '0')}.${ext}`;
    },
    isPartKey(key: string): boolean {
      return key.startsWith(directory) && partPattern.test(key.slice(directory.length));
    },
  };
}

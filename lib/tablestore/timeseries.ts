/**
 * Time series storage conventions shared by the client, the sandbox and the
 * reader: how a data point is keyed in the table (and so in its stream).
 *
 *   primary key: `_#h` (series hash, string), `_m_name`, `_data_source`,
 *   `_tags` (or custom time series key columns), `_time` (INTEGER, µs),
 *   then optional field primary key columns;
 *   attribute columns: one per field, named `<field>:<type suffix>`.
 */
export const TS_HASH_COLUMN = '_#h';
export const TS_MEASUREMENT_COLUMN = '_m_name';
export const TS_DATA_SOURCE_COLUMN = '_data_source';
export const TS_TAGS_COLUMN = '_tags';
export const TS_TIME_COLUMN = '_time';

/** Tags as stored in `_tags`: ["k=v",...] with keys sorted. */
export function formatTimeseriesTags(tags: Readonly<Record<string, string>>): string {
  const keys = Object.keys(tags).sort();
  for (const k of keys) {
    if (/["=]/.test(k) || /["]/.test(tags[k]) || tags[k].includes('=')) {
      throw new TypeError(`tag ${k}=${tags[k]} must not contain '"' or '='`);
    }
  }
  return `[${keys.map((k) => `"${k}=${tags[k]}"`).join(',')}]`;
}

/** Parses a `_tags` value; throws on anything but ["k=v",...]. */
export function parseTimeseriesTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  if (text === '' || text === '[]') return tags;
  if (text.length < 2 || text[0] !== '[' || text[text.length - 1] !== ']') throw new TypeError(`invalid time series tags: ${text}`);
  let i = 1;
  const last = text.length - 1;
  while (i < last) {
    if (text[i] !== '"') throw new TypeError(`invalid time series tags (expected '"' at ${i}): ${text}`);
    const eq = text.indexOf('=', i + 1);
    const close = text.indexOf('"', i + 1);
    if (eq < 0 || close < 0 || eq > close) throw new TypeError(`invalid time series tags (expected k=v at ${i}): ${text}`);
    tags[text.slice(i + 1, eq)] = text.slice(eq + 1, close);
    i = close + 1;
    if (i < last) {
      if (text[i] !== ',') throw new TypeError(`invalid time series tags (expected ',' at ${i}): ${text}`);
      i++;
    }
  }
  return tags;
}

/** Field name of a stored field column: everything before the first ':'. */
export function timeseriesFieldName(columnName: string): string {
  const colon = columnName.indexOf(':');
  return colon < 0 ? columnName : columnName.slice(0, colon);
}

/** Rows a ScanTimeseriesData page holds at most (and by default): API reference, ScanTimeseriesData `limit`. */
export const MAX_TIMESERIES_SCAN_ROWS = 5000;

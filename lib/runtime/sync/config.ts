/**
 * The runtime's configuration: where to read (Tablestore instance, table, stream), where to write (OSS bucket and
 * prefix), how (format, compression, output layout), and how windows are read (time zone, stream lag, schedule).
 * Credentials are not part of it: they come from the Alibaba Cloud credential chain (lib/common/credentials.ts).
 *
 * The DataWorks node passes the configuration as one `--config` argument: base64 of the JSON below, so that the
 * shell script never has to quote JSON. A person at a terminal may give a JSON file path instead, and override
 * single fields with flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describeUnknownField, findUnknownFields, Shape } from '../../common/known-keys';
import { MAX_STREAM_RECORD_LIMIT } from '../../tablestore/stream-client';
import { assertTimeZone, DEFAULT_END_TIME_EXPRESSION, DEFAULT_HOURLY_CRON, DEFAULT_START_TIME_EXPRESSION, DEFAULT_STREAM_LAG_MINUTES, DEFAULT_TIMEZONE } from '../../schedule';
import type { FieldType, KeyColumnSpec, RowColumnSpec } from '../formats/layout';
import { UsageError } from './errors';

export type FileFormatName = 'csv' | 'jsonl' | 'parquet';
export type CompressionName = 'gzip' | 'none' | 'snappy';

export interface TablestoreSourceConfig {
  /** `https://<instance>.<region>.ots.aliyuncs.com` (public) or `https://<instance>.<region>.vpc.tablestore.aliyuncs.com`. */
  readonly endpoint: string;
  readonly instanceName: string;
  readonly tableName: string;
  /** The table is a time series table (its stream carries data points). */
  readonly isTimeseriesTable: boolean;
  /**
   * GetStreamRecord `limit` (records per page, 1 to 2^31 - 1). Absent: the reader's DEFAULT_RECORD_LIMIT (1000, as
   * Alibaba's Stream Client asks). Larger pages mean fewer signed round trips (see README "Performance").
   */
  readonly recordLimit?: number;
}

export interface OssTargetConfig {
  /** `https://oss-<region>[-internal].aliyuncs.com`, or a loopback URL for the sandbox. */
  readonly endpoint: string;
  /** ali-oss region name, `oss-<region>`. */
  readonly region: string;
  readonly bucket: string;
  /** Key prefix for every object, without leading or trailing slash. */
  readonly prefix: string;
}

export interface OutputFormatConfig {
  readonly fileFormat: FileFormatName;
  /** `gzip` or `none` for csv/jsonl; `gzip`, `snappy` or `none` (page codec) for parquet. */
  readonly compression: CompressionName;
  /** zlib level 1-9; the formats module's default when absent. */
  readonly gzipLevel?: number;
  /** CSV field delimiter (one character). Default `,`. */
  readonly fieldDelimiter?: string;
  /** CSV text for nulls. Default empty (the environments' `nullFormat`). */
  readonly nullFormat?: string;
  /** CSV header line. Default false (Data Integration writes none). */
  readonly header?: boolean;
}

/**
 * How stream records become rows. `rows` (one row per PUT/UPDATE with the listed columns, as the Data Integration
 * node configured with `column` writes them) or `cells` (one row per cell change, the reader's default mode).
 */
export type OutputLayoutConfig =
  | {
    readonly mode: 'rows';
    readonly columns: readonly RowColumnSpec[];
    readonly sequenceInfo?: boolean;
    /**
     * Carry deletes: `_op` / `_deleted_columns` columns and tombstone lines for DELETE records, so that a restore
     * replays the window exactly. Default true (the runtime engine); false writes the Data Integration row mode.
     */
    readonly operations?: boolean;
  }
  | { readonly mode: 'cells'; readonly primaryKey: readonly KeyColumnSpec[]; readonly sequenceInfo?: boolean };

export interface ScheduleSpec {
  /** DataWorks 6-field cron. */
  readonly cron: string;
  readonly startTimeExpression: string;
  readonly endTimeExpression: string;
}

export interface SyncRuntimeConfig {
  readonly tablestore: TablestoreSourceConfig;
  readonly oss: OssTargetConfig;
  readonly format: OutputFormatConfig;
  readonly layout: OutputLayoutConfig;
  /** IANA zone window times are read in. Default Asia/Shanghai. */
  readonly timezone: string;
  /** A window must end at least this many minutes before now. Default 10. */
  readonly streamLagMinutes: number;
  /** The node's schedule, for `backfill` and `windows`. Default: hourly, the console's expressions. */
  readonly schedule: ScheduleSpec;
}

/** Any subset of the configuration, as read from a file or built from flags; `resolveConfig` fills defaults and checks. */
export type SyncRuntimeConfigInput = {
  readonly tablestore?: Partial<TablestoreSourceConfig>;
  readonly oss?: Partial<OssTargetConfig>;
  readonly format?: Partial<OutputFormatConfig>;
  readonly layout?: Partial<{ mode: 'rows' | 'cells'; columns: readonly RowColumnSpec[]; primaryKey: readonly KeyColumnSpec[]; sequenceInfo: boolean; operations: boolean }>;
  readonly timezone?: string;
  readonly streamLagMinutes?: number;
  readonly schedule?: Partial<ScheduleSpec>;
};

/** Every field a configuration document may hold; anything else is a typo and is refused. */
const CONFIG_SHAPE: Shape<SyncRuntimeConfigInput> = {
  tablestore: { endpoint: 'value', instanceName: 'value', tableName: 'value', isTimeseriesTable: 'value', recordLimit: 'value' },
  oss: { endpoint: 'value', region: 'value', bucket: 'value', prefix: 'value' },
  format: { fileFormat: 'value', compression: 'value', gzipLevel: 'value', fieldDelimiter: 'value', nullFormat: 'value', header: 'value' },
  layout: {
    mode: 'value',
    columns: [{ name: 'value', type: 'value', dataType: 'value' }],
    primaryKey: [{ name: 'value', type: 'value' }],
    sequenceInfo: 'value',
    operations: 'value',
  },
  timezone: 'value',
  streamLagMinutes: 'value',
  schedule: { cron: 'value', startTimeExpression: 'value', endTimeExpression: 'value' },
};

function unknownFields(input: SyncRuntimeConfigInput): string[] {
  return findUnknownFields(input, CONFIG_SHAPE).map(describeUnknownField);
}

const FIELD_TYPES: readonly FieldType[] = ['string', 'int64', 'double', 'boolean', 'binary', 'variant'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of configuration inputs; later inputs win field by field, arrays are replaced whole. */
export function mergeConfigInputs(...inputs: readonly (SyncRuntimeConfigInput | undefined)[]): SyncRuntimeConfigInput {
  const out: Record<string, unknown> = {};
  for (const input of inputs) {
    if (!input) continue;
    for (const [k, v] of Object.entries(input)) {
      if (v === undefined) continue;
      if (isRecord(v) && isRecord(out[k])) {
        const merged: Record<string, unknown> = { ...(out[k] as Record<string, unknown>) };
        for (const [k2, v2] of Object.entries(v)) if (v2 !== undefined) merged[k2] = v2;
        out[k] = merged;
      } else {
        out[k] = v;
      }
    }
  }
  return out as SyncRuntimeConfigInput;
}

/** Checks every field and fills defaults; throws UsageError listing every problem at once. */
export function resolveConfig(input: SyncRuntimeConfigInput): SyncRuntimeConfig {
  const problems: string[] = unknownFields(input);
  const str = (path: string, v: unknown, required = true): string => {
    if (v === undefined || v === '') {
      if (required) problems.push(`${path} is required`);
      return '';
    }
    if (typeof v !== 'string') {
      problems.push(`${path} must be a string, got ${typeof v}`);
      return '';
    }
    return v;
  };
  const url = (path: string, v: unknown): string => {
    const s = str(path, v);
    if (!s) return s;
    try {
      const u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`${path} "${s}" must be an http(s) URL`);
    } catch {
      problems.push(`${path} "${s}" is not a URL (expected http(s)://host[:port])`);
    }
    return s;
  };

  const ts = input.tablestore ?? {};
  const tablestore: TablestoreSourceConfig = {
    endpoint: url('tablestore.endpoint', ts.endpoint),
    instanceName: str('tablestore.instanceName', ts.instanceName),
    tableName: str('tablestore.tableName', ts.tableName),
    isTimeseriesTable: ts.isTimeseriesTable ?? false,
    ...(ts.recordLimit !== undefined ? { recordLimit: ts.recordLimit } : {}),
  };
  if (typeof tablestore.isTimeseriesTable !== 'boolean') problems.push('tablestore.isTimeseriesTable must be true or false');
  if (ts.recordLimit !== undefined && !(Number.isInteger(ts.recordLimit) && ts.recordLimit > 0 && ts.recordLimit <= MAX_STREAM_RECORD_LIMIT)) problems.push(`tablestore.recordLimit ${String(ts.recordLimit)} must be an integer from 1 to ${MAX_STREAM_RECORD_LIMIT} (the field is an int32)`);

  const o = input.oss ?? {};
  const prefix = str('oss.prefix', o.prefix ?? '', false);
  if (prefix.startsWith('/') || prefix.endsWith('/')) problems.push(`oss.prefix "${prefix}" must not start or end with "/"`);
  const bucket = str('oss.bucket', o.bucket);
  if (bucket && !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) problems.push(`oss.bucket "${bucket}" is not a valid bucket name (3-63 lowercase letters, digits, hyphens)`);
  const region = str('oss.region', o.region);
  if (region && !region.startsWith('oss-')) problems.push(`oss.region "${region}" must be the ali-oss region name, e.g. oss-cn-hangzhou`);
  const oss: OssTargetConfig = { endpoint: url('oss.endpoint', o.endpoint), region, bucket, prefix };

  const f = input.format ?? {};
  const fileFormat = (f.fileFormat ?? 'csv') as FileFormatName;
  if (!['csv', 'jsonl', 'parquet'].includes(fileFormat)) problems.push(`format.fileFormat "${String(fileFormat)}" must be csv, jsonl or parquet`);
  const compression = (f.compression ?? 'gzip') as CompressionName;
  if (!['gzip', 'none', 'snappy'].includes(compression)) problems.push(`format.compression "${String(compression)}" must be gzip, none or snappy`);
  else if (compression === 'snappy' && fileFormat !== 'parquet') problems.push(`format.compression snappy applies to parquet only, not ${fileFormat}`);
  if (f.gzipLevel !== undefined && !(Number.isInteger(f.gzipLevel) && f.gzipLevel >= 1 && f.gzipLevel <= 9)) problems.push(`format.gzipLevel ${String(f.gzipLevel)} must be an integer from 1 to 9`);
  if (f.fieldDelimiter !== undefined && [...String(f.fieldDelimiter)].length !== 1) problems.push(`format.fieldDelimiter ${JSON.stringify(f.fieldDelimiter)} must be exactly one character`);
  const format: OutputFormatConfig = {
    fileFormat,
    compression,
    ...(f.gzipLevel !== undefined ? { gzipLevel: f.gzipLevel } : {}),
    fieldDelimiter: f.fieldDelimiter ?? ',',
    nullFormat: f.nullFormat ?? '',
    header: f.header ?? false,
  };

  const l = input.layout ?? {};
  const mode = l.mode ?? 'rows';
  let layout: OutputLayoutConfig;
  if (mode === 'cells') {
    const pk = l.primaryKey ?? [];
    if (!Array.isArray(pk) || pk.length === 0) problems.push('layout.primaryKey must list the table\'s primary key columns for cells mode');
    for (const [i, c] of (Array.isArray(pk) ? pk : []).entries()) {
      if (!isRecord(c) || typeof c.name !== 'string' || !['Integer', 'String', 'Binary'].includes(String(c.type))) {
        problems.push(`layout.primaryKey[${i}] must be { name, type: Integer|String|Binary }`);
      }
    }
    layout = { mode, primaryKey: pk, sequenceInfo: l.sequenceInfo ?? false };
  } else if (mode === 'rows') {
    const cols = l.columns ?? [];
    if (!Array.isArray(cols) || cols.length === 0) problems.push('layout.columns must list at least one column for rows mode');
    for (const [i, c] of (Array.isArray(cols) ? cols : []).entries()) {
      if (!isRecord(c) || typeof c.name !== 'string' || c.name === '') problems.push(`layout.columns[${i}] must be { name, type? }`);
      else if (c.type !== undefined && !FIELD_TYPES.includes(c.type as FieldType)) problems.push(`layout.columns[${i}].type "${String(c.type)}" must be one of ${FIELD_TYPES.join(', ')}`);
    }
    if (l.operations !== undefined && typeof l.operations !== 'boolean') problems.push('layout.operations must be true or false');
    layout = { mode, columns: cols, sequenceInfo: l.sequenceInfo ?? false, operations: l.operations ?? true };
  } else {
    problems.push(`layout.mode "${String(mode)}" must be rows or cells`);
    layout = { mode: 'rows', columns: [] };
  }

  const timezone = input.timezone ?? DEFAULT_TIMEZONE;
  try {
    assertTimeZone(timezone);
  } catch (err) {
    problems.push(`timezone: ${(err as Error).message}`);
  }
  const streamLagMinutes = input.streamLagMinutes ?? DEFAULT_STREAM_LAG_MINUTES;
  if (typeof streamLagMinutes !== 'number' || !Number.isFinite(streamLagMinutes) || streamLagMinutes < 0) problems.push(`streamLagMinutes ${String(streamLagMinutes)} must be a non-negative number`);

  const s = input.schedule ?? {};
  const schedule: ScheduleSpec = {
    cron: s.cron ?? DEFAULT_HOURLY_CRON,
    startTimeExpression: s.startTimeExpression ?? DEFAULT_START_TIME_EXPRESSION,
    endTimeExpression: s.endTimeExpression ?? DEFAULT_END_TIME_EXPRESSION,
  };

  if (problems.length > 0) throw new UsageError(`Invalid runtime configuration: ${problems.join('; ')}`);
  return { tablestore, oss, format, layout, timezone, streamLagMinutes, schedule };
}

/** Base64 of the configuration's JSON: the form the DataWorks node passes as `--config`. */
export function encodeConfigArgument(config: SyncRuntimeConfigInput): string {
  return Buffer.from(JSON.stringify(config), 'utf8').toString('base64');
}

/**
 * Reads a `--config` value: a JSON file path, inline JSON (`{...}`), or base64 of the JSON. Returns the raw input;
 * `resolveConfig` checks it.
 */
export function parseConfigArgument(value: string): SyncRuntimeConfigInput {
  let text: string;
  let source: string;
  if (value.trimStart().startsWith('{')) {
    text = value;
    source = 'inline JSON';
  } else if (existsSync(value)) {
    text = readFileSync(value, 'utf8');
    source = `file ${value}`;
  } else if (/^[A-Za-z0-9+/=_-]+$/.test(value)) {
    text = Buffer.from(value, 'base64').toString('utf8');
    source = 'base64 argument';
  } else {
    throw new UsageError(`--config "${value.length > 60 ? `${value.slice(0, 60)}…` : value}" is neither a file, inline JSON, nor base64 JSON`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--config (${source}) is not valid JSON: ${(err as Error).message}`);
  }
  if (!isRecord(parsed)) throw new UsageError(`--config (${source}) must be a JSON object`);
  return parsed as SyncRuntimeConfigInput;
}

/** Only what `windows` needs: the schedule and the time zone, with defaults. */
export function resolveScheduleConfig(input: SyncRuntimeConfigInput): { readonly schedule: ScheduleSpec; readonly timezone: string } {
  const unknown = unknownFields(input);
  if (unknown.length > 0) throw new UsageError(`Invalid runtime configuration: ${unknown.join('; ')}`);
  const timezone = input.timezone ?? DEFAULT_TIMEZONE;
  try {
    assertTimeZone(timezone);
  } catch (err) {
    throw new UsageError(`Invalid runtime configuration: timezone: ${(err as Error).message}`);
  }
  const s = input.schedule ?? {};
  return {
    timezone,
    schedule: {
      cron: s.cron ?? DEFAULT_HOURLY_CRON,
      startTimeExpression: s.startTimeExpression ?? DEFAULT_START_TIME_EXPRESSION,
      endTimeExpression: s.endTimeExpression ?? DEFAULT_END_TIME_EXPRESSION,
    },
  };
}

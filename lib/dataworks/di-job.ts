/**
 * Typed model and builders of the Data Integration job (DIJob 2.0, script mode) that the sync node runs: a
 * Tablestore Stream reader (`otsstream`) and an OSS writer (`oss`).
 *
 * Every reader and writer key has its source in `di-keys.ts` (DataX plugin sources and the DataWorks data source
 * references); the job skeleton, `setting` and `extend` follow aiops-skills `references/nodetypes/data_integration/`
 * DATAX.md and settings.md. `assertDocumentedKeys` enforces both on every built job, so a typo or an invented key
 * fails at synth rather than in DataWorks.
 */
import { ExportColumn } from '../config/types';
import { OSS_WRITER_KEYS, OTS_STREAM_READER_COLUMN_KEYS, OTS_STREAM_READER_KEYS } from './di-keys';
import { SyncDefinitionError } from './errors';

/** One exported column in row mode; `dataType` picks the new (default), old or latest value of the column. */
export interface OtsStreamColumn {
  readonly name: string;
  readonly dataType?: 'new' | 'old' | 'latest';
}

/** Reader parameters, exactly as "Tablestore Stream-Source.md" names them. */
export interface OtsStreamReaderParameter {
  readonly datasource: string;
  readonly dataTable: string;
  readonly statusTable: string;
  /** `yyyymmddhh24miss`, left-closed; a `${param}` reference to a scheduling parameter. */
  readonly startTimeString: string;
  /** `yyyymmddhh24miss`, right-open. */
  readonly endTimeString: string;
  /** Row mode: one output record per changed row, the columns below in order. */
  readonly mode: 'single_version_and_update_only';
  readonly column: readonly OtsStreamColumn[];
  /** Only meaningful in row mode; set for time series tables. */
  readonly isTimeseriesTable?: boolean;
  readonly enableSeekIterator: boolean;
  readonly maxRetries: number;
}

/**
 * Writer parameters of csv output, as the DataX OSS writer reads them (sources in `di-keys.ts`). A csv record is
 * written field by field in the reader's column order, so the writer needs no column list.
 */
export interface OssWriterParameter {
  readonly datasource: string;
  readonly fileFormat: 'csv';
  /** Object key, with `${param}` references resolved by the scheduler at run time. */
  readonly object: string;
  readonly writeMode: 'truncate' | 'append' | 'nonConflict';
  /** Column names written as the first line; one per reader column, in order. */
  readonly header?: readonly string[];
  readonly writeSingleObject: boolean;
  readonly fieldDelimiter: string;
  readonly encoding: string;
  readonly nullFormat: string;
}

export interface DiJobStep<TParameter> {
  readonly stepType: string;
  readonly name: 'Reader' | 'Writer';
  readonly category: 'reader' | 'writer';
  readonly parameter: TParameter;
}

/** Channel settings, as settings.md documents them. */
export interface DiJobSetting {
  readonly speed: { readonly concurrent: number; readonly throttle: boolean; readonly mbps?: number };
  /** settings.md: `record` only with strategy `Tolerance`; `ZeroTolerance` fails the run on the first dirty record. */
  readonly errorLimit: { readonly strategy: 'ZeroTolerance' | 'Ignore' } | { readonly strategy: 'Tolerance'; readonly record: number };
}

/** The DATAX.md `extend` block: script mode, the new DIJob format, and where and how big the run is. */
export interface DiJobExtend {
  readonly mode: 'code';
  readonly __new__: true;
  readonly formatType: 'datax';
  readonly resourceGroup: string;
  readonly cu: string;
}

export interface DiJob {
  readonly type: 'job';
  readonly version: '2.0';
  readonly steps: readonly [DiJobStep<OtsStreamReaderParameter>, DiJobStep<OssWriterParameter>];
  readonly order: { readonly hops: readonly [{ readonly from: 'Reader'; readonly to: 'Writer' }] };
  readonly setting: DiJobSetting;
  readonly extend: DiJobExtend;
}

/** A data source the stack declares in the workspace: the job may only name these. */
export interface DeclaredDataSource {
  readonly name: string;
  /** DataWorks data source type, as alicloud_data_works_data_source names it. */
  readonly type: 'tablestore' | 'oss';
}

/** Keys each part of the job may hold: reader and writer from `di-keys.ts`, the skeleton from DATAX.md / settings.md. */
export const DOCUMENTED_KEYS = {
  job: ['type', 'version', 'steps', 'order', 'setting', 'extend'],
  step: ['stepType', 'name', 'category', 'parameter'],
  reader: Object.keys(OTS_STREAM_READER_KEYS),
  readerColumn: Object.keys(OTS_STREAM_READER_COLUMN_KEYS),
  writer: Object.keys(OSS_WRITER_KEYS),
  setting: ['jvmOption', 'speed', 'executeMode', 'errorLimit', 'failoverEnable', 'common', 'jvmMemory'],
  speed: ['concurrent', 'throttle', 'mbps'],
  errorLimit: ['strategy', 'record'],
  extend: ['mode', '__new__', 'formatType', 'resourceGroup', 'cu'],
  order: ['hops'],
  hop: ['from', 'to'],
} as const;

export interface OtsStreamSourceProps {
  readonly dataSource: string;
  readonly dataTable: string;
  readonly statusTable: string;
  readonly columns: readonly ExportColumn[];
  readonly timeseries: boolean;
  /** Default 30, the documented default (about five minutes of retries). */
  readonly maxRetries?: number;
}

export interface OssDestinationProps {
  readonly dataSource: string;
  /** The object key, `${param}` references included; see `windowObjectKey`. */
  readonly object: string;
  readonly fieldDelimiter: string;
  readonly encoding: string;
  readonly nullFormat: string;
  /** Default true: the first line of every export file names its columns (the writer's `header`). */
  readonly header?: boolean;
}

export interface SyncJobProps {
  /** Names the job in error messages. */
  readonly subject: string;
  readonly source: OtsStreamSourceProps;
  readonly destination: OssDestinationProps;
  /** Names of the scheduling parameters that carry the window bounds. */
  readonly window: { readonly startParameter: string; readonly endParameter: string };
  readonly resourceGroup: string;
  /** Data sources the stack declares; the reader and writer may only name these. */
  readonly declaredDataSources: readonly DeclaredDataSource[];
  /** settings.md default 3 (range 1–32). */
  readonly concurrent?: number;
  /** Compute units of the Data Integration run; DATAX.md example value "0.5". */
  readonly cu?: string;
}

/** Writer column name for an exported column: the old/latest images get a suffix so names stay unique. */
export function writerColumnName(column: ExportColumn): string {
  return !column.dataType || column.dataType === 'new' ? column.name : `${column.name}_${column.dataType}`;
}

/**
 * The object one window writes to. The key is a pure function of the window bounds, and the writer truncates that
 * exact key before writing one object, so a rerun of a window replaces its export instead of adding a second copy.
 */
export function windowObjectKey(prefix: string, table: string, startParameter: string, endParameter: string): string {
  return diWindowObjectKey(prefix, table, `\${${startParameter}}`, `\${${endParameter}}`);
}

/** The key a window's Data Integration run writes, for given start and end values (yyyyMMddHHmmss, or placeholders). */
export function diWindowObjectKey(prefix: string, table: string, startTime: string, endTime: string): string {
  return `${prefix}/${table}/${startTime}_${endTime}.csv`;
}

export function buildSyncJob(props: SyncJobProps): DiJob {
  const fail = (field: string, problem: string): never => {
    throw new SyncDefinitionError(props.subject, field, problem);
  };
  checkDataSource(props.declaredDataSources, props.source.dataSource, 'tablestore', 'reader.datasource', fail);
  checkDataSource(props.declaredDataSources, props.destination.dataSource, 'oss', 'writer.datasource', fail);
  if (props.source.columns.length === 0) fail('reader.column', 'row mode exports nothing without columns; list at least one');
  for (const [field, name] of [['window.startParameter', props.window.startParameter], ['window.endParameter', props.window.endParameter]] as const) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(field, `"${name}" is not a valid scheduling parameter name`);
  }
  const concurrent = props.concurrent ?? 3;
  if (!Number.isInteger(concurrent) || concurrent < 1 || concurrent > 32) fail('setting.speed.concurrent', `must be an integer from 1 to 32, got ${concurrent}`);
  const maxRetries = props.source.maxRetries ?? 30;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) fail('reader.maxRetries', `must be a non-negative integer, got ${maxRetries}`);
  if (props.destination.fieldDelimiter.length !== 1) fail('writer.fieldDelimiter', `must be one character, got ${JSON.stringify(props.destination.fieldDelimiter)}`);
  if (props.resourceGroup.trim() === '') fail('extend.resourceGroup', 'must name the resource group the job runs on');

  const readerColumns: OtsStreamColumn[] = props.source.columns.map(c => (c.dataType ? { name: c.name, dataType: c.dataType } : { name: c.name }));

  const reader: OtsStreamReaderParameter = {
    datasource: props.source.dataSource,
    dataTable: props.source.dataTable,
    statusTable: props.source.statusTable,
    startTimeString: `\${${props.window.startParameter}}`,
    endTimeString: `\${${props.window.endParameter}}`,
    mode: 'single_version_and_update_only',
    column: readerColumns,
    ...(props.source.timeseries ? { isTimeseriesTable: true } : {}),
    enableSeekIterator: true,
    maxRetries,
  };
  const writer: OssWriterParameter = {
    datasource: props.destination.dataSource,
    fileFormat: 'csv',
    object: props.destination.object,
    writeMode: 'truncate',
    ...((props.destination.header ?? true) ? { header: props.source.columns.map(writerColumnName) } : {}),
    writeSingleObject: true,
    fieldDelimiter: props.destination.fieldDelimiter,
    encoding: props.destination.encoding,
    nullFormat: props.destination.nullFormat,
  };
  const job: DiJob = {
    type: 'job',
    version: '2.0',
    steps: [
      { stepType: 'otsstream', name: 'Reader', category: 'reader', parameter: reader },
      { stepType: 'oss', name: 'Writer', category: 'writer', parameter: writer },
    ],
    order: { hops: [{ from: 'Reader', to: 'Writer' }] },
    setting: { speed: { concurrent, throttle: false }, errorLimit: { strategy: 'ZeroTolerance' } },
    extend: { mode: 'code', __new__: true, formatType: 'datax', resourceGroup: props.resourceGroup, cu: props.cu ?? '0.5' },
  };
  validateSyncJob(props.subject, job);
  return job;
}

/**
 * Checks a job as DataWorks would: only documented keys, a header that names the reader's columns one-to-one by
 * position, the window read from scheduling parameters.
 */
export function validateSyncJob(subject: string, job: DiJob): void {
  assertDocumentedKeys(subject, job);
  const [readerStep, writerStep] = job.steps;
  const readerColumns = readerStep.parameter.column;
  const header = writerStep.parameter.header;
  if (header) {
    if (header.length !== readerColumns.length) {
      throw new SyncDefinitionError(subject, 'writer.header', `names ${header.length} columns but the reader exports ${readerColumns.length}; they map one-to-one by position`);
    }
    readerColumns.forEach((rc, i) => {
      const expected = writerColumnName(rc);
      if (header[i] !== expected) {
        throw new SyncDefinitionError(subject, `writer.header[${i}]`, `is "${header[i]}" but reader column ${i} is ${rc.name} (${rc.dataType ?? 'new'}), which writes as "${expected}"`);
      }
    });
    const names = new Set<string>();
    header.forEach((name, i) => {
      if (names.has(name)) throw new SyncDefinitionError(subject, `writer.header[${i}]`, `"${name}" appears twice`);
      names.add(name);
    });
  }
  for (const field of ['startTimeString', 'endTimeString'] as const) {
    if (!/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(readerStep.parameter[field])) {
      throw new SyncDefinitionError(subject, `reader.${field}`, `must reference a scheduling parameter as \${name}, got "${readerStep.parameter[field]}"`);
    }
  }
}

/** Throws on the first key that the documented parameter tables do not list. */
export function assertDocumentedKeys(subject: string, job: DiJob): void {
  const check = (value: object, allowed: readonly string[], where: string): void => {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) throw new SyncDefinitionError(subject, `${where}.${key}`, `is not a documented parameter (allowed: ${allowed.join(', ')}; sources in lib/dataworks/di-keys.ts)`);
    }
  };
  check(job, DOCUMENTED_KEYS.job, 'job');
  check(job.order, DOCUMENTED_KEYS.order, 'order');
  job.order.hops.forEach((h, i) => check(h, DOCUMENTED_KEYS.hop, `order.hops[${i}]`));
  const [reader, writer] = job.steps;
  check(reader, DOCUMENTED_KEYS.step, 'reader');
  check(writer, DOCUMENTED_KEYS.step, 'writer');
  check(reader.parameter, DOCUMENTED_KEYS.reader, 'reader.parameter');
  reader.parameter.column.forEach((c, i) => check(c, DOCUMENTED_KEYS.readerColumn, `reader.parameter.column[${i}]`));
  check(writer.parameter, DOCUMENTED_KEYS.writer, 'writer.parameter');
  check(job.setting, DOCUMENTED_KEYS.setting, 'setting');
  check(job.setting.speed, DOCUMENTED_KEYS.speed, 'setting.speed');
  check(job.setting.errorLimit, DOCUMENTED_KEYS.errorLimit, 'setting.errorLimit');
  check(job.extend, DOCUMENTED_KEYS.extend, 'extend');
  if (reader.stepType !== 'otsstream') throw new SyncDefinitionError(subject, 'reader.stepType', `must be "otsstream", got "${reader.stepType}"`);
  if (writer.stepType !== 'oss') throw new SyncDefinitionError(subject, 'writer.stepType', `must be "oss", got "${writer.stepType}"`);
}

function checkDataSource(
  declared: readonly DeclaredDataSource[],
  name: string,
  type: DeclaredDataSource['type'],
  field: string,
  fail: (field: string, problem: string) => never,
): void {
  const match = declared.find(d => d.name === name);
  if (!match) {
    const known = declared.filter(d => d.type === type).map(d => `"${d.name}"`);
    fail(field, `"${name}" is not a data source the stack declares (declared ${type} data sources: ${known.length > 0 ? known.join(', ') : 'none'})`);
  } else if (match.type !== type) {
    fail(field, `"${name}" is declared as a ${match.type} data source, not ${type}`);
  }
}

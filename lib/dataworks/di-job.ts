/**
 * Typed model and builders of the Data Integration job (DIJob 2.0, script mode) that the sync node runs: a
 * Tablestore Stream reader (`otsstream`) and an OSS writer (`oss`).
 *
 * Every parameter key is one the DataWorks parameter tables document (aiops-skills
 * `references/nodetypes/data_integration/`: "Tablestore Stream-Source.md", "OSS-Destination.md", settings.md,
 * DATAX.md for the job skeleton, the `extend` block and `parameter.column`); `assertDocumentedKeys` enforces it
 * on every built job, so a typo or an invented key fails at synth rather than in DataWorks.
 */
import { ExportColumn } from '../config/types';
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

/** A writer column; OSS writes csv as text, `type` records the source type for readers of the export. */
export interface OssWriterColumn {
  readonly name: string;
  readonly type: string;
}

/** Writer parameters, exactly as "OSS-Destination.md" names them (plus `column`, from DATAX.md). */
export interface OssWriterParameter {
  readonly datasource: string;
  readonly fileFormat: 'csv';
  /** Object key, with `${param}` references resolved by the scheduler at run time. */
  readonly object: string;
  readonly writeMode: 'truncate' | 'append' | 'nonConflict';
  readonly writeHeader: boolean;
  readonly writeSingleObject: boolean;
  readonly fieldDelimiter: string;
  readonly encoding: string;
  readonly nullFormat: string;
  readonly column: readonly OssWriterColumn[];
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

/** Keys each documented parameter table allows. */
export const DOCUMENTED_KEYS = {
  job: ['type', 'version', 'steps', 'order', 'setting', 'extend'],
  step: ['stepType', 'name', 'category', 'parameter'],
  reader: [
    'datasource', 'dataTable', 'statusTable', 'startTimestampMillis', 'endTimestampMillis', 'date', 'isExportSequenceInfo',
    'maxRetries', 'startTimeString', 'endTimeString', 'enableSeekIterator', 'mode', 'isTimeseriesTable', 'column',
  ],
  readerColumn: ['name', 'dataType'],
  writer: [
    'datasource', 'fileFormat', 'object', 'path', 'fileName', 'writeMode', 'writeHeader', 'fieldDelimiter', 'lineDelimiter',
    'encoding', 'nullFormat', 'dateFormat', 'compress', 'writeSingleObject', 'maxFileSize', 'parquetSchema', 'ossBlockSize',
    'generateEmptyFile', 'column',
  ],
  writerColumn: ['name', 'type'],
  setting: ['jvmOption', 'speed', 'executeMode', 'errorLimit', 'failoverEnable', 'common', 'jvmMemory'],
  speed: ['concurrent', 'throttle', 'mbps'],
  errorLimit: ['strategy', 'record'],
  extend: ['mode', '__new__', 'formatType', 'resourceGroup', 'cu'],
  order: ['hops'],
  hop: ['from', 'to'],
} as const;

/** Tablestore column types (data table schema) → the type recorded in the writer column list. */
const WRITER_TYPE: Record<string, string> = {
  Integer: 'BIGINT',
  Double: 'DOUBLE',
  Boolean: 'BOOLEAN',
  String: 'STRING',
  Binary: 'STRING',
};

/** Time series rows carry these system columns; any other exported column is a field, typed STRING unless told. */
const TIMESERIES_SYSTEM_COLUMN_TYPE: Record<string, string> = {
  _m_name: 'STRING',
  _data_source: 'STRING',
  _tags: 'STRING',
  _time: 'BIGINT',
};

export interface OtsStreamSourceProps {
  readonly dataSource: string;
  readonly dataTable: string;
  readonly statusTable: string;
  readonly columns: readonly ExportColumn[];
  /** Tablestore type of each column by name (primary key and defined columns); unknown columns are STRING. */
  readonly columnTypes?: Readonly<Record<string, string>>;
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
  /** Default true: every export file names its columns. */
  readonly writeHeader?: boolean;
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
  const writerColumns: OssWriterColumn[] = props.source.columns.map(c => ({
    name: writerColumnName(c),
    type: props.source.timeseries
      ? TIMESERIES_SYSTEM_COLUMN_TYPE[c.name] ?? WRITER_TYPE[props.source.columnTypes?.[c.name] ?? 'String'] ?? 'STRING'
      : WRITER_TYPE[props.source.columnTypes?.[c.name] ?? 'String'] ?? 'STRING',
  }));

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
    writeHeader: props.destination.writeHeader ?? true,
    writeSingleObject: true,
    fieldDelimiter: props.destination.fieldDelimiter,
    encoding: props.destination.encoding,
    nullFormat: props.destination.nullFormat,
    column: writerColumns,
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
 * Checks a job as DataWorks would: only documented keys, reader and writer column lists of equal length and
 * matched one-to-one by position, the window read from scheduling parameters.
 */
export function validateSyncJob(subject: string, job: DiJob): void {
  assertDocumentedKeys(subject, job);
  const [readerStep, writerStep] = job.steps;
  const readerColumns = readerStep.parameter.column;
  const writerColumns = writerStep.parameter.column;
  if (readerColumns.length !== writerColumns.length) {
    throw new SyncDefinitionError(subject, 'writer.column', `has ${writerColumns.length} columns but the reader exports ${readerColumns.length}; they map one-to-one by position`);
  }
  readerColumns.forEach((rc, i) => {
    const expected = writerColumnName(rc);
    if (writerColumns[i].name !== expected) {
      throw new SyncDefinitionError(subject, `writer.column[${i}].name`, `is "${writerColumns[i].name}" but reader column ${i} is ${rc.name} (${rc.dataType ?? 'new'}), which writes as "${expected}"`);
    }
  });
  const names = new Set<string>();
  writerColumns.forEach((wc, i) => {
    if (names.has(wc.name)) throw new SyncDefinitionError(subject, `writer.column[${i}].name`, `"${wc.name}" appears twice`);
    names.add(wc.name);
  });
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
      if (!allowed.includes(key)) throw new SyncDefinitionError(subject, `${where}.${key}`, `is not a documented parameter (allowed: ${allowed.join(', ')})`);
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
  writer.parameter.column.forEach((c, i) => check(c, DOCUMENTED_KEYS.writerColumn, `writer.parameter.column[${i}]`));
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

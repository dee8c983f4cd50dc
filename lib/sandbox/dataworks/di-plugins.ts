/**
 * What the loopback DataWorks accepts in the reader and writer of a Data Integration job, written from the DataX
 * plugin sources on their own (not from the project's builder tables in lib/dataworks/di-keys.ts), so that a key the
 * builder invents or misnames is caught here:
 *
 * - `otsstream` reader: the keys `OTSStreamReaderConfig.load` and its helpers read (alibaba/DataX otsstreamreader),
 *   with the DataWorks data source (`datasource`) in place of endpoint, accessId, accessKey and instanceName, and the
 *   row-mode column entry keys (`name`, DataX's `is_timeseries_tag`, DataWorks' `dataType`).
 * - `oss` writer: the keys of osswriter `Key` and plugin-unstructured-storage-util writer `Key` that apply to one
 *   object, with `datasource` in place of endpoint, accessId, accessKey and bucket. `column` is read only for orc and
 *   parquet output; csv and text records are written as they come, so a `column` list there is refused, as is the
 *   codeless-UI option `writeHeader`, which the plugin never reads (its header row comes from `header`).
 *
 * The real service ignores keys its plugins do not read; refusing them is stricter on purpose: an ignored key is a
 * setting that silently does nothing.
 */
import { SandboxApiError } from './state';

type Json = unknown;

interface PluginRules {
  readonly keys: ReadonlySet<string>;
  /** Keys of each entry of `column`, where the plugin reads entries as maps. */
  readonly columnEntryKeys?: ReadonlySet<string>;
  /** Further checks on the parameter object; throws a message. */
  readonly check?: (parameter: Record<string, Json>) => string | undefined;
}

const READERS: Readonly<Record<string, PluginRules>> = {
  otsstream: {
    keys: new Set([
      'datasource', 'dataTable', 'statusTable', 'startTimestampMillis', 'endTimestampMillis', 'startTimeString', 'endTimeString',
      'isExportSequenceInfo', 'date', 'maxRetries', 'mode', 'column', 'threadNum', 'enableTableGroupSupport', 'enableSeekIterator',
      'isTimeseriesTable', 'confSimplifyEnable',
    ]),
    columnEntryKeys: new Set(['name', 'dataType', 'is_timeseries_tag']),
    check: p => {
      if (p.mode !== undefined && String(p.mode).toLowerCase() !== 'single_version_and_update_only') return `mode "${String(p.mode)}" is not supported (only single_version_and_update_only)`;
      const byString = p.startTimeString !== undefined || p.endTimeString !== undefined;
      const byMillis = p.startTimestampMillis !== undefined || p.endTimestampMillis !== undefined;
      if (byString && byMillis) return 'give the window as startTimeString/endTimeString or as startTimestampMillis/endTimestampMillis, not both';
      return undefined;
    },
  },
};

const WRITERS: Readonly<Record<string, PluginRules>> = {
  oss: {
    keys: new Set([
      'datasource', 'object', 'cname', 'partition', 'encrypt', 'blockSizeInMB', 'writeSingleObject', 'path', 'fileName', 'generateEmptyFile',
      'writeMode', 'fieldDelimiter', 'quoteChar', 'lineDelimiter', 'csvWriterConfig', 'encoding', 'compress', 'nullFormat', 'dateFormat',
      'fileFormat', 'header', 'maxFileSize', 'suffix', 'column',
    ]),
    columnEntryKeys: new Set(['name', 'type']),
    check: p => {
      const format = String(p.fileFormat ?? 'text').toLowerCase();
      if (p.column !== undefined && format !== 'orc' && format !== 'parquet') return `column is read for orc and parquet output only, not ${format}`;
      if (p.header !== undefined && (!Array.isArray(p.header) || !p.header.every(h => typeof h === 'string'))) return 'header must be a list of column names';
      return undefined;
    },
  },
};

/** Refuses a DI job whose reader or writer holds a key its plugin does not read. */
export function validateDiJobPlugins(job: { steps?: ReadonlyArray<Record<string, Json>> }): void {
  for (const [i, step] of (job.steps ?? []).entries()) {
    const category = step.category;
    const table = category === 'reader' ? READERS : category === 'writer' ? WRITERS : undefined;
    if (!table) throw invalid(`steps[${i}].category must be reader or writer, got ${String(category)}`);
    const stepType = String(step.stepType);
    const rules = table[stepType];
    if (!rules) throw invalid(`steps[${i}]: ${category} stepType "${stepType}" is not one this sandbox models (${Object.keys(table).join(', ')})`);
    const parameter = step.parameter;
    if (typeof parameter !== 'object' || parameter === null || Array.isArray(parameter)) throw invalid(`steps[${i}].parameter must be an object`);
    const p = parameter as Record<string, Json>;
    for (const key of Object.keys(p)) {
      if (!rules.keys.has(key)) throw invalid(`${stepType} ${category} parameter "${key}" is not a key the plugin reads`);
    }
    if (Array.isArray(p.column) && rules.columnEntryKeys) {
      for (const [j, entry] of p.column.entries()) {
        if (typeof entry !== 'object' || entry === null) throw invalid(`${stepType} ${category} column[${j}] must be a map`);
        for (const key of Object.keys(entry)) {
          if (!rules.columnEntryKeys.has(key)) throw invalid(`${stepType} ${category} column[${j}] key "${key}" is not one the plugin reads`);
        }
      }
    }
    const problem = rules.check?.(p);
    if (problem) throw invalid(`${stepType} ${category}: ${problem}`);
  }
}

function invalid(message: string): SandboxApiError {
  return new SandboxApiError(400, 'InvalidParameter.Spec', `DI script.content: ${message}`);
}

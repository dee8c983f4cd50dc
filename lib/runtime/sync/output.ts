/** From the runtime configuration to what the formats and the writer take: an output layout and a FormatSpec. */
import { cellsLayout, FormatSpec, OutputLayout, rowsLayout } from '../formats';
import type { SyncRuntimeConfig } from './config';
import { UsageError } from './errors';

export function outputLayout(config: SyncRuntimeConfig): OutputLayout {
  try {
    const l = config.layout;
    return l.mode === 'cells'
      ? cellsLayout({ primaryKey: l.primaryKey, sequenceInfo: l.sequenceInfo })
      : rowsLayout({ columns: l.columns, sequenceInfo: l.sequenceInfo, operations: l.operations });
  } catch (err) {
    throw new UsageError(`Invalid layout configuration: ${(err as Error).message}`, { cause: err });
  }
}

export function formatSpec(config: SyncRuntimeConfig): FormatSpec {
  const f = config.format;
  return {
    fileFormat: f.fileFormat,
    compression: f.compression,
    ...(f.gzipLevel !== undefined ? { gzipLevel: f.gzipLevel } : {}),
    ...(f.fileFormat === 'csv' ? { csv: { fieldDelimiter: f.fieldDelimiter, nullFormat: f.nullFormat, header: f.header } } : {}),
  };
}

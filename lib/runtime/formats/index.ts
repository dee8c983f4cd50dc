export { cellsLayout, rowsLayout } from './layout';
export type {
  CellsLayoutOptions, FieldType, FieldValue, KeyColumnSpec, OutputColumn, OutputLayout, RowColumnSpec, RowsLayoutOptions,
} from './layout';
export type { EncodeResult, RecordEncoder } from './encoder';
export { CsvEncoder } from './csv';
export type { CsvOptions } from './csv';
export { JsonLinesEncoder } from './jsonl';
export { ParquetEncoder } from './parquet-encoder';
export type { ParquetCodec, ParquetEncoderOptions } from './parquet-encoder';
export { createDeterministicGzip, createFileFormat, DEFAULT_GZIP_LEVEL } from './format';
export type { CompressionName, FileFormat, FileFormatName, FormatSpec } from './format';
export { binaryText, javaDoubleText } from './text';
export type { BinaryTextEncoding } from './text';

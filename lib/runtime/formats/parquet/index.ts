export { ParquetFileWriter } from './writer';
export type { ParquetCodec, ParquetColumnKind, ParquetColumnSpec, ParquetWriterOptions } from './writer';
export { snappyCompress } from './snappy';

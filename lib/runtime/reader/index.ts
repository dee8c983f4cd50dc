export * from './types';
export { readStreamWindow, StreamWindowReader, StreamWindowReaderOptions, StreamWindowError, StreamWindowErrorCode, StreamWindowStats } from './window-reader';
export { decodeBatch, toTimeseriesPoint, StreamRecordFormatError, DecodeBatchOptions, BatchFilterResult } from './record-decoder';

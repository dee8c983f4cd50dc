export * from './types';
export { DEFAULT_RECORD_LIMIT, readStreamWindow, StreamWindowReader, StreamWindowReaderOptions, StreamWindowError, StreamWindowErrorCode, StreamWindowStats } from './window-reader';
export { decodeBatch, toTimeseriesPoint, StreamRecordFormatError, DecodeBatchOptions, BatchFilterResult } from './record-decoder';

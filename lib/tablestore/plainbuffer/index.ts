export * from './constants';
export * from './types';
export { crc8Byte, crc8Range, crc8Uint32 } from './crc8';
export { decodeRows, decodeRow, decodeRowAt, readSequenceTimestamp, decodeUtf8, DecodeOptions } from './decode';
export { encodeRows, encodeRow, columnTypeOf, PlainBufferWriter, EncodableRow, EncodableCell, EncodablePrimaryKeyColumn } from './encode';

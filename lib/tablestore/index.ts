export * from './plainbuffer';
export * from './signing';
export * from './errors';
export { encodeMessage, decodeMessage, hasMessage } from './protocol/messages';
export { TABLESTORE_PROTO } from './protocol/schema';
export * from './protocol/stream-wire';
export * from './transport';
export * from './stream-client';
export * from './timeseries';

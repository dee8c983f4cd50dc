export * from './errors';
export * from './defaults';
export type { LocalDateTime, LocalTimeResolution } from './timezone';
export {
  assertTimeZone,
  localDateTimeAt,
  resolveLocalDateTime,
  utcOffsetAt,
} from './timezone';
export * from './expressions';
export * from './cron';
export * from './window';

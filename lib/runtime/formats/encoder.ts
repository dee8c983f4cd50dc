/**
 * The contract between the window writer and a file format. One encoder instance writes one file: `begin`,
 * then `encode` for successive record ranges, then `finish`. Encoders are synchronous and allocate one string
 * or buffer per call, not per field; the writer pipes the bytes through optional gzip into the upload.
 */
import type { StreamRecord } from '../reader/types';
import type { OutputColumn } from './layout';

export interface EncodeResult {
  /** How many records of the range were consumed (all, unless the byte budget stopped it early). */
  readonly records: number;
  /** Output rows those records produced. */
  readonly rows: number;
  /** Bytes ready to be written to the file (format-level compression already applied), or null. */
  readonly bytes: Buffer | null;
  /**
   * How much the consumed records add to the file's uncompressed size, counted the same way for every call so
   * that rolling files by size depends only on the record sequence.
   */
  readonly size: number;
}

export interface RecordEncoder {
  readonly format: 'csv' | 'jsonl' | 'parquet';
  /** File name extension without compression suffix. */
  readonly extension: string;
  readonly contentType: string;
  readonly columns: readonly OutputColumn[];
  /** Bytes every file starts with (CSV header row, Parquet magic), or null. Resets per-file state. */
  begin(): Buffer | null;
  /**
   * Encodes records[start, end). Stops after the first record that brings the size accounted in this call to
   * `sizeBudget` or more (so at least one record is consumed when start < end).
   */
  encode(records: readonly StreamRecord[], start: number, end: number, sizeBudget: number): EncodeResult;
  /** Bytes that end the file (buffered Parquet row groups and footer), or null. */
  finish(): Buffer | null;
}

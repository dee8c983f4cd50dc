/**
 * Chooses and configures the encoder for an export format, and the stream compression the writer applies
 * around it. CSV and JSON Lines are gzipped as a whole stream (one gzip member per file, no file name and a
 * zero mtime in the header, so equal input gives equal bytes); Parquet compresses its pages itself.
 */
import { createGzip, Gzip } from 'node:zlib';
import { CsvEncoder, CsvOptions } from './csv';
import type { RecordEncoder } from './encoder';
import { JsonLinesEncoder } from './jsonl';
import type { OutputLayout } from './layout';
import { ParquetEncoder } from './parquet-encoder';

export type FileFormatName = 'csv' | 'jsonl' | 'parquet';
export type CompressionName = 'gzip' | 'none' | 'snappy';

/** zlib level used when none is configured; the level 1 vs 6 measurements are in lib/runtime/writer/README.md. */
export const DEFAULT_GZIP_LEVEL = 6;

export interface FormatSpec {
  readonly fileFormat: FileFormatName;
  /** `gzip` (default) or `none`; `snappy` only for Parquet. */
  readonly compression?: CompressionName;
  /** zlib level 1 (fastest) to 9 (smallest); default DEFAULT_GZIP_LEVEL. */
  readonly gzipLevel?: number;
  readonly csv?: CsvOptions;
  readonly parquet?: {
    readonly rowGroupRows?: number;
    readonly rowGroupBytes?: number;
  };
  /** Parquet `created_by`. */
  readonly createdBy?: string;
}

export interface FileFormat {
  readonly encoder: RecordEncoder;
  /** Compression the writer applies to the encoder's byte stream. */
  readonly streamCompression: 'gzip' | 'none';
  readonly gzipLevel: number;
  /** Manifest label: `gzip`/`none` for text formats, the page codec for Parquet. */
  readonly compression: CompressionName;
  /** File name extension, compression suffix included (`csv.gz`, `jsonl`, `parquet`). */
  readonly extension: string;
  readonly contentType: string;
}

export function createFileFormat(layout: OutputLayout, spec: FormatSpec): FileFormat {
  const compression = spec.compression ?? 'gzip';
  const gzipLevel = spec.gzipLevel ?? DEFAULT_GZIP_LEVEL;
  if (!Number.isInteger(gzipLevel) || gzipLevel < 1 || gzipLevel > 9) {
    throw new Error(`gzipLevel must be an integer from 1 to 9, got ${gzipLevel}`);
  }
  switch (spec.fileFormat) {
    case 'csv':
    case 'jsonl': {
      if (compression === 'snappy') throw new Error(`compression 'snappy' applies to parquet only, not ${spec.fileFormat}`);
      const encoder = spec.fileFormat === 'csv' ? new CsvEncoder(layout, spec.csv) : new JsonLinesEncoder(layout);
      const gzip = compression === 'gzip';
      return {
        encoder,
        streamCompression: gzip ? 'gzip' : 'none',
        gzipLevel,
        compression,
        extension: gzip ? `${encoder.extension}.gz` : encoder.extension,
        contentType: gzip ? 'application/gzip' : encoder.contentType,
      };
    }
    case 'parquet': {
      const codec = compression === 'gzip' ? 'GZIP' : compression === 'snappy' ? 'SNAPPY' : 'UNCOMPRESSED';
      const encoder = new ParquetEncoder(layout, {
        codec,
        gzipLevel,
        rowGroupRows: spec.parquet?.rowGroupRows,
        rowGroupBytes: spec.parquet?.rowGroupBytes,
        createdBy: spec.createdBy,
      });
      return { encoder, streamCompression: 'none', gzipLevel, compression, extension: 'parquet', contentType: encoder.contentType };
    }
    default:
      throw new Error(`Unknown fileFormat ${JSON.stringify((spec as { fileFormat: unknown }).fileFormat)}: expected csv, jsonl or parquet`);
  }
}

/** A gzip stream whose output depends only on its input bytes and level (zlib writes mtime 0, no name). */
export function createDeterministicGzip(level: number): Gzip {
  return createGzip({ level, chunkSize: 256 * 1024 });
}

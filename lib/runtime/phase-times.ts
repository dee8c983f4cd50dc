/**
 * Where a run's main-thread time goes, for the benchmark's breakdown (`npm run bench`). The reader and the writer
 * add the wall time of their sections to a PhaseTimes when the run is given one (`SyncTuning.phaseTimes`);
 * otherwise the only cost is a test for undefined per page or chunk.
 */
export type Phase =
  /**
   * A GetStreamRecord page scanned into records: write times read and filtered to the window. The records of
   * wide-column tables stay encoded, so their PlainBuffer decoding (checksums included) counts under `format`.
   */
  | 'decode'
  /** Records decoded, laid out and printed by the encoder (CSV, JSON Lines, Parquet, Parquet's own compression included). */
  | 'format'
  /** Bytes handed to the gzip stream (zlib's JavaScript side; the deflate itself runs on the libuv threadpool). */
  | 'compress'
  /** SHA-256 and CRC-64 of the object, MD5 of each part. */
  | 'checksum'
  /** The OSS client's synchronous share of each request (signing, request set-up). */
  | 'upload'
  /** The writer waiting for the next page, decoding excluded: the service's answer, its transport and protobuf. */
  | 'awaitPages'
  /** The writer waiting for the gzip stream to drain (compression behind, or the upload behind it). */
  | 'awaitCompression'
  /** The writer waiting for an upload slot (parts in flight at the concurrency limit). */
  | 'awaitUpload';

export const PHASES: readonly Phase[] = ['decode', 'format', 'compress', 'checksum', 'upload', 'awaitPages', 'awaitCompression', 'awaitUpload'];

export class PhaseTimes {
  /** Milliseconds per phase. */
  readonly ms: Record<Phase, number> = { decode: 0, format: 0, compress: 0, checksum: 0, upload: 0, awaitPages: 0, awaitCompression: 0, awaitUpload: 0 };

  /** Adds the time since `since` (a performance.now() reading) to `phase`. */
  add(phase: Phase, since: number): void {
    this.ms[phase] += performance.now() - since;
  }
}

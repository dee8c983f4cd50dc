/**
 * In-memory state of the sandbox: buckets of objects and in-progress multipart uploads. Object bodies
 * are kept as the list of buffers they arrived in (a completed multipart object is its parts' buffers),
 * so nothing is concatenated unless a caller asks for the whole object.
 */
import type { ParsedPolicy } from './access';
import { createHash, randomBytes } from 'node:crypto';
import { crc64Combine } from '../../common/crc64';

export interface StoredObject {
  readonly key: string;
  /** Body as received; empty when the sandbox runs with `storeBodies: false`. */
  readonly chunks: readonly Buffer[];
  readonly size: number;
  /** Quoted, upper-case hex as OSS returns it (multipart: `"<md5 of part md5s>-<n>"`). */
  readonly etag: string;
  /** CRC-64/ECMA of the body as an unsigned decimal string; undefined when checksums are off. */
  readonly crc64: string | undefined;
  readonly lastModified: Date;
  readonly contentType: string;
  readonly type: 'Normal' | 'Multipart';
  readonly userMeta: Readonly<Record<string, string>>;
}

export interface UploadedPart {
  readonly partNumber: number;
  readonly chunks: readonly Buffer[];
  readonly size: number;
  /** Raw MD5 digest of the part body. */
  readonly md5: Buffer;
  readonly etag: string;
  readonly crc64: string | undefined;
  readonly lastModified: Date;
}

export interface MultipartUpload {
  readonly uploadId: string;
  readonly key: string;
  readonly initiated: Date;
  readonly contentType: string;
  readonly userMeta: Readonly<Record<string, string>>;
  readonly parts: Map<number, UploadedPart>;
}

export class Bucket {
  readonly objects = new Map<string, StoredObject>();
  readonly uploads = new Map<string, MultipartUpload>();
  /** The bucket policy as PutBucketPolicy stored it (text) and as the sandbox evaluates it. */
  policy: { readonly text: string; readonly parsed: ParsedPolicy } | undefined;
  /** ARN of the customer KMS key of the bucket's default SSE-KMS encryption, if any. */
  kmsKeyArn: string | undefined;

  constructor(readonly name: string) {}

  /** Keys in OSS listing order (byte order of the UTF-8 key). */
  sortedKeys(): string[] {
    return [...this.objects.keys()].sort(compareKeys);
  }

  initiateUpload(key: string, contentType: string, userMeta: Record<string, string>, now: Date): MultipartUpload {
    const upload: MultipartUpload = {
      uploadId: randomBytes(16).toString('hex').toUpperCase(),
      key,
      initiated: now,
      contentType,
      userMeta,
      parts: new Map(),
    };
    this.uploads.set(upload.uploadId, upload);
    return upload;
  }
}

/** OSS lists keys in lexicographic order of their UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function quotedEtag(md5: Buffer): string {
  return `"${md5.toString('hex').toUpperCase()}"`;
}

/** The multipart ETag: MD5 over the concatenated binary part MD5s, suffixed with the part count. */
export function multipartEtag(parts: readonly UploadedPart[]): string {
  const h = createHash('md5');
  for (const p of parts) h.update(p.md5);
  return `"${h.digest('hex').toUpperCase()}-${parts.length}"`;
}

/** CRC-64 of the concatenated parts, derived from the part checksums. */
export function multipartCrc64(parts: readonly UploadedPart[]): string | undefined {
  let crc = '0';
  for (const p of parts) {
    if (p.crc64 === undefined) return undefined;
    crc = crc64Combine(crc, p.crc64, p.size);
  }
  return crc;
}

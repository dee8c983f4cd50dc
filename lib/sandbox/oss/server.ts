/**
 * A loopback OSS endpoint (node:http on 127.0.0.1) that the official `ali-oss` client talks to unchanged.
 *
 * Pointing ali-oss at it: `new OSS(sandbox.clientOptions())`, i.e.
 *   { endpoint: 'http://127.0.0.1:<port>', bucket, accessKeyId, accessKeySecret, region: 'oss-cn-hangzhou' }
 * With an IP endpoint ali-oss keeps the bucket out of the URL path and sends `Host: <bucket>.<region host>`
 * instead, which the sandbox reads as virtual-hosted addressing. `cname: true` (any host, path = key)
 * addresses the default bucket; `pathStyle: true` accepts `/<bucket>/<key>` paths (ali-oss `sldEnable`).
 *
 * Implemented: PutObject, GetObject (Range), HeadObject, GetObjectMeta, DeleteObject, DeleteMultipleObjects,
 * ListObjects, ListObjectsV2, InitiateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts, ListMultipartUploads, GetBucketAcl, PutBucketPolicy, GetBucketPolicy.
 * Every request must carry a valid V1 or V4 signature, and is then authorized like OSS does (`access.ts`): the
 * bucket policy (with `acs:SecureTransport`: the sandbox also listens with TLS when `tls: true`) and the RAM
 * policies of the calling identity. The default AccessKey is the bucket owner's account key; `identities` adds RAM
 * users that can do only what their policies allow.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, Agent as HttpsAgent } from 'node:https';
import { closeServer, listenOnLoopback } from '../loopback';
import type { TLSSocket } from 'node:tls';
import { loopbackCertificate } from '../tls';
import { Caller, evaluateAccess, KMS_ACTION_OF, OSS_ACTION_OF, parsePolicy, PolicyError } from './access';
import { parseIdentityPolicies } from '../ram-policy';
import { Crc64 } from '../../common/crc64';
import { OssFault, OssFaults, OssOperation } from './faults';
import { SIGNED_SUBRESOURCES, verifySignature } from './signature';
import {
  Bucket, compareKeys, MultipartUpload, multipartCrc64, multipartEtag, quotedEtag, StoredObject, UploadedPart,
} from './store';
import { renderXml, unescapeXml, xmlBlocks, xmlText, XmlElement } from './xml';

export interface OssSandboxOptions {
  /** Default bucket (the one `clientOptions()` targets). Default `sandbox-bucket`. */
  readonly bucket?: string;
  /** Further buckets to create. */
  readonly extraBuckets?: readonly string[];
  /** Default `sandbox-ak` / `sandbox-secret`. */
  readonly accessKeyId?: string;
  readonly accessKeySecret?: string;
  /** ali-oss region the client is given; the Host header it sends is derived from it. Default `oss-cn-hangzhou`. */
  readonly region?: string;
  /** Keep object bodies (default true). `false` keeps only sizes and checksums: for pushing large volumes. */
  readonly storeBodies?: boolean;
  /** Compute `x-oss-hash-crc64ecma` for stored data (default true). */
  readonly crc64?: boolean;
  /** Smallest size of a multipart part other than the last (OSS: 100 KiB). */
  readonly minPartSize?: number;
  /** Accept `/<bucket>/<key>` paths (ali-oss `sldEnable: true`). Default false. */
  readonly pathStyle?: boolean;
  /** Reject requests whose x-oss-date/Date is further than this from the server clock. Default 15 minutes. */
  readonly maxClockSkewMs?: number;
  /** Port to listen on; default 0 (an ephemeral port). */
  readonly port?: number;
  /** Account that owns the buckets; the default AccessKey is this account's own key. Default `1000000000000001`. */
  readonly ownerAccountId?: string;
  /** RAM users of the owner's account, each with its AccessKey and RAM policy documents (JSON text). */
  readonly identities?: readonly OssIdentity[];
  /** Also serve HTTPS on a second port, with a certificate made at start (`httpsEndpoint`, `ca`). Default false. */
  readonly tls?: boolean;
}

/** A RAM user the sandbox knows: requests signed with its key are allowed only what its policies allow. */
export interface OssIdentity {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** RAM user id, what a bucket policy names in `Principal`. Default: derived from the AccessKey id. */
  readonly userId?: string;
  /** RAM policy documents (JSON text, no `Principal`), as attached to the user. */
  readonly policies: readonly string[];
}

/** One handled request, in arrival order. */
export interface OssRequestRecord {
  readonly operation: OssOperation | 'Unknown';
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  /** HTTP status sent, or 0 when the connection was dropped on purpose. */
  readonly status: number;
  /** OSS error code for failed requests. */
  readonly errorCode?: string;
  readonly requestBytes: number;
  readonly partNumber?: number;
  readonly uploadId?: string;
  readonly fault?: OssFault['kind'];
}

export type OssRequestListener = (record: OssRequestRecord) => void;

/** Options to hand to `new OSS(...)` from `ali-oss`. */
export interface AliOssClientOptions {
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly region: string;
}

export interface OssSandbox {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** `https://127.0.0.1:<port>` when started with `tls: true`. */
  readonly httpsEndpoint?: string;
  /** The PEM certificate HTTPS clients must trust, when started with `tls: true`. */
  readonly ca?: string;
  readonly ownerAccountId: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly faults: OssFaults;
  /** Every request handled so far. */
  readonly requests: readonly OssRequestRecord[];
  /** ali-oss constructor options for this sandbox over plain http (merged with `overrides`). */
  clientOptions(overrides?: Partial<AliOssClientOptions> & Record<string, unknown>): AliOssClientOptions & Record<string, unknown>;
  /** The same over HTTPS, trusting the sandbox certificate (needs `tls: true`). */
  secureClientOptions(overrides?: Partial<AliOssClientOptions> & Record<string, unknown>): AliOssClientOptions & Record<string, unknown>;
  /** Registers a RAM user (its policies are validated like RAM would: JSON, Version 1, no Principal). */
  addIdentity(identity: OssIdentity): void;
  /** Sets a bucket policy as PutBucketPolicy does (same validation); throws on an invalid policy. */
  putBucketPolicy(policy: string, bucket?: string): void;
  /** Default SSE-KMS with this customer key (`acs:kms:<region>:<account>:key/<id>`): RAM callers then need its permissions. */
  setBucketKmsKey(keyArn: string | undefined, bucket?: string): void;
  /** Calls `listener` after each request has been answered (or dropped); returns an unsubscribe function. */
  onRequest(listener: OssRequestListener): () => void;
  /** Whole bodies of all objects of a bucket (default bucket when omitted), keyed by object key, in key order. */
  objects(bucket?: string): Map<string, Buffer>;
  /** Metadata of one object, or undefined. */
  head(key: string, bucket?: string): StoredObject | undefined;
  /** In-progress multipart uploads of a bucket. */
  uploads(bucket?: string): ReadonlyArray<{ readonly key: string; readonly uploadId: string; readonly parts: number }>;
  /** Stores an object directly (test setup), bypassing HTTP. */
  putObject(key: string, body: Buffer | string, bucket?: string): void;
  close(): Promise<void>;
}

interface OssErrorSpec {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly extra?: Readonly<Record<string, string>>;
}

class OssError extends Error {
  constructor(readonly spec: OssErrorSpec) {
    super(spec.message);
  }
}

function fail(status: number, code: string, message: string, extra?: Record<string, string>): never {
  throw new OssError({ status, code, message, extra });
}

/** Raw query pairs, decoded, in order; a bare `?uploads` yields ['uploads', '']. */
function parseQuery(search: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!search) return out;
  for (const part of search.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out.push([decodeURIComponent(k.replace(/\+/g, '%20')), decodeURIComponent(v.replace(/\+/g, '%20'))]);
  }
  return out;
}

function classify(method: string, key: string, q: ReadonlyMap<string, string>): OssOperation | undefined {
  if (key === '') {
    if (method === 'GET' && q.has('acl')) return 'GetBucketAcl';
    if (method === 'PUT' && q.has('policy')) return 'PutBucketPolicy';
    if (method === 'GET' && q.has('policy')) return 'GetBucketPolicy';
    // Any other sub-resource selects a bucket API the sandbox lacks; answering it as a listing would be lenient.
    if ([...q.keys()].some((k) => SIGNED_SUBRESOURCES.has(k) && k !== 'uploads' && k !== 'delete' && k !== 'continuation-token')) return undefined;
    if (method === 'GET' && q.has('uploads')) return 'ListMultipartUploads';
    if (method === 'GET' && q.get('list-type') === '2') return 'ListObjectsV2';
    if (method === 'GET') return 'ListObjects';
    if (method === 'POST' && q.has('delete')) return 'DeleteMultipleObjects';
    return undefined;
  }
  // Sub-resources other than the ones below select APIs (acl, tagging, symlink...) the sandbox lacks.
  const plain = ![...q.keys()].some((k) => SIGNED_SUBRESOURCES.has(k) && !k.startsWith('response-'));
  const apis = Object.prototype.hasOwnProperty.call(OBJECT_APIS, method) ? OBJECT_APIS[method] : undefined;
  const selected = apis?.bySubresources.find(([names]) => names.every((name) => q.has(name)));
  if (selected) return selected[1];
  return plain ? apis?.plain : undefined;
}

/**
 * The object APIs of each method: the first whose sub-resources the query carries all of, else `plain` when the
 * query carries no sub-resource (the method has no such API where `plain` is absent).
 */
const OBJECT_APIS: Readonly<Record<string, { readonly bySubresources: ReadonlyArray<readonly [readonly string[], OssOperation]>; readonly plain?: OssOperation }>> = {
  PUT: { bySubresources: [[['uploadId', 'partNumber'], 'UploadPart']], plain: 'PutObject' },
  GET: { bySubresources: [[['uploadId'], 'ListParts']], plain: 'GetObject' },
  HEAD: { bySubresources: [[['objectMeta'], 'GetObjectMeta']], plain: 'HeadObject' },
  DELETE: { bySubresources: [[['uploadId'], 'AbortMultipartUpload']], plain: 'DeleteObject' },
  POST: { bySubresources: [[['uploads'], 'InitiateMultipartUpload'], [['uploadId'], 'CompleteMultipartUpload']] },
};

function userMetaOf(req: IncomingMessage): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith('x-oss-meta-') && typeof v === 'string') meta[k] = v;
  }
  return meta;
}

function intParam(q: ReadonlyMap<string, string>, name: string, dflt: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(400, 'InvalidArgument', `${name} must be an integer between ${min} and ${max}, got '${raw}'.`, { ArgumentName: name, ArgumentValue: raw });
  return n;
}

function sliceChunks(chunks: readonly Buffer[], start: number, endExclusive: number): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (const c of chunks) {
    const cStart = offset;
    const cEnd = offset + c.length;
    offset = cEnd;
    if (cEnd <= start) continue;
    if (cStart >= endExclusive) break;
    out.push(c.subarray(Math.max(0, start - cStart), Math.min(c.length, endExclusive - cStart)));
  }
  return out;
}

/** Parses `bytes=a-b`; undefined when absent or not satisfiable (OSS then answers the whole object). */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return undefined;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return undefined;
  return { start, end };
}

const httpDate = (d: Date): string => d.toUTCString();

/** `20240101T000000Z` (V4) or an RFC 1123 date (V1). */
function parseRequestDate(value: string): number {
  const v4 = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (v4) return Date.UTC(+v4[1], +v4[2] - 1, +v4[3], +v4[4], +v4[5], +v4[6]);
  return Date.parse(value);
}

export async function startOssSandbox(options: OssSandboxOptions = {}): Promise<OssSandbox> {
  const defaultBucket = options.bucket ?? 'sandbox-bucket';
  const accessKeyId = options.accessKeyId ?? 'sandbox-ak';
  const accessKeySecret = options.accessKeySecret ?? 'sandbox-secret';
  const region = options.region ?? 'oss-cn-hangzhou';
  const storeBodies = options.storeBodies ?? true;
  const withCrc = options.crc64 ?? true;
  const minPartSize = options.minPartSize ?? 100 * 1024;
  const maxSkew = options.maxClockSkewMs ?? 15 * 60 * 1000;
  const ownerAccountId = options.ownerAccountId ?? '1000000000000001';
  const regionId = region.replace(/^oss-/, '');
  const credentials = new Map([[accessKeyId, accessKeySecret]]);
  const callers = new Map<string, Caller>([[accessKeyId, { accountId: ownerAccountId, policies: [] }]]);
  function addIdentity(identity: OssIdentity): void {
    if (credentials.has(identity.accessKeyId)) throw new Error(`The OSS sandbox already has an identity with AccessKey ${identity.accessKeyId}`);
    const policies = parseIdentityPolicies(identity.accessKeyId, identity.policies);
    credentials.set(identity.accessKeyId, identity.accessKeySecret);
    callers.set(identity.accessKeyId, { accountId: ownerAccountId, ramUserId: identity.userId ?? `ram-${identity.accessKeyId}`, policies });
  }
  for (const identity of options.identities ?? []) addIdentity(identity);
  const arnOf = (bucket: string, key?: string): string => `acs:oss:${regionId}:${ownerAccountId}:${bucket}${key === undefined ? '' : `/${key}`}`;
  function authorize(operation: OssOperation, caller: Caller, bucket: Bucket, keys: readonly string[] | undefined, secureTransport: boolean): void {
    for (const resource of keys === undefined ? [arnOf(bucket.name)] : keys.map((k) => arnOf(bucket.name, k))) {
      const decision = evaluateAccess({ action: OSS_ACTION_OF[operation], resource, secureTransport }, caller, bucket.policy?.parsed, ownerAccountId);
      if (!decision.allowed) fail(403, 'AccessDenied', `You have no right to access this resource: ${decision.reason}.`);
    }
    const kmsAction = KMS_ACTION_OF[operation];
    if (kmsAction && bucket.kmsKeyArn && caller.ramUserId !== undefined) {
      // KMS permissions come from the caller's RAM policies only; a bucket policy does not grant KMS actions.
      const decision = evaluateAccess({ action: kmsAction, resource: bucket.kmsKeyArn, secureTransport }, caller, undefined, ownerAccountId);
      if (!decision.allowed) fail(403, 'AccessDenied', `The bucket encrypts with KMS key ${bucket.kmsKeyArn}: ${decision.reason}.`);
    }
  }
  function setBucketPolicy(bucket: Bucket, text: string): void {
    bucket.policy = { text, parsed: parsePolicy(text, 'bucket') };
  }
  const buckets = new Map<string, Bucket>();
  for (const name of [defaultBucket, ...(options.extraBuckets ?? [])]) buckets.set(name, new Bucket(name));
  const faults = new OssFaults();
  const requests: OssRequestRecord[] = [];
  const listeners = new Set<OssRequestListener>();
  let requestSeq = 0;

  function bucketOf(name?: string): Bucket {
    const b = buckets.get(name ?? defaultBucket);
    if (!b) throw new Error(`The sandbox has no bucket '${name}'; it has: ${[...buckets.keys()].join(', ')}`);
    return b;
  }

  /** Virtual-hosted (`<bucket>.<host>`), path-style (`/<bucket>/<key>`), or the default bucket (cname). */
  function resolveTarget(host: string, path: string): { bucket: string; key: string } {
    const hostname = host.replace(/:\d+$/, '');
    const label = hostname.split('.')[0];
    const rawKey = path.startsWith('/') ? path.slice(1) : path;
    if (hostname.includes('.') && !/^\d+\.\d+\.\d+\.\d+$/.test(hostname) && label) {
      return { bucket: label, key: decodeURIComponent(rawKey) };
    }
    if (options.pathStyle) {
      const slash = rawKey.indexOf('/');
      const bucket = decodeURIComponent(slash < 0 ? rawKey : rawKey.slice(0, slash));
      return { bucket, key: slash < 0 ? '' : decodeURIComponent(rawKey.slice(slash + 1)) };
    }
    return { bucket: defaultBucket, key: decodeURIComponent(rawKey) };
  }

  interface Body { chunks: Buffer[]; size: number; md5: Buffer; crc64: string | undefined }

  /** Reads the request body, hashing as it arrives; `dropAfter` destroys the socket once that many bytes came. */
  function readBody(req: IncomingMessage, dropAfter?: number): Promise<Body | 'dropped'> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const md5 = createHash('md5');
      const crc = withCrc ? new Crc64() : undefined;
      let size = 0;
      let done = false;
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (dropAfter !== undefined && size >= dropAfter) {
          done = true;
          req.socket.destroy();
          resolve('dropped');
          return;
        }
        md5.update(chunk);
        crc?.update(chunk);
        if (storeBodies) chunks.push(chunk);
      });
      req.on('end', () => {
        if (done) return;
        done = true;
        if (dropAfter !== undefined) {
          // The body was shorter than the drop threshold: drop at its end.
          req.socket.destroy();
          resolve('dropped');
          return;
        }
        resolve({ chunks, size, md5: md5.digest(), crc64: crc?.digest() });
      });
      req.on('error', (e) => {
        if (!done) {
          done = true;
          reject(e);
        }
      });
    });
  }

  function requireObject(bucket: Bucket, key: string): StoredObject {
    const obj = bucket.objects.get(key);
    if (!obj) fail(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    return obj;
  }

  function requireUpload(bucket: Bucket, key: string, uploadId: string | undefined): MultipartUpload {
    const upload = uploadId ? bucket.uploads.get(uploadId) : undefined;
    if (!upload || upload.key !== key) fail(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId ?? '' });
    return upload;
  }

  function checkContentMd5(req: IncomingMessage, body: Body): void {
    const declared = req.headers['content-md5'];
    if (typeof declared === 'string' && declared !== body.md5.toString('base64')) {
      fail(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.', { 'Content-MD5': declared });
    }
  }

  function checkOverwrite(req: IncomingMessage, bucket: Bucket, key: string): void {
    if (String(req.headers['x-oss-forbid-overwrite']).toLowerCase() === 'true' && bucket.objects.has(key)) {
      fail(409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.', { Key: key });
    }
  }

  type Reply = { status: number; headers: Record<string, string | number>; body?: string | readonly Buffer[] };

  const xmlReply = (root: string, body: XmlElement, headers: Record<string, string | number> = {}): Reply =>
    ({ status: 200, headers: { 'Content-Type': 'application/xml', ...headers }, body: renderXml(root, body) });

  function objectHeaders(obj: StoredObject): Record<string, string | number> {
    const h: Record<string, string | number> = {
      'ETag': obj.etag,
      'Last-Modified': httpDate(obj.lastModified),
      'Content-Type': obj.contentType,
      'x-oss-object-type': obj.type,
      'x-oss-storage-class': 'Standard',
      'Accept-Ranges': 'bytes',
      ...obj.userMeta,
    };
    if (obj.crc64 !== undefined) h['x-oss-hash-crc64ecma'] = obj.crc64;
    return h;
  }

  function listObjects(bucket: Bucket, q: ReadonlyMap<string, string>, v2: boolean): Reply {
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxKeys = intParam(q, 'max-keys', 100, 0, 1000);
    const urlEncode = q.get('encoding-type') === 'url';
    const enc = (s: string): string => (urlEncode ? encodeURIComponent(s) : s);
    let marker: string;
    if (v2) {
      const token = q.get('continuation-token');
      marker = token ? Buffer.from(token, 'base64url').toString('utf8') : (q.get('start-after') ?? '');
    } else {
      marker = q.get('marker') ?? '';
    }
    const contents: XmlElement[] = [];
    const prefixes: string[] = [];
    let last = '';
    let truncated = false;
    for (const key of bucket.sortedKeys()) {
      if (marker && compareKeys(key, marker) <= 0) continue;
      if (!key.startsWith(prefix)) continue;
      let common: string | undefined;
      if (delimiter) {
        const i = key.indexOf(delimiter, prefix.length);
        if (i >= 0) common = key.slice(0, i + delimiter.length);
      }
      if (common !== undefined && (common === prefixes[prefixes.length - 1] || common === marker)) continue;
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (common !== undefined) {
        prefixes.push(common);
        last = common;
      } else {
        const obj = bucket.objects.get(key)!;
        const entry: Record<string, XmlElement | string | number | undefined> = {
          Key: enc(key),
          LastModified: obj.lastModified.toISOString(),
          ETag: obj.etag,
          Type: obj.type,
          Size: obj.size,
          StorageClass: 'Standard',
        };
        if (!v2 || q.get('fetch-owner') === 'true') entry.Owner = { ID: accessKeyId, DisplayName: accessKeyId };
        contents.push(entry as XmlElement);
        last = key;
      }
    }
    const common = prefixes.map((p) => ({ Prefix: enc(p) }));
    if (v2) {
      return xmlReply('ListBucketResult', {
        Name: bucket.name,
        Prefix: enc(prefix),
        ContinuationToken: q.get('continuation-token'),
        StartAfter: q.has('start-after') ? enc(q.get('start-after')!) : undefined,
        MaxKeys: maxKeys,
        Delimiter: enc(delimiter),
        EncodingType: urlEncode ? 'url' : undefined,
        IsTruncated: truncated,
        NextContinuationToken: truncated ? Buffer.from(last, 'utf8').toString('base64url') : undefined,
        KeyCount: contents.length + prefixes.length,
        Contents: contents,
        CommonPrefixes: common,
      });
    }
    return xmlReply('ListBucketResult', {
      Name: bucket.name,
      Prefix: enc(prefix),
      Marker: enc(marker),
      MaxKeys: maxKeys,
      Delimiter: enc(delimiter),
      EncodingType: urlEncode ? 'url' : undefined,
      IsTruncated: truncated,
      NextMarker: truncated ? enc(last) : undefined,
      Contents: contents,
      CommonPrefixes: common,
    });
  }

  function listUploads(bucket: Bucket, q: ReadonlyMap<string, string>): Reply {
    const prefix = q.get('prefix') ?? '';
    const keyMarker = q.get('key-marker') ?? '';
    const uploadIdMarker = q.get('upload-id-marker') ?? '';
    const maxUploads = intParam(q, 'max-uploads', 1000, 1, 1000);
    const all = [...bucket.uploads.values()]
      .filter((u) => u.key.startsWith(prefix))
      .sort((a, b) => compareKeys(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime() || a.uploadId.localeCompare(b.uploadId));
    let start = 0;
    if (keyMarker) {
      start = all.findIndex((u) => {
        const c = compareKeys(u.key, keyMarker);
        return c > 0 || (c === 0 && uploadIdMarker !== '' && u.uploadId > uploadIdMarker);
      });
      if (start < 0) start = all.length;
    }
    const page = all.slice(start, start + maxUploads);
    const truncated = start + maxUploads < all.length;
    const lastUp = page[page.length - 1];
    return xmlReply('ListMultipartUploadsResult', {
      Bucket: bucket.name,
      KeyMarker: keyMarker,
      UploadIdMarker: uploadIdMarker,
      NextKeyMarker: truncated && lastUp ? lastUp.key : '',
      NextUploadIdMarker: truncated && lastUp ? lastUp.uploadId : '',
      Delimiter: q.get('delimiter') ?? '',
      Prefix: prefix,
      MaxUploads: maxUploads,
      IsTruncated: truncated,
      Upload: page.map((u) => ({ Key: u.key, UploadId: u.uploadId, StorageClass: 'Standard', Initiated: u.initiated.toISOString() })),
    });
  }

  function listParts(bucket: Bucket, key: string, q: ReadonlyMap<string, string>): Reply {
    const upload = requireUpload(bucket, key, q.get('uploadId'));
    const marker = intParam(q, 'part-number-marker', 0, 0, 10000);
    const maxParts = intParam(q, 'max-parts', 1000, 1, 1000);
    const parts = [...upload.parts.values()].filter((p) => p.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber);
    const page = parts.slice(0, maxParts);
    const truncated = parts.length > maxParts;
    return xmlReply('ListPartsResult', {
      Bucket: bucket.name,
      Key: key,
      UploadId: upload.uploadId,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.length ? page[page.length - 1].partNumber : marker,
      MaxParts: maxParts,
      IsTruncated: truncated,
      Part: page.map((p) => ({ PartNumber: p.partNumber, LastModified: p.lastModified.toISOString(), ETag: p.etag, HashCrc64ecma: p.crc64, Size: p.size })),
    });
  }

  function completeUpload(bucket: Bucket, key: string, upload: MultipartUpload, xml: string, req: IncomingMessage): Reply {
    const requested = xmlBlocks(xml, 'Part').map((block) => ({
      partNumber: Number(xmlText(block, 'PartNumber')),
      etag: (xmlText(block, 'ETag') ?? '').replace(/"/g, '').toUpperCase(),
    }));
    if (requested.length === 0) fail(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema: no <Part> elements.');
    const parts: UploadedPart[] = [];
    let prev = 0;
    for (const r of requested) {
      if (!Number.isInteger(r.partNumber) || r.partNumber <= prev) {
        fail(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts list must be specified in order by part number.', { PartNumber: String(r.partNumber) });
      }
      prev = r.partNumber;
      const part = upload.parts.get(r.partNumber);
      if (!part || part.etag.replace(/"/g, '') !== r.etag) {
        fail(400, 'InvalidPart', 'One or more of the specified parts could not be found or the specified entity tag might not have matched the part\'s entity tag.', { PartNumber: String(r.partNumber), ETag: r.etag });
      }
      parts.push(part);
    }
    for (const part of parts.slice(0, -1)) {
      if (part.size < minPartSize) {
        fail(400, 'EntityTooSmall', `Your proposed upload is smaller than the minimum allowed size: part ${part.partNumber} has ${part.size} bytes, the minimum is ${minPartSize}.`, { PartNumber: String(part.partNumber) });
      }
    }
    checkOverwrite(req, bucket, key);
    const obj: StoredObject = {
      key,
      chunks: parts.flatMap((p) => p.chunks),
      size: parts.reduce((n, p) => n + p.size, 0),
      etag: multipartEtag(parts),
      crc64: withCrc ? multipartCrc64(parts) : undefined,
      lastModified: new Date(),
      contentType: upload.contentType,
      type: 'Multipart',
      userMeta: upload.userMeta,
    };
    bucket.objects.set(key, obj);
    bucket.uploads.delete(upload.uploadId);
    const headers: Record<string, string> = { ETag: obj.etag };
    if (obj.crc64 !== undefined) headers['x-oss-hash-crc64ecma'] = obj.crc64;
    return xmlReply('CompleteMultipartUploadResult', {
      Location: `http://${bucket.name}.${region}.aliyuncs.com/${encodeURIComponent(key)}`,
      Bucket: bucket.name,
      Key: key,
      ETag: obj.etag,
    }, headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, log: (r: Partial<OssRequestRecord>) => void): Promise<Reply | 'dropped'> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const qIndex = url.indexOf('?');
    const path = qIndex < 0 ? url : url.slice(0, qIndex);
    const query = parseQuery(qIndex < 0 ? '' : url.slice(qIndex + 1));
    const q = new Map(query);
    const { bucket: bucketName, key } = resolveTarget(String(req.headers.host ?? ''), path);
    const operation = classify(method, key, q);
    log({ operation: operation ?? 'Unknown', method, bucket: bucketName, key, uploadId: q.get('uploadId'), partNumber: q.has('partNumber') ? Number(q.get('partNumber')) : undefined });
    const bucket = buckets.get(bucketName);
    if (!bucket) fail(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: bucketName });
    if (!operation) fail(501, 'NotImplemented', `The OSS sandbox does not implement ${method} with parameters [${[...q.keys()].join(', ')}] on ${key ? 'an object' : 'a bucket'}.`);

    let fault = faults.take(operation, key);
    if (fault) log({ fault: fault.kind });
    if (fault?.kind === 'delay') {
      await new Promise((r) => setTimeout(r, fault && fault.kind === 'delay' ? fault.ms : 0));
      fault = undefined;
    }
    if (fault?.kind === 'drop' && fault.afterBodyBytes === undefined) {
      req.socket.destroy();
      return 'dropped';
    }

    const auth = verifySignature({ method, bucket: bucketName, key, query, headers: req.headers }, credentials);
    if (!auth.ok) {
      const extra: Record<string, string> = {};
      if (auth.stringToSign !== undefined) extra.StringToSign = auth.stringToSign;
      fail(403, auth.code, auth.message, extra);
    }
    const caller = callers.get(auth.accessKeyId)!;
    const secureTransport = (req.socket as TLSSocket).encrypted === true;
    // DeleteMultipleObjects is authorized per listed key, once the body is in.
    if (operation !== 'DeleteMultipleObjects') authorize(operation, caller, bucket, key === '' ? undefined : [key], secureTransport);
    const dateHeader = req.headers['x-oss-date'] ?? req.headers.date;
    if (typeof dateHeader === 'string') {
      const t = parseRequestDate(dateHeader);
      if (Number.isNaN(t)) fail(403, 'AccessDenied', `Invalid date header: ${dateHeader}`);
      if (Math.abs(t - Date.now()) > maxSkew) fail(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', { RequestTime: dateHeader, ServerTime: new Date().toISOString() });
    }

    const hasBody = method === 'PUT' || method === 'POST';
    let body: Body = { chunks: [], size: 0, md5: createHash('md5').digest(), crc64: undefined };
    if (hasBody) {
      const got = await readBody(req, fault?.kind === 'drop' ? fault.afterBodyBytes : undefined);
      if (got === 'dropped') return 'dropped';
      body = got;
      log({ requestBytes: body.size });
    } else {
      req.resume();
    }
    if (fault?.kind === 'error') fail(fault.status, fault.code, fault.message ?? `Injected fault: ${fault.code}`);

    const now = new Date();
    switch (operation) {
      case 'PutObject': {
        checkContentMd5(req, body);
        checkOverwrite(req, bucket, key);
        const obj: StoredObject = {
          key,
          chunks: body.chunks,
          size: body.size,
          etag: quotedEtag(body.md5),
          crc64: body.crc64,
          lastModified: now,
          contentType: String(req.headers['content-type'] ?? 'application/octet-stream'),
          type: 'Normal',
          userMeta: userMetaOf(req),
        };
        bucket.objects.set(key, obj);
        const headers: Record<string, string> = { ETag: obj.etag, 'Content-MD5': body.md5.toString('base64') };
        if (obj.crc64 !== undefined) headers['x-oss-hash-crc64ecma'] = obj.crc64;
        return { status: 200, headers };
      }
      case 'GetObject': {
        const obj = requireObject(bucket, key);
        const range = parseRange(typeof req.headers.range === 'string' ? req.headers.range : undefined, obj.size);
        if (!storeBodies && obj.size > 0) fail(501, 'NotImplemented', 'This sandbox runs with storeBodies: false and cannot return object bodies.');
        if (range) {
          return {
            status: 206,
            headers: { ...objectHeaders(obj), 'Content-Range': `bytes ${range.start}-${range.end}/${obj.size}`, 'Content-Length': range.end - range.start + 1 },
            body: sliceChunks(obj.chunks, range.start, range.end + 1),
          };
        }
        return { status: 200, headers: { ...objectHeaders(obj), 'Content-Length': obj.size }, body: obj.chunks };
      }
      case 'HeadObject': {
        const obj = requireObject(bucket, key);
        return { status: 200, headers: { ...objectHeaders(obj), 'Content-Length': obj.size } };
      }
      case 'GetObjectMeta': {
        const obj = requireObject(bucket, key);
        const h: Record<string, string | number> = { ETag: obj.etag, 'Last-Modified': httpDate(obj.lastModified), 'Content-Length': obj.size };
        if (obj.crc64 !== undefined) h['x-oss-hash-crc64ecma'] = obj.crc64;
        return { status: 200, headers: h };
      }
      case 'DeleteObject':
        bucket.objects.delete(key);
        return { status: 204, headers: {} };
      case 'DeleteMultipleObjects': {
        const xml = Buffer.concat(body.chunks).toString('utf8');
        checkContentMd5(req, body);
        const keys = xmlBlocks(xml, 'Object').map((block) => unescapeXml(xmlBlocks(block, 'Key')[0] ?? ''));
        if (keys.length > 1000) fail(400, 'MalformedXML', `DeleteMultipleObjects accepts at most 1000 keys, got ${keys.length}.`);
        authorize(operation, caller, bucket, keys, secureTransport);
        for (const k of keys) bucket.objects.delete(k);
        const quiet = (xmlText(xml, 'Quiet') ?? 'false').toLowerCase() === 'true';
        return xmlReply('DeleteResult', { Deleted: quiet ? undefined : keys.map((k) => ({ Key: k })) });
      }
      case 'ListObjects':
        return listObjects(bucket, q, false);
      case 'ListObjectsV2':
        return listObjects(bucket, q, true);
      case 'InitiateMultipartUpload': {
        checkOverwrite(req, bucket, key);
        const upload = bucket.initiateUpload(key, String(req.headers['content-type'] ?? 'application/octet-stream'), userMetaOf(req), now);
        return xmlReply('InitiateMultipartUploadResult', { Bucket: bucket.name, Key: key, UploadId: upload.uploadId });
      }
      case 'UploadPart': {
        const upload = requireUpload(bucket, key, q.get('uploadId'));
        const partNumber = intParam(q, 'partNumber', 0, 1, 10000);
        checkContentMd5(req, body);
        const part: UploadedPart = {
          partNumber,
          chunks: body.chunks,
          size: body.size,
          md5: body.md5,
          etag: quotedEtag(body.md5),
          crc64: body.crc64,
          lastModified: now,
        };
        upload.parts.set(partNumber, part);
        const headers: Record<string, string> = { ETag: part.etag, 'Content-MD5': body.md5.toString('base64') };
        if (part.crc64 !== undefined) headers['x-oss-hash-crc64ecma'] = part.crc64;
        return { status: 200, headers };
      }
      case 'CompleteMultipartUpload': {
        const upload = requireUpload(bucket, key, q.get('uploadId'));
        return completeUpload(bucket, key, upload, Buffer.concat(body.chunks).toString('utf8'), req);
      }
      case 'AbortMultipartUpload': {
        const upload = requireUpload(bucket, key, q.get('uploadId'));
        bucket.uploads.delete(upload.uploadId);
        return { status: 204, headers: {} };
      }
      case 'ListParts':
        return listParts(bucket, key, q);
      case 'ListMultipartUploads':
        return listUploads(bucket, q);
      case 'GetBucketAcl':
        return xmlReply('AccessControlPolicy', {
          Owner: { ID: ownerAccountId, DisplayName: ownerAccountId },
          AccessControlList: { Grant: 'private' },
        });
      case 'PutBucketPolicy': {
        try {
          setBucketPolicy(bucket, Buffer.concat(body.chunks).toString('utf8'));
        } catch (err) {
          // Assumption: the error code (OSS documents that it validates the policy, not the code it answers with).
          if (err instanceof PolicyError) fail(400, 'MalformedPolicy', `The bucket policy is invalid: ${err.message}.`);
          throw err;
        }
        return { status: 200, headers: {} };
      }
      case 'GetBucketPolicy':
        if (!bucket.policy) fail(404, 'NoSuchBucketPolicy', 'The bucket policy does not exist.', { BucketName: bucket.name });
        return { status: 200, headers: { 'Content-Type': 'application/json' }, body: bucket.policy.text };
    }
  }

  async function send(res: ServerResponse, method: string, reply: Reply, requestId: string): Promise<void> {
    const headers: Record<string, string | number> = {
      'Server': 'AliyunOSS',
      'Date': httpDate(new Date()),
      'x-oss-request-id': requestId,
      ...reply.headers,
    };
    const body = reply.body;
    if (typeof body === 'string') {
      const buf = Buffer.from(body, 'utf8');
      headers['Content-Length'] = buf.length;
      res.writeHead(reply.status, headers);
      res.end(method === 'HEAD' ? undefined : buf);
      return;
    }
    if (!('Content-Length' in headers)) headers['Content-Length'] = body ? body.reduce((n, c) => n + c.length, 0) : 0;
    res.writeHead(reply.status, headers);
    if (!body || method === 'HEAD') {
      res.end();
      return;
    }
    for (const chunk of body) {
      if (!res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
        if (res.destroyed) return;
      }
    }
    res.end();
  }

  function sendError(res: ServerResponse, method: string, spec: OssErrorSpec, requestId: string): void {
    const xml = renderXml('Error', {
      Code: spec.code,
      Message: spec.message,
      RequestId: requestId,
      HostId: `${defaultBucket}.${region}.aliyuncs.com`,
      ...(spec.extra ?? {}),
    });
    const headers: Record<string, string | number> = {
      'Server': 'AliyunOSS',
      'Date': httpDate(new Date()),
      'x-oss-request-id': requestId,
      'Content-Type': 'application/xml',
    };
    if (method === 'HEAD') {
      headers['x-oss-err'] = Buffer.from(xml, 'utf8').toString('base64');
      headers['Content-Length'] = 0;
      res.writeHead(spec.status, headers);
      res.end();
      return;
    }
    const buf = Buffer.from(xml, 'utf8');
    headers['Content-Length'] = buf.length;
    res.writeHead(spec.status, headers);
    res.end(buf);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    requestSeq += 1;
    const requestId = `${Date.now().toString(16).toUpperCase()}${requestSeq.toString(16).padStart(8, '0').toUpperCase()}${randomBytes(4).toString('hex').toUpperCase()}`;
    const record: { -readonly [K in keyof OssRequestRecord]: OssRequestRecord[K] } = {
      operation: 'Unknown', method: req.method ?? '', bucket: '', key: '', status: 0, requestBytes: 0,
    };
    const log = (r: Partial<OssRequestRecord>): void => {
      Object.assign(record, r);
    };
    const finish = (): void => {
      requests.push({ ...record });
      for (const l of listeners) l({ ...record });
    };
    handle(req, res, log).then(
      async (reply) => {
        if (reply === 'dropped') {
          record.status = 0;
          finish();
          return;
        }
        record.status = reply.status;
        await send(res, record.method, reply, requestId);
        finish();
      },
      (err: unknown) => {
        const spec: OssErrorSpec = err instanceof OssError
          ? err.spec
          : { status: 500, code: 'InternalError', message: `OSS sandbox internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}` };
        record.status = spec.status;
        record.errorCode = spec.code;
        // Drain the unread request body so keep-alive connections stay usable.
        req.resume();
        if (!res.headersSent && !res.destroyed) sendError(res, record.method, spec, requestId);
        finish();
      },
    );
  };
  const listen = (srv: Server, port: number): Promise<number> => {
    srv.keepAliveTimeout = 5000;
    return listenOnLoopback(srv, port);
  };
  const server: Server = createServer(onRequest);
  const port = await listen(server, options.port ?? 0);
  const endpoint = `http://127.0.0.1:${port}`;
  // ali-oss verifies the certificate against the virtual-hosted name it sends in Host, as OSS's own wildcard covers.
  const certificate = options.tls ? loopbackCertificate([`*.${region}.aliyuncs.com`]) : undefined;
  const tlsServer = certificate ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, onRequest) : undefined;
  const httpsEndpoint = tlsServer ? `https://127.0.0.1:${await listen(tlsServer as unknown as Server, 0)}` : undefined;
  const httpsAgent = certificate ? new HttpsAgent({ ca: certificate.cert, keepAlive: true }) : undefined;
  return {
    endpoint,
    port,
    httpsEndpoint,
    ca: certificate?.cert,
    ownerAccountId,
    bucket: defaultBucket,
    region,
    accessKeyId,
    accessKeySecret,
    faults,
    requests,
    clientOptions: (overrides = {}) => ({ endpoint, bucket: defaultBucket, accessKeyId, accessKeySecret, region, ...overrides }),
    secureClientOptions(overrides = {}) {
      if (!httpsEndpoint) throw new Error('The OSS sandbox serves HTTPS only when started with tls: true');
      return { endpoint: httpsEndpoint, bucket: defaultBucket, accessKeyId, accessKeySecret, region, httpsAgent, ...overrides };
    },
    addIdentity,
    putBucketPolicy(policy, bucket) {
      setBucketPolicy(bucketOf(bucket), policy);
    },
    setBucketKmsKey(keyArn, bucket) {
      if (keyArn !== undefined && !/^acs:kms:[^:]+:[^:]+:key\/.+$/.test(keyArn)) throw new Error(`not a KMS key ARN: ${keyArn}`);
      bucketOf(bucket).kmsKeyArn = keyArn;
    },
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    objects(bucket) {
      const b = bucketOf(bucket);
      const out = new Map<string, Buffer>();
      for (const key of b.sortedKeys()) {
        const obj = b.objects.get(key)!;
        out.set(key, obj.chunks.length === 1 ? obj.chunks[0] : Buffer.concat(obj.chunks as Buffer[]));
      }
      return out;
    },
    head: (key, bucket) => bucketOf(bucket).objects.get(key),
    uploads: (bucket) => [...bucketOf(bucket).uploads.values()].map((u) => ({ key: u.key, uploadId: u.uploadId, parts: u.parts.size })),
    putObject(key, body, bucket) {
      const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      const md5 = createHash('md5').update(buf).digest();
      bucketOf(bucket).objects.set(key, {
        key,
        chunks: storeBodies ? [buf] : [],
        size: buf.length,
        etag: quotedEtag(md5),
        crc64: withCrc ? new Crc64().update(buf).digest() : undefined,
        lastModified: new Date(),
        contentType: 'application/octet-stream',
        type: 'Normal',
        userMeta: {},
      });
    },
    close: async () => {
      httpsAgent?.destroy();
      await Promise.all([closeServer(server), ...(tlsServer ? [closeServer(tlsServer as unknown as Server)] : [])]);
    },
  };
}

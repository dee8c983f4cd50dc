/**
 * Server-side verification of the two OSS request signatures `ali-oss` sends:
 *   V1 (default): `Authorization: OSS <ak>:<base64 hmac-sha1>`
 *   V4 (`authorizationV4: true`): `Authorization: OSS4-HMAC-SHA256 Credential=<ak>/<date>/<region>/oss/aliyun_v4_request,
 *      [AdditionalHeaders=a;b,]Signature=<hex hmac-sha256>`
 * The canonical forms follow the OSS signature documentation as `ali-oss` 6.x implements it.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Query parameters that are part of the V1 canonicalized resource (OSS signs sub-resources, not plain
 * query parameters such as `prefix` or `max-keys`).
 */
export const SIGNED_SUBRESOURCES: ReadonlySet<string> = new Set([
  'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle', 'delete', 'append',
  'tagging', 'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position', 'img', 'style', 'styleName',
  'replication', 'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp', 'qos', 'live',
  'status', 'vod', 'startTime', 'endTime', 'symlink', 'x-oss-process', 'response-content-type',
  'response-content-language', 'response-expires', 'response-cache-control', 'response-content-disposition',
  'response-content-encoding', 'udf', 'udfName', 'udfImage', 'udfId', 'udfImageDesc', 'udfApplication',
  'udfApplicationLog', 'restore', 'callback', 'callback-var', 'policy', 'stat', 'encryption', 'versions',
  'versioning', 'versionId', 'requestPayment', 'x-oss-traffic-limit', 'inventory', 'inventoryId',
  'continuation-token', 'worm', 'wormId', 'wormExtend', 'x-oss-request-payer', 'sequential', 'objectInfo',
]);

/** A request as the verifier needs it: decoded query pairs keep their order of appearance. */
export interface SignedRequest {
  readonly method: string;
  readonly bucket: string;
  /** Decoded object key; '' for bucket operations. */
  readonly key: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly headers: IncomingHttpHeaders;
}

export type VerifyResult =
  | { readonly ok: true; readonly accessKeyId: string; readonly version: 'v1' | 'v4' }
  | {
    readonly ok: false;
    readonly code: 'AccessDenied' | 'InvalidAccessKeyId' | 'SignatureDoesNotMatch';
    readonly message: string;
    readonly stringToSign?: string;
  };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** `x-oss-*` headers, lower-cased, sorted, as `name:value` lines (the V1 CanonicalizedOSSHeaders). */
function canonicalOssHeaders(headers: IncomingHttpHeaders): string[] {
  return Object.keys(headers)
    .filter((k) => k.startsWith('x-oss-'))
    .sort()
    .map((k) => `${k}:${(header(headers, k) ?? '').trim()}`);
}

export function canonicalStringV1(req: SignedRequest): string {
  const h = req.headers;
  const subresources = req.query.filter(([k]) => SIGNED_SUBRESOURCES.has(k)).map(([k]) => k);
  const values = new Map(req.query);
  let resource = `/${req.bucket}/${req.key}`;
  let sep = '?';
  for (const k of [...new Set(subresources)].sort()) {
    const v = values.get(k);
    resource += sep + k + (v ? `=${v}` : '');
    sep = '&';
  }
  return [
    req.method.toUpperCase(),
    header(h, 'content-md5') ?? '',
    header(h, 'content-type') ?? '',
    header(h, 'x-oss-date') ?? header(h, 'date') ?? '',
    ...canonicalOssHeaders(h),
    resource,
  ].join('\n');
}

/** encodeURIComponent plus the RFC 3986 reserved characters it leaves alone. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalRequestV4(req: SignedRequest, additionalHeaders: readonly string[]): string {
  const h = req.headers;
  const path = uriEncode(`/${req.bucket}/${req.key}`).replace(/%2F/g, '/');
  // An empty sub-resource (`?uploads`) is signed as a bare key; an empty plain parameter keeps its `=`.
  const query = [...req.query]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => (v === '' && SIGNED_SUBRESOURCES.has(k) ? uriEncode(k) : `${uriEncode(k)}=${uriEncode(v)}`))
    .join('&');
  const names = new Set(additionalHeaders);
  for (const k of Object.keys(h)) {
    if (k === 'content-type' || k === 'content-md5' || k.startsWith('x-oss-')) names.add(k);
  }
  const canonicalHeaders = [...names].sort().map((k) => `${k}:${(header(h, k) ?? '').trim()}\n`).join('');
  return [
    req.method.toUpperCase(),
    path,
    query,
    canonicalHeaders,
    additionalHeaders.join(';'),
    header(h, 'x-oss-content-sha256') ?? 'UNSIGNED-PAYLOAD',
  ].join('\n');
}

function signatureV4(secret: string, date: string, region: string, product: string, stringToSign: string): string {
  const kDate = createHmac('sha256', `aliyun_v4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kProduct = createHmac('sha256', kRegion).update(product).digest();
  const kSigning = createHmac('sha256', kProduct).update('aliyun_v4_request').digest();
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}

/**
 * Checks the Authorization header against the known credentials (`accessKeyId -> secret`).
 */
export function verifySignature(req: SignedRequest, credentials: ReadonlyMap<string, string>): VerifyResult {
  const auth = header(req.headers, 'authorization');
  if (!auth) return { ok: false, code: 'AccessDenied', message: 'AccessDenied: anonymous access is not allowed in this sandbox.' };

  const v1 = /^OSS ([^:]+):(.+)$/.exec(auth);
  if (v1) {
    const [, accessKeyId, signature] = v1;
    const secret = credentials.get(accessKeyId);
    if (secret === undefined) return { ok: false, code: 'InvalidAccessKeyId', message: `The OSS Access Key Id you provided does not exist in our records: ${accessKeyId}.` };
    const stringToSign = canonicalStringV1(req);
    const expected = createHmac('sha1', secret).update(Buffer.from(stringToSign, 'utf8')).digest('base64');
    if (!safeEqual(expected, signature)) {
      return { ok: false, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.', stringToSign };
    }
    return { ok: true, accessKeyId, version: 'v1' };
  }

  const v4 = /^OSS4-HMAC-SHA256 (.+)$/.exec(auth);
  if (v4) {
    const fields = new Map<string, string>();
    for (const part of v4[1].split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const credential = fields.get('Credential');
    const signature = fields.get('Signature');
    const scope = credential?.split('/');
    if (!scope || scope.length !== 5 || scope[4] !== 'aliyun_v4_request' || !signature) {
      return { ok: false, code: 'AccessDenied', message: `Malformed OSS4-HMAC-SHA256 Authorization header: ${auth}` };
    }
    const [accessKeyId, day, region, product] = scope;
    const secret = credentials.get(accessKeyId);
    if (secret === undefined) return { ok: false, code: 'InvalidAccessKeyId', message: `The OSS Access Key Id you provided does not exist in our records: ${accessKeyId}.` };
    const date = header(req.headers, 'x-oss-date') ?? '';
    if (!date.startsWith(day)) return { ok: false, code: 'SignatureDoesNotMatch', message: `x-oss-date ${date} does not fall on the credential scope date ${day}.` };
    const additional = fields.get('AdditionalHeaders')?.split(';').filter((x) => x) ?? [];
    const canonical = canonicalRequestV4(req, additional);
    const stringToSign = [
      'OSS4-HMAC-SHA256',
      date,
      `${day}/${region}/${product}/aliyun_v4_request`,
      createHash('sha256').update(canonical).digest('hex'),
    ].join('\n');
    if (!safeEqual(signatureV4(secret, day, region, product, stringToSign), signature)) {
      return { ok: false, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.', stringToSign };
    }
    return { ok: true, accessKeyId, version: 'v4' };
  }

  return { ok: false, code: 'AccessDenied', message: `Unsupported Authorization scheme: ${auth.split(' ')[0]}` };
}

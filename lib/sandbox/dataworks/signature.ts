/**
 * Server-side check of the Alibaba Cloud V3 request signature (ACS3-HMAC-SHA256), written from the published
 * algorithm rather than from the client library, so a client that signs wrongly is rejected here as it would be
 * by DataWorks:
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HexSHA256(body)
 *   StringToSign     = "ACS3-HMAC-SHA256" \n HexSHA256(CanonicalRequest)
 *   Signature        = Hex(HMAC-SHA256(AccessKeySecret, StringToSign))
 *   Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2>,Signature=<hex>
 *
 * Canonical headers are host, content-type and every x-acs-* header, lower-cased, sorted, `name:trimmed value`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';

export interface SandboxCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** When set, requests must carry it as x-acs-security-token (STS credentials). */
  readonly securityToken?: string;
}

export class SignatureError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

const ALGORITHM = 'ACS3-HMAC-SHA256';
/** Headers a request must sign for the signature to protect what the service acts on. */
const REQUIRED_SIGNED = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** RFC 3986 percent-encoding, as the V3 algorithm specifies for query keys and values. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface SignedRequest {
  readonly method: string;
  /** Path and query exactly as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Verifies the request; returns the access key id it was signed with. `seenNonces` catches replays: the service
 * refuses a nonce it has already seen, so every retry must be signed afresh.
 */
export function verifyV3Signature(request: SignedRequest, credentials: readonly SandboxCredential[], seenNonces: Set<string>, now = Date.now()): SandboxCredential {
  const auth = headerValue(request.headers, 'authorization');
  if (!auth) throw new SignatureError('MissingAuthorization', 'the request carries no Authorization header');
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(auth);
  if (!m) throw new SignatureError('IncompleteSignature', `Authorization is not "${ALGORITHM} Credential=...,SignedHeaders=...,Signature=...": ${auth.slice(0, 40)}...`);
  const [, accessKeyId, signedHeaderList, signature] = m;
  const credential = credentials.find(c => c.accessKeyId === accessKeyId);
  if (!credential) throw new SignatureError('InvalidAccessKeyId.NotFound', `access key ${accessKeyId} does not exist`, 404);

  const signedHeaders = signedHeaderList.split(';');
  if ([...signedHeaders].sort().join(';') !== signedHeaderList) throw new SignatureError('IncompleteSignature', 'SignedHeaders must be sorted');
  for (const required of REQUIRED_SIGNED) {
    if (!signedHeaders.includes(required)) throw new SignatureError('IncompleteSignature', `header ${required} must be signed`);
  }
  for (const name of Object.keys(request.headers)) {
    if ((name.startsWith('x-acs-') || name === 'content-type') && !signedHeaders.includes(name)) {
      throw new SignatureError('IncompleteSignature', `header ${name} is sent but not signed`);
    }
  }

  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  if (headerValue(request.headers, 'x-acs-content-sha256') !== payloadHash) {
    throw new SignatureError('InvalidContentSha256', 'x-acs-content-sha256 does not match the request body');
  }
  const date = Date.parse(headerValue(request.headers, 'x-acs-date') ?? '');
  if (Number.isNaN(date)) throw new SignatureError('InvalidTimeStamp.Format', 'x-acs-date is not an ISO 8601 UTC time');
  if (Math.abs(now - date) > MAX_CLOCK_SKEW_MS) throw new SignatureError('InvalidTimeStamp.Expired', 'x-acs-date is more than 15 minutes away from the server time');

  const [path, query = ''] = request.url.split('?', 2);
  const canonicalQuery = query === ''
    ? ''
    : query.split('&').map(pair => {
      const [k, v = ''] = pair.split('=', 2);
      return [decodeQueryPart(k), decodeQueryPart(v)] as const;
    }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
  const canonicalHeaders = signedHeaders.map(name => `${name}:${(headerValue(request.headers, name) ?? '').trim()}\n`).join('');
  const canonicalRequest = [request.method, path || '/', canonicalQuery, canonicalHeaders, signedHeaderList, payloadHash].join('\n');
  const stringToSign = `${ALGORITHM}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const expected = createHmac('sha256', credential.accessKeySecret).update(stringToSign).digest('hex');
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    throw new SignatureError('SignatureDoesNotMatch', 'the request signature does not match the one computed by the server');
  }

  if (credential.securityToken !== undefined && headerValue(request.headers, 'x-acs-security-token') !== credential.securityToken) {
    throw new SignatureError('InvalidSecurityToken.Mismatch', 'the security token does not belong to this access key', 403);
  }
  const nonce = headerValue(request.headers, 'x-acs-signature-nonce') ?? '';
  if (seenNonces.has(nonce)) throw new SignatureError('SignatureNonceUsed', `signature nonce ${nonce} has been used already`);
  seenNonces.add(nonce);
  return credential;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.sort().join(',') : v;
}

function decodeQueryPart(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, '%20'));
}

/**
 * Tablestore request signing (the scheme the official SDKs use):
 *
 *   stringToSign = path "\n" method "\n" "\n" (lower(name) ":" value "\n")*
 *
 * over every x-ots-* header except x-ots-signature, sorted by lower-cased
 * name; signature = base64(HMAC-SHA1(accessKeySecret, stringToSign)).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const API_VERSION = '2015-12-31';

export interface TablestoreCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** STS token, sent as x-ots-ststoken. */
  readonly securityToken?: string;
}

export const HEADER_DATE = 'x-ots-date';
export const HEADER_API_VERSION = 'x-ots-apiversion';
export const HEADER_ACCESS_KEY_ID = 'x-ots-accesskeyid';
export const HEADER_INSTANCE_NAME = 'x-ots-instancename';
export const HEADER_CONTENT_MD5 = 'x-ots-contentmd5';
export const HEADER_SIGNATURE = 'x-ots-signature';
export const HEADER_STS_TOKEN = 'x-ots-ststoken';
export const HEADER_REQUEST_ID = 'x-ots-requestid';

export function contentMd5(body: Uint8Array): string {
  return createHash('md5').update(body).digest('base64');
}

export function stringToSign(path: string, method: string, headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const names: string[] = [];
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-ots-') && lower !== HEADER_SIGNATURE) names.push(name);
  }
  names.sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
  let s = `${path}\n${method}\n\n`;
  for (const name of names) {
    const value = headers[name];
    s += `${name.toLowerCase()}:${Array.isArray(value) ? value.join(',') : String(value)}\n`;
  }
  return s;
}

export function signature(accessKeySecret: string, toSign: string): string {
  return createHmac('sha1', accessKeySecret).update(toSign, 'utf8').digest('base64');
}

export interface SignRequestInput {
  /** Operation path, e.g. "/GetStreamRecord". */
  readonly path: string;
  readonly body: Uint8Array;
  readonly instanceName: string;
  readonly credentials: TablestoreCredentials;
  /** Defaults to now. */
  readonly date?: Date;
}

/** The x-ots-* headers of a signed POST request, signature included. */
export function signRequest(input: SignRequestInput): Record<string, string> {
  const headers: Record<string, string> = {
    [HEADER_DATE]: (input.date ?? new Date()).toISOString(),
    [HEADER_API_VERSION]: API_VERSION,
    [HEADER_ACCESS_KEY_ID]: input.credentials.accessKeyId,
    [HEADER_INSTANCE_NAME]: input.instanceName,
    [HEADER_CONTENT_MD5]: contentMd5(input.body),
  };
  if (input.credentials.securityToken) headers[HEADER_STS_TOKEN] = input.credentials.securityToken;
  headers[HEADER_SIGNATURE] = signature(input.credentials.accessKeySecret, stringToSign(input.path, 'POST', headers));
  return headers;
}

export interface VerifyRequestInput {
  readonly path: string;
  readonly method: string;
  /** Node's lower-cased incoming headers. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
  readonly instanceName: string;
  /** Secret for an access key id, undefined when the id is unknown. */
  readonly secretFor: (accessKeyId: string) => string | undefined;
  /** When set, x-ots-ststoken must equal it. */
  readonly securityToken?: string;
  /** Allowed |server clock - x-ots-date| in ms; unset = not checked. */
  readonly maxClockSkewMs?: number;
  readonly nowMs?: number;
}

export type VerifyResult =
  | { readonly ok: true; readonly accessKeyId: string }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

const REQUIRED_HEADERS = [HEADER_DATE, HEADER_API_VERSION, HEADER_ACCESS_KEY_ID, HEADER_INSTANCE_NAME, HEADER_CONTENT_MD5, HEADER_SIGNATURE];

/** Server-side check of a request, with the error the service would answer. */
export function verifyRequest(input: VerifyRequestInput): VerifyResult {
  const h = input.headers;
  for (const name of REQUIRED_HEADERS) {
    if (typeof h[name] !== 'string' || h[name] === '') {
      return { ok: false, status: 400, code: 'OTSParameterInvalid', message: `Missing header: ${name}.` };
    }
  }
  const date = h[HEADER_DATE] as string;
  const dateMs = Date.parse(date);
  if (Number.isNaN(dateMs)) return { ok: false, status: 400, code: 'OTSParameterInvalid', message: `Invalid date format: ${date}.` };
  if (h[HEADER_API_VERSION] !== API_VERSION) {
    return { ok: false, status: 400, code: 'OTSParameterInvalid', message: `Unsupported API version: ${String(h[HEADER_API_VERSION])}.` };
  }
  const accessKeyId = h[HEADER_ACCESS_KEY_ID] as string;
  const secret = input.secretFor(accessKeyId);
  if (secret === undefined) return { ok: false, status: 403, code: 'OTSAuthFailed', message: 'The AccessKeyID does not exist.' };
  if (h[HEADER_INSTANCE_NAME] !== input.instanceName) {
    return { ok: false, status: 403, code: 'OTSAuthFailed', message: 'The instance is not found.' };
  }
  if (input.securityToken !== undefined && h[HEADER_STS_TOKEN] !== input.securityToken) {
    return { ok: false, status: 403, code: 'OTSAuthFailed', message: 'The security token is invalid or missing.' };
  }
  if (input.maxClockSkewMs !== undefined) {
    const now = input.nowMs ?? Date.now();
    if (Math.abs(now - dateMs) > input.maxClockSkewMs) {
      return { ok: false, status: 403, code: 'OTSAuthFailed', message: `Mismatch between system time and x-ots-date: ${date}.` };
    }
  }
  if (contentMd5(input.body) !== h[HEADER_CONTENT_MD5]) {
    return { ok: false, status: 403, code: 'OTSAuthFailed', message: 'Mismatch between MD5 value of request body and x-ots-contentmd5 in header.' };
  }
  const expected = Buffer.from(signature(secret, stringToSign(input.path, input.method, h)));
  const given = Buffer.from(h[HEADER_SIGNATURE] as string);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, status: 403, code: 'OTSAuthFailed', message: 'Signature mismatch.' };
  }
  return { ok: true, accessKeyId };
}

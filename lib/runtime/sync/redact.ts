/**
 * Keeps secrets out of everything the runtime prints. Two layers: the exact values of the credentials in use
 * (registered when they are loaded), and patterns that look like Alibaba Cloud keys, tokens or signatures in any
 * text (an error message from a library may quote a header or a URL).
 */

export const REDACTED = '[REDACTED]';

/** Field names whose values are never printed, whatever they hold. */
const SENSITIVE_NAME = /(secret|token|password|passwd|credential|signature|authorization|access[_-]?key|security[_-]?token|ststoken|private[_-]?key)/i;

const PATTERNS: readonly RegExp[] = [
  // AccessKey ids: LTAI + 12..30 alphanumerics; STS temporary ids.
  /\bLTAI[A-Za-z0-9]{8,40}\b/g,
  /\bSTS\.[A-Za-z0-9._-]{8,}/g,
  // Authorization headers: "OSS ak:sig", "OSS4-HMAC-SHA256 Credential=..., Signature=...", "OTS ak:sig".
  /\b(OSS4-HMAC-SHA256|OSS|OTS|ACS|Bearer)\s+[^\s"',]+(,\s*[A-Za-z]+=[^\s"',]+)*/g,
  // name=value / name: value / "name":"value" pairs whose name is sensitive (query strings, headers, JSON).
  // The name must END with the sensitive word, so that "SignatureDoesNotMatch: The ..." keeps its message.
  /(["']?[A-Za-z0-9_.-]*(?:secret|token|password|passwd|signature|credential|access[_-]?key(?:[_-]?id)?|ststoken)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s&,;"'}]+)/gi,
];

const knownSecrets = new Set<string>();

/** Registers a value that must never appear in output (an AccessKey secret, an STS token, an AccessKey id). */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 4) knownSecrets.add(value);
}

/** Whether a field name denotes a secret (`accessKeySecret`, `securityToken`, `Authorization`, ...). */
export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

/** `text` with every registered secret and every key/token/signature-looking substring replaced. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(PATTERNS[0], REDACTED).replace(PATTERNS[1], REDACTED);
  out = out.replace(PATTERNS[2], (_m, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(PATTERNS[3], (_m, name: string) => `${name}${REDACTED}`);
  return out;
}

/**
 * A JSON-safe deep copy of `value` with secrets removed: fields with sensitive names are replaced, strings are
 * redacted, bigints become decimal strings, errors become { name, message, code }.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  switch (typeof value) {
    case 'string':
      return redactText(value);
    case 'bigint':
      return value.toString();
    case 'number':
    case 'boolean':
      return value;
    case 'undefined':
      return undefined;
    case 'function':
    case 'symbol':
      return String(value);
    default:
      break;
  }
  if (value === null) return null;
  if (value instanceof Error) return describeError(value);
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSensitiveName(k) && v !== undefined && v !== null && typeof v !== 'boolean' ? REDACTED : redactValue(v, depth + 1);
  }
  return out;
}

/** An error as printable fields: name, redacted message, and the code/status libraries attach, plus its cause. */
export function describeError(err: Error): Record<string, unknown> {
  const e = err as Error & { code?: unknown; status?: unknown; httpStatus?: unknown; requestId?: unknown; exitCode?: unknown };
  const out: Record<string, unknown> = { name: err.name, message: redactText(err.message) };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.status === 'number') out.status = e.status;
  if (typeof e.httpStatus === 'number') out.status = e.httpStatus;
  if (typeof e.requestId === 'string' && e.requestId) out.requestId = e.requestId;
  if (err.cause instanceof Error && err.cause !== err) out.cause = describeError(err.cause);
  return out;
}

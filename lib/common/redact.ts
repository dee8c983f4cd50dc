/**
 * Keeps secrets out of everything the runtime and the operations command print. Two layers: the exact values of the
 * credentials in use (registered when they are loaded), and patterns that look like Alibaba Cloud keys, tokens or
 * signatures in any text (an error message from a library may quote a header or a URL).
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

export interface RedactorOptions {
  /**
   * What replaces a secret.
   * @default REDACTED
   */
  readonly marker?: string;
  /**
   * Registered values shorter than this are ignored (they would redact ordinary words).
   * @default 4
   */
  readonly minSecretLength?: number;
}

/** A set of registered secrets plus the patterns above. */
export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly marker: string;
  private readonly minSecretLength: number;

  constructor(options: RedactorOptions = {}) {
    this.marker = options.marker ?? REDACTED;
    this.minSecretLength = options.minSecretLength ?? 4;
  }

  /** Registers a value that must never appear in output (an AccessKey secret, an STS token, an AccessKey id). */
  addSecret(value: string | undefined | null): void {
    if (typeof value === 'string' && value.length >= this.minSecretLength) this.secrets.add(value);
  }

  /** `text` with every registered secret and every key/token/signature-looking substring replaced. */
  text(text: string): string {
    const marker = this.marker;
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(marker);
    }
    out = out.replace(PATTERNS[0], marker).replace(PATTERNS[1], marker);
    out = out.replace(PATTERNS[2], (_m, scheme: string) => `${scheme} ${marker}`);
    out = out.replace(PATTERNS[3], (_m, name: string) => `${name}${marker}`);
    return out;
  }

  /**
   * A JSON-safe deep copy of `value` with secrets removed: fields with sensitive names are replaced, strings are
   * redacted, bigints become decimal strings, errors become { name, message, code }.
   */
  value(value: unknown, depth = 0): unknown {
    if (depth > 8) return '[…]';
    switch (typeof value) {
      case 'string':
        return this.text(value);
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
    if (value instanceof Error) return this.errorFields(value);
    if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
    if (Array.isArray(value)) return value.map((v) => this.value(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isSensitiveName(k) && v !== undefined && v !== null && typeof v !== 'boolean' ? this.marker : this.value(v, depth + 1);
    }
    return out;
  }

  /** An error as printable fields: name, redacted message, and the code/status libraries attach, plus its cause. */
  errorFields(err: Error): Record<string, unknown> {
    const e = err as Error & { code?: unknown; status?: unknown; httpStatus?: unknown; requestId?: unknown; exitCode?: unknown };
    const out: Record<string, unknown> = { name: err.name, message: this.text(err.message) };
    if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
    if (typeof e.status === 'number') out.status = e.status;
    if (typeof e.httpStatus === 'number') out.status = e.httpStatus;
    if (typeof e.requestId === 'string' && e.requestId) out.requestId = e.requestId;
    if (err.cause instanceof Error && err.cause !== err) out.cause = this.errorFields(err.cause);
    return out;
  }
}

/** The process's redactor: the runtime registers its credentials here when it loads them. */
export const processRedactor = new Redactor();

export function registerSecret(value: string | undefined | null): void {
  processRedactor.addSecret(value);
}

/** Whether a field name denotes a secret (`accessKeySecret`, `securityToken`, `Authorization`, ...). */
export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

export function redactText(text: string): string {
  return processRedactor.text(text);
}

export function redactValue(value: unknown): unknown {
  return processRedactor.value(value);
}

export function errorFields(err: Error): Record<string, unknown> {
  return processRedactor.errorFields(err);
}

/**
 * RAM policy documents as the loopback sandboxes evaluate them: parsing (with the validation RAM and OSS apply) and
 * the identity-policy decision (Tablestore "RAM policy", OSS "RAM Policy": an explicit Deny wins, then an Allow
 * allows, anything else is an implicit deny). Actions match case-insensitively, resources case-sensitively, with `*` and `?`
 * as wildcards. The OSS sandbox adds bucket policies on top (`oss/access.ts`); the Tablestore sandbox uses it as is.
 */

/** A request as a policy statement sees it. */
export interface AccessRequest {
  readonly action: string;
  /** `acs:<service>:<region>:<account>:<resource path>`. */
  readonly resource: string;
  /** Whether the request came over TLS (`acs:SecureTransport`). */
  readonly secureTransport: boolean;
}

export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly principals?: readonly string[];
  readonly secureTransport?: boolean;
}

export interface ParsedPolicy {
  readonly statements: readonly Statement[];
}

export class PolicyError extends Error {}

/** `explicit`: a Deny statement matched (rather than no Allow). */
export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string; readonly explicit?: boolean };

const list = (v: unknown, what: string): string[] => {
  const arr = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(arr) || arr.some(x => typeof x !== 'string')) throw new PolicyError(`${what} must be a string or a list of strings`);
  return arr as string[];
};

/**
 * Parses a policy document. `kind: 'bucket'` requires `Principal` in every statement (OSS: required for bucket
 * policies; `[]` means everyone); `kind: 'ram'` refuses it (RAM policies carry no Principal). Conditions other than
 * `Bool` on `acs:SecureTransport` are refused: the sandboxes do not model them, and must not silently ignore them.
 */
export function parsePolicy(text: string, kind: 'bucket' | 'ram'): ParsedPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PolicyError('the policy is not valid JSON');
  }
  const d = doc as { Version?: unknown; Statement?: unknown };
  if (typeof d !== 'object' || d === null || d.Version !== '1') throw new PolicyError('Version must be "1"');
  if (!Array.isArray(d.Statement) || d.Statement.length === 0) throw new PolicyError('Statement must be a non-empty list');
  const statements = d.Statement.map((raw: Record<string, unknown>, i: number): Statement => {
    const where = `Statement[${i}]`;
    if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw new PolicyError(`${where}.Effect must be Allow or Deny`);
    const actions = list(raw.Action, `${where}.Action`);
    const resources = list(raw.Resource, `${where}.Resource`);
    if (actions.length === 0 || resources.length === 0) throw new PolicyError(`${where} needs at least one Action and one Resource`);
    let principals: string[] | undefined;
    if (kind === 'bucket') {
      if (raw.Principal === undefined) throw new PolicyError(`${where}.Principal is required in a bucket policy`);
      principals = list(raw.Principal, `${where}.Principal`);
      if (principals.length === 0) principals = ['*'];
    } else if (raw.Principal !== undefined) {
      throw new PolicyError(`${where}.Principal is not allowed in a RAM policy`);
    }
    let secureTransport: boolean | undefined;
    if (raw.Condition !== undefined) {
      const cond = raw.Condition as Record<string, Record<string, unknown>>;
      for (const [op, keys] of Object.entries(cond)) {
        for (const [key, value] of Object.entries(keys ?? {})) {
          const values = list(value, `${where}.Condition.${op}.${key}`).map(v => v.toLowerCase());
          if (op !== 'Bool' || key !== 'acs:SecureTransport' || values.length !== 1 || !['true', 'false'].includes(values[0])) {
            throw new PolicyError(`${where}.Condition ${op} ${key}: the sandboxes only model Bool acs:SecureTransport true|false`);
          }
          secureTransport = values[0] === 'true';
        }
      }
    }
    return { effect: raw.Effect, actions, resources, principals, secureTransport };
  });
  return { statements };
}

/** The RAM policies attached to a sandbox identity, validated as RAM would; the error names the key and the policy. */
export function parseIdentityPolicies(accessKeyId: string, texts: readonly string[]): ParsedPolicy[] {
  return texts.map((text, i) => {
    try {
      return parsePolicy(text, 'ram');
    } catch (err) {
      throw new Error(`RAM policy ${i} of ${accessKeyId}: ${(err as Error).message}`);
    }
  });
}

/** Compiled patterns: every request is checked against every statement, and policies hold few patterns. */
const globs = new Map<string, RegExp>();

/** RAM-style wildcard match: `*` any run, `?` one character. */
function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = globs.get(key);
  if (!re) {
    re = new RegExp(`^${pattern.split('').map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('')}$`, ignoreCase ? 'i' : '');
    globs.set(key, re);
  }
  return re.test(value);
}

/** Whether a statement's actions, resources and condition cover the request (its Principal is the caller's business). */
export function statementMatches(st: Statement, req: AccessRequest): boolean {
  if (!st.actions.some(a => globMatch(a, req.action, true))) return false;
  if (!st.resources.some(r => globMatch(r, req.resource, false))) return false;
  if (st.secureTransport !== undefined && st.secureTransport !== req.secureTransport) return false;
  return true;
}

/** The statements of a RAM identity's policies that cover the request. */
export function matchingStatements(policies: readonly ParsedPolicy[], req: AccessRequest): Statement[] {
  return policies.flatMap(p => p.statements).filter(st => statementMatches(st, req));
}

/** A RAM identity's own decision: explicit Deny, else Allow, else implicit deny. */
export function evaluateIdentityPolicies(req: AccessRequest, policies: readonly ParsedPolicy[]): Decision {
  const statements = matchingStatements(policies, req);
  if (statements.some(st => st.effect === 'Deny')) return { allowed: false, reason: `explicitly denied by a RAM policy`, explicit: true };
  if (statements.some(st => st.effect === 'Allow')) return { allowed: true };
  return { allowed: false, reason: `no RAM policy allows ${req.action} on ${req.resource}` };
}

/**
 * The naming and range rules of Tablestore, OSS and DataWorks that both the configuration validator
 * (./validate.ts) and the constructs (lib/constructs/validate.ts) enforce. Each check returns the problem as text,
 * or undefined when the value passes, so each caller reports it in its own shape. Plain data, no cdktf: the
 * constructs skip unresolved tokens before calling these.
 */
import { SUPPORTED_REGIONS } from './regions';

export const RULES = {
  bucketName: /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  instanceName: /^[a-zA-Z][a-zA-Z0-9-]{1,14}[a-zA-Z0-9]$/,
  tableName: /^[a-zA-Z_][a-zA-Z0-9_]{0,254}$/,
  columnName: /^[a-zA-Z_][a-zA-Z0-9_]{0,254}$/,
  environmentName: /^[a-z][a-z0-9-]{0,19}$/,
  namePrefix: /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/,
  dataSourceName: /^[a-zA-Z][a-zA-Z0-9_]{0,59}$/,
  workspaceIdentifier: /^[a-zA-Z][a-zA-Z0-9_]{2,27}$/,
  objectPrefix: /^[A-Za-z0-9_.=-]+(\/[A-Za-z0-9_.=-]+)*$/,
} as const;

export type NamingRule = keyof typeof RULES;

const RULE_TEXT: Record<NamingRule, string> = {
  bucketName: 'must be 3–63 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit',
  instanceName: 'must match ^[a-zA-Z][a-zA-Z0-9-]{1,14}[a-zA-Z0-9]$ (3–16 characters, starting with a letter, not ending with a hyphen)',
  tableName: 'must match ^[a-zA-Z_][a-zA-Z0-9_]{0,254}$',
  columnName: 'must match ^[a-zA-Z_][a-zA-Z0-9_]{0,254}$',
  environmentName: 'must match ^[a-z][a-z0-9-]{0,19}$',
  namePrefix: 'must be 3–20 characters of lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit',
  dataSourceName: 'must start with a letter and hold at most 60 letters, digits and underscores',
  workspaceIdentifier: 'must start with a letter and hold 3–28 letters, digits and underscores',
  objectPrefix: 'must be path segments of letters, digits and _ . = - separated by single slashes, with no leading or trailing slash',
};

/** Tablestore refuses a TTL below one day unless it is -1 (forever). */
export const MIN_TTL_SECONDS = 86400;
/** Tablestore Stream retention bounds, in hours. */
export const STREAM_RETENTION_HOURS = { min: 1, max: 168 } as const;

export function namingProblem(rule: NamingRule, value: string): string | undefined {
  return RULES[rule].test(value) ? undefined : `"${value}" is invalid: ${RULE_TEXT[rule]}`;
}

export function regionProblem(value: string): string | undefined {
  return SUPPORTED_REGIONS.includes(value)
    ? undefined
    : `"${value}" is not a known Alibaba Cloud region with OSS, Tablestore and DataWorks (known: ${SUPPORTED_REGIONS.join(', ')})`;
}

export function timeToLiveProblem(seconds: number): string | undefined {
  return seconds === -1 || (Number.isInteger(seconds) && seconds >= MIN_TTL_SECONDS)
    ? undefined
    : `must be -1 (keep forever) or a whole number of seconds ≥ ${MIN_TTL_SECONDS}, got ${seconds}`;
}

export function streamRetentionProblem(hours: number): string | undefined {
  const { min, max } = STREAM_RETENTION_HOURS;
  return Number.isInteger(hours) && hours >= min && hours <= max ? undefined : `must be a whole number of hours from ${min} to ${max}, got ${hours}`;
}

/**
 * Rules the alicloud provider enforces at `terraform validate` / plan time that `terraform providers schema -json`
 * does not show: each attribute's `ValidateFunc` (allowed values, patterns, lengths, ranges) and the cross-attribute
 * constraints `ConflictsWith`, `ExactlyOneOf`, `AtLeastOneOf` and `RequiredWith`. `extract-schema.ts` reads them
 * from the provider source beside the schema snapshot; the conformance checker and the configuration validation
 * apply them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProviderSchemaEntry, SchemaBlock } from './terraform-schema';

/** One value check, as the provider's validator performs it. Patterns are Go RE2 syntax (`\w` is ASCII). */
export type ValueRule =
  | { readonly kind: 'one-of'; readonly values: readonly string[]; readonly ignore_case: boolean }
  | { readonly kind: 'match'; readonly pattern: string }
  /** Length in bytes (Go `len`), inclusive bounds. */
  | { readonly kind: 'length'; readonly min: number; readonly max: number }
  | { readonly kind: 'int-between'; readonly min: number; readonly max: number }
  | { readonly kind: 'int-at-least'; readonly min: number }
  | { readonly kind: 'json' }
  /** Go `time.Parse` with this layout (the provider only uses `2006-01-02`). */
  | { readonly kind: 'time-layout'; readonly layout: string }
  /** A string that Go's `strconv.ParseInt(v, 10, 64)` accepts. */
  | { readonly kind: 'int64-string' };

export interface AttributeRules {
  /** The checks of the attribute's ValidateFunc (several when it is `validation.All`). */
  readonly validate?: readonly ValueRule[];
  /** Keys (from the block root, `.0.` for nested blocks) that must not be set together with this one. */
  readonly conflicts_with?: readonly string[];
  /** Exactly one of this key and these must be set. */
  readonly exactly_one_of?: readonly string[];
  /** At least one of this key and these must be set. */
  readonly at_least_one_of?: readonly string[];
  /** When this key is set, these must be set too. */
  readonly required_with?: readonly string[];
}

/** Attribute path (dots between nested block names, `attr.*` for list elements) → its rules. */
export type BlockRules = { readonly [attributePath: string]: AttributeRules };

export interface ProviderRulesDocument {
  readonly provider: { readonly source: string; readonly version: string; readonly commit: string };
  readonly provider_block: BlockRules;
  readonly resources: { readonly [type: string]: BlockRules };
  readonly data_sources: { readonly [type: string]: BlockRules };
}

export const ALICLOUD_RULES_PATH = path.join(__dirname, 'alicloud-provider-rules.json');

export function loadAlicloudRules(file = ALICLOUD_RULES_PATH): ProviderRulesDocument {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ProviderRulesDocument;
}

/** The value rules of `<type>.<attribute path>`, e.g. `alicloud_data_works_project.display_name`; throws if none. */
export function valueRulesOf(rules: ProviderRulesDocument, type: string, attributePath: string): readonly ValueRule[] {
  const found = rules.resources[type]?.[attributePath]?.validate;
  if (!found) throw new Error(`the provider rules have no value rule for ${type}.${attributePath}`);
  return found;
}

/**
 * Why `value` fails `rule`, or undefined when it passes. Values arrive as Terraform would hand them to the
 * provider: a number for a string attribute is its decimal text, a numeric string for a number attribute its value.
 */
export function ruleFailure(rule: ValueRule, value: string | number | boolean): string | undefined {
  const text = String(value);
  switch (rule.kind) {
    case 'one-of': {
      const ok = rule.values.some((v) => v === text || (rule.ignore_case && v.toLowerCase() === text.toLowerCase()));
      return ok ? undefined : `must be one of ${rule.values.join(', ')}${rule.ignore_case ? ' (any case)' : ''}`;
    }
    case 'match':
      return goRegExp(rule.pattern).test(text) ? undefined : `does not match ${rule.pattern}`;
    case 'length': {
      const bytes = Buffer.byteLength(text, 'utf8');
      return bytes >= rule.min && bytes <= rule.max ? undefined : `must be ${rule.min} to ${rule.max} bytes long, is ${bytes}`;
    }
    case 'int-between':
    case 'int-at-least': {
      const n = Number(text);
      const max = rule.kind === 'int-between' ? rule.max : Infinity;
      if (!Number.isInteger(n)) return 'must be a whole number';
      return n >= rule.min && n <= max ? undefined : rule.kind === 'int-between' ? `must be from ${rule.min} to ${rule.max}` : `must be at least ${rule.min}`;
    }
    case 'json':
      try {
        JSON.parse(text);
        return undefined;
      } catch {
        return 'must be JSON';
      }
    case 'time-layout':
      if (rule.layout !== '2006-01-02') return `cannot check the Go time layout ${rule.layout}`;
      return isCalendarDate(text) ? undefined : 'must be a date YYYY-MM-DD';
    case 'int64-string':
      return /^[+-]?\d+$/.test(text) && BigInt(text) <= 9223372036854775807n && BigInt(text) >= -9223372036854775808n ? undefined : 'must be a 64-bit integer in decimal';
  }
}

/** A Go RE2 pattern as a JavaScript RegExp; refuses syntax whose meaning differs between the two. */
export function goRegExp(pattern: string): RegExp {
  if (/\(\?[a-zA-Z]|\\[pPzAQE]|\[\[:/.test(pattern)) throw new Error(`Go pattern ${pattern} uses syntax this checker does not translate`);
  return new RegExp(pattern);
}

function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * What is wrong with a rules document next to the schema snapshot it was extracted with: another provider release,
 * types the snapshot does not cover (or misses), attribute paths or referenced keys the schema does not have,
 * patterns this checker cannot evaluate. `npm run bindings:check` runs it, so the two files cannot drift apart.
 */
export function rulesDocumentProblems(
  doc: ProviderRulesDocument,
  schema: ProviderSchemaEntry,
  expected: { readonly source: string; readonly version: string; readonly commit: string },
): string[] {
  const problems: string[] = [];
  for (const key of ['source', 'version', 'commit'] as const) {
    if (doc.provider?.[key] !== expected[key]) problems.push(`provider.${key} is ${JSON.stringify(doc.provider?.[key])}, the snapshot is ${JSON.stringify(expected[key])}`);
  }
  const sections: Array<[string, { readonly [type: string]: BlockRules } | undefined, { readonly [type: string]: { readonly block: SchemaBlock } }]> = [
    ['resources', doc.resources, schema.resource_schemas ?? {}],
    ['data_sources', doc.data_sources, schema.data_source_schemas ?? {}],
  ];
  for (const [name, byType, schemas] of sections) {
    const have = Object.keys(byType ?? {}).sort();
    const want = Object.keys(schemas).sort();
    if (have.join() !== want.join()) problems.push(`${name} covers ${have.join(', ')}; the schema snapshot has ${want.join(', ')}`);
    for (const type of have) if (schemas[type]) problems.push(...blockProblems(byType![type], schemas[type].block, `${name}.${type}`));
  }
  problems.push(...blockProblems(doc.provider_block ?? {}, schema.provider.block, 'provider_block'));
  return problems;
}

/** The fields of each rule kind, so a hand-edited or stale rules file is caught by bindings:check. */
const RULE_KEYS: { readonly [K in ValueRule['kind']]: readonly (keyof Extract<ValueRule, { kind: K }>)[] } = {
  'one-of': ['kind', 'values', 'ignore_case'],
  match: ['kind', 'pattern'],
  length: ['kind', 'min', 'max'],
  'int-between': ['kind', 'min', 'max'],
  'int-at-least': ['kind', 'min'],
  json: ['kind'],
  'time-layout': ['kind', 'layout'],
  'int64-string': ['kind'],
};

function blockProblems(rules: BlockRules, block: SchemaBlock, where: string): string[] {
  const problems: string[] = [];
  const has = (key: string): boolean => schemaHas(block, key.split('.').filter((s) => !/^\d+$/.test(s)));
  for (const [attributePath, rule] of Object.entries(rules)) {
    const at = `${where}.${attributePath}`;
    if (!has(attributePath)) problems.push(`${at}: no such attribute in the schema snapshot`);
    for (const key of [...(rule.conflicts_with ?? []), ...(rule.exactly_one_of ?? []), ...(rule.at_least_one_of ?? []), ...(rule.required_with ?? [])]) {
      if (!has(key)) problems.push(`${at}: refers to ${key}, which the schema snapshot does not have`);
    }
    for (const check of rule.validate ?? []) {
      const keys = RULE_KEYS[check.kind];
      if (!keys || Object.keys(check).sort().join() !== [...keys].sort().join()) {
        problems.push(`${at}: rule ${JSON.stringify(check)} is not a ${check.kind} rule (${keys ? keys.join(', ') : 'unknown kind'})`);
        continue;
      }
      if (check.kind === 'match') {
        try {
          goRegExp(check.pattern);
        } catch (e) {
          problems.push(`${at}: ${(e as Error).message}`);
        }
      }
    }
  }
  return problems;
}

function schemaHas(block: SchemaBlock, segments: readonly string[]): boolean {
  const [head, ...rest] = segments;
  if (head === undefined) return true;
  const attribute = block.attributes?.[head];
  if (attribute) return rest.length === 0 || (rest.length === 1 && rest[0] === '*' && Array.isArray(attribute.type));
  const nested = block.block_types?.[head];
  return nested !== undefined && schemaHas(nested.block, rest);
}

/**
 * Checks a synthesized cdktf stack (cdk.tf.json) against the alicloud provider schema snapshot,
 * the way `terraform validate` would with the real provider: unknown attributes and blocks,
 * missing required attributes and blocks, values of the wrong type, block counts outside
 * min_items/max_items, and computed-only attributes that configuration may not set.
 *
 * Values follow Terraform's conversion rules: a number or bool is a valid string, a numeric
 * string a valid number, "true"/"false" a valid bool; any string containing an interpolation
 * `${...}` is accepted for any type, since its type is only known at plan time.
 *
 * With `rules` (provider-rules.ts), it also applies what the provider validates beyond the schema: each
 * attribute's ValidateFunc and the ConflictsWith / ExactlyOneOf / AtLeastOneOf / RequiredWith constraints, with
 * the SDK's treatment of unknown values (an interpolation is checked at apply time, not here).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALICLOUD_PROVIDER } from './alicloud-provider';
import { BlockRules, ProviderRulesDocument, ruleFailure } from './provider-rules';
import {
  CtyType,
  ProviderSchemaEntry,
  ProvidersSchemaDocument,
  SchemaBlock,
  SchemaNestedBlock,
  VersionedSchema,
} from './terraform-schema';

export type ViolationKind =
  | 'unknown-type'
  | 'unknown-attribute'
  | 'unknown-block'
  | 'missing-required-attribute'
  | 'missing-required-block'
  | 'wrong-type'
  | 'block-count'
  | 'computed-attribute-set'
  | 'invalid-value'
  | 'conflicting-attributes'
  | 'exactly-one-of'
  | 'at-least-one-of'
  | 'required-with';

export interface Violation {
  readonly kind: ViolationKind;
  /** Where in the stack JSON, e.g. `resource.alicloud_oss_bucket.backup.lifecycle_rule[0].enabled`. */
  readonly path: string;
  readonly message: string;
}

export interface ConformanceOptions {
  /** Resource and data source types with this prefix are checked; others are ignored. */
  readonly typePrefix?: string;
  /** Local name of the provider whose `provider` blocks are checked. */
  readonly providerName?: string;
  /** The provider's validation rules; without them only the schema is checked. */
  readonly rules?: ProviderRulesDocument;
}

/** Meta-arguments Terraform accepts on every resource, whatever its schema. */
const RESOURCE_META_ARGUMENTS = new Set(['depends_on', 'count', 'for_each', 'provider', 'lifecycle', 'provisioner', 'connection', '//']);
const DATA_META_ARGUMENTS = new Set(['depends_on', 'count', 'for_each', 'provider', 'lifecycle', '//']);
const PROVIDER_META_ARGUMENTS = new Set(['alias', 'version', '//']);

export const ALICLOUD_SCHEMA_SNAPSHOT_PATH = path.join(__dirname, 'alicloud-provider-schema.json');

/** The alicloud entry of the committed schema snapshot. */
export function loadAlicloudSchema(file = ALICLOUD_SCHEMA_SNAPSHOT_PATH): ProviderSchemaEntry {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as ProvidersSchemaDocument;
  const entry = doc.provider_schemas?.[ALICLOUD_PROVIDER.fqpn];
  if (!entry) throw new Error(`${file}: no provider_schemas["${ALICLOUD_PROVIDER.fqpn}"]`);
  return entry;
}

export function checkConformance(stack: unknown, schema: ProviderSchemaEntry, options: ConformanceOptions = {}): Violation[] {
  const prefix = options.typePrefix ?? `${ALICLOUD_PROVIDER.name}_`;
  const providerName = options.providerName ?? ALICLOUD_PROVIDER.name;
  const out: Violation[] = [];
  if (!isObject(stack)) {
    out.push({ kind: 'wrong-type', path: '', message: 'stack JSON is not an object' });
    return out;
  }
  checkSection(stack.resource, 'resource', schema.resource_schemas ?? {}, RESOURCE_META_ARGUMENTS, prefix, out);
  checkSection(stack.data, 'data', schema.data_source_schemas ?? {}, DATA_META_ARGUMENTS, prefix, out);
  const providers = isObject(stack.provider) ? stack.provider[providerName] : undefined;
  if (providers !== undefined) {
    const configs = Array.isArray(providers) ? providers : [providers];
    configs.forEach((config, i) => {
      const at = Array.isArray(providers) ? `provider.${providerName}[${i}]` : `provider.${providerName}`;
      checkBlockBody(config, schema.provider.block, at, PROVIDER_META_ARGUMENTS, out);
    });
  }
  if (options.rules) out.push(...checkProviderRules(stack, options.rules, { typePrefix: prefix, providerName }));
  return out;
}

/** Applies the provider's validation rules (ValidateFunc and cross-attribute constraints) to every configured block. */
export function checkProviderRules(stack: unknown, rules: ProviderRulesDocument, options: ConformanceOptions = {}): Violation[] {
  const prefix = options.typePrefix ?? `${ALICLOUD_PROVIDER.name}_`;
  const providerName = options.providerName ?? ALICLOUD_PROVIDER.name;
  const out: Violation[] = [];
  if (!isObject(stack)) return out;
  const sections: Array<[string, unknown, { readonly [type: string]: BlockRules }]> = [
    ['resource', stack.resource, rules.resources],
    ['data', stack.data, rules.data_sources],
  ];
  for (const [sectionName, section, byType] of sections) {
    if (!isObject(section)) continue;
    for (const type of Object.keys(section).sort()) {
      const instances = section[type];
      if (!type.startsWith(prefix) || !byType[type] || !isObject(instances)) continue;
      for (const name of Object.keys(instances).sort()) applyBlockRules(instances[name], byType[type], `${sectionName}.${type}.${name}`, out);
    }
  }
  const providers = isObject(stack.provider) ? stack.provider[providerName] : undefined;
  if (providers !== undefined) {
    const configs = Array.isArray(providers) ? providers : [providers];
    configs.forEach((config, i) => applyBlockRules(config, rules.provider_block, Array.isArray(providers) ? `provider.${providerName}[${i}]` : `provider.${providerName}`, out));
  }
  return out;
}

/** A configured value at an attribute path, with where it is; blocks given as one object or a list both count. */
interface Located {
  readonly value: unknown;
  readonly at: string;
}

function applyBlockRules(body: unknown, rules: BlockRules, at: string, out: Violation[]): void {
  if (!isObject(body)) return;
  for (const attributePath of Object.keys(rules).sort()) {
    const rule = rules[attributePath];
    const values = locate(body, attributePath.split('.'), at);
    for (const { value, at: where } of values) {
      if (!isSet(value)) continue;
      const name = attributePath.replace(/\.\*$/, '');
      // The SDK's order: RequiredWith for any set value; ConflictsWith and ValidateFunc only once it is known.
      const requiredWith = rule.required_with ?? [];
      if (requiredWith.length > 0) {
        const all = [...new Set([...requiredWith, name])].sort();
        if (all.some((key) => stateOf(body, key) === 'unset')) out.push({ kind: 'required-with', path: where, message: `all of ${all.join(', ')} must be specified` });
      }
      if (isInterpolation(value)) continue;
      for (const check of rule.validate ?? []) {
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue; // wrong-type reports it
        const failure = ruleFailure(check, value);
        if (failure) out.push({ kind: 'invalid-value', path: where, message: `${JSON.stringify(value)} ${failure}` });
      }
      for (const other of rule.conflicts_with ?? []) {
        const state = stateOf(body, other);
        if (state === 'set') out.push({ kind: 'conflicting-attributes', path: where, message: `${name} conflicts with ${other}` });
      }
    }
    for (const [kind, keys] of [['exactly-one-of', rule.exactly_one_of], ['at-least-one-of', rule.at_least_one_of]] as const) {
      if (!keys || keys.length === 0) continue;
      const all = [...new Set([...keys, attributePath])].sort();
      const states = all.map((key) => stateOf(body, key));
      const set = all.filter((_, i) => states[i] === 'set');
      const unknown = states.includes('unknown');
      if (set.length === 0 && !unknown) out.push({ kind, path: join(at, attributePath), message: `one of ${all.join(', ')} must be specified` });
      if (kind === 'exactly-one-of' && set.length > 1) out.push({ kind, path: join(at, attributePath), message: `only one of ${all.join(', ')} can be specified, but ${set.join(', ')} were` });
    }
  }
}

/** Every value at `segments` below `body` (a nested block may be one object or a list of them; `*` is each element). */
function locate(body: unknown, segments: readonly string[], at: string): Located[] {
  if (segments.length === 0) return [{ value: body, at }];
  const [head, ...rest] = segments;
  if (head === '*') return Array.isArray(body) ? body.flatMap((item, i) => locate(item, rest, `${at}[${i}]`)) : [];
  if (!isObject(body) || !(head in body)) return [];
  const value = body[head];
  const where = join(at, head);
  if (rest.length === 0) return [{ value, at: where }];
  if (Array.isArray(value) && rest[0] !== '*') return value.flatMap((item, i) => locate(item, rest, `${where}[${i}]`));
  return locate(value, rest, where);
}

/** Whether a key the SDK names from the block root (`a`, `a.0.b`) is set, unset, or not known until apply. */
function stateOf(body: Record<string, unknown>, key: string): 'set' | 'unset' | 'unknown' {
  let node: unknown = body;
  for (const segment of key.split('.')) {
    if (isInterpolation(node)) return 'unknown';
    if (/^\d+$/.test(segment)) {
      const index = Number(segment);
      node = Array.isArray(node) ? node[index] : index === 0 ? node : undefined;
    } else {
      node = isObject(node) ? node[segment] : undefined;
    }
  }
  if (isInterpolation(node)) return 'unknown';
  return isSet(node) ? 'set' : 'unset';
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** One line per violation, for assertion messages and CLI output. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.path}: [${v.kind}] ${v.message}`).join('\n');
}

function checkSection(
  section: unknown,
  sectionName: 'resource' | 'data',
  schemas: { readonly [type: string]: VersionedSchema },
  metaArguments: ReadonlySet<string>,
  prefix: string,
  out: Violation[],
): void {
  if (section === undefined) return;
  if (!isObject(section)) {
    out.push({ kind: 'wrong-type', path: sectionName, message: `"${sectionName}" is not an object` });
    return;
  }
  for (const type of Object.keys(section).sort()) {
    if (!type.startsWith(prefix)) continue;
    const typePath = `${sectionName}.${type}`;
    const schema = schemas[type];
    if (!schema) {
      const what = sectionName === 'resource' ? 'resource type' : 'data source';
      out.push({ kind: 'unknown-type', path: typePath, message: `${what} ${type} is not in the provider schema snapshot` });
      continue;
    }
    const instances = section[type];
    if (!isObject(instances)) {
      out.push({ kind: 'wrong-type', path: typePath, message: 'expected an object of named instances' });
      continue;
    }
    for (const name of Object.keys(instances).sort()) {
      checkBlockBody(instances[name], schema.block, `${typePath}.${name}`, metaArguments, out);
    }
  }
}

function checkBlockBody(body: unknown, block: SchemaBlock, at: string, metaArguments: ReadonlySet<string>, out: Violation[]): void {
  if (!isObject(body)) {
    out.push({ kind: 'wrong-type', path: at, message: `expected a block body (object), got ${describe(body)}` });
    return;
  }
  const attributes = block.attributes ?? {};
  const blockTypes = block.block_types ?? {};
  const dynamicCounts = new Map<string, number>();
  for (const key of Object.keys(body).sort()) {
    const value = body[key];
    const keyPath = join(at, key);
    if (metaArguments.has(key)) continue;
    if (key === 'dynamic') {
      checkDynamicBlocks(value, blockTypes, keyPath, dynamicCounts, out);
      continue;
    }
    const attribute = attributes[key];
    if (attribute) {
      if (value === null) continue;
      if (attribute.computed && !attribute.optional && !attribute.required) {
        out.push({ kind: 'computed-attribute-set', path: keyPath, message: `${key} is computed by the provider and cannot be set` });
        continue;
      }
      checkValue(value, attribute.type, keyPath, out);
      continue;
    }
    const nested = blockTypes[key];
    if (nested) {
      checkNestedBlocks(value, nested, key, keyPath, out);
      continue;
    }
    const looksLikeBlock = isObject(value) || (Array.isArray(value) && value.length > 0 && value.every(isObject));
    out.push({
      kind: looksLikeBlock ? 'unknown-block' : 'unknown-attribute',
      path: keyPath,
      message: `${key} is neither an attribute nor a block of this schema`,
    });
  }
  for (const [name, attribute] of Object.entries(attributes)) {
    if (attribute.required && (body[name] === undefined || body[name] === null)) {
      out.push({ kind: 'missing-required-attribute', path: join(at, name), message: `required attribute ${name} is not set` });
    }
  }
  for (const [name, nested] of Object.entries(blockTypes)) {
    const min = nested.min_items ?? 0;
    if (min > 0 && (body[name] === undefined || body[name] === null) && !dynamicCounts.has(name)) {
      out.push({
        kind: 'missing-required-block',
        path: join(at, name),
        message: `at least ${min} ${name} block${min === 1 ? ' is' : 's are'} required`,
      });
    }
  }
}

function checkNestedBlocks(value: unknown, nested: SchemaNestedBlock, name: string, at: string, out: Violation[]): void {
  if (value === null) return;
  const items = Array.isArray(value) ? value : [value];
  if (nested.nesting_mode === 'map') {
    if (!isObject(value)) {
      out.push({ kind: 'wrong-type', path: at, message: `expected an object of labelled ${name} blocks, got ${describe(value)}` });
      return;
    }
    for (const label of Object.keys(value).sort()) checkBlockBody(value[label], nested.block, `${at}.${label}`, new Set(), out);
    return;
  }
  const max = nested.nesting_mode === 'single' || nested.nesting_mode === 'group' ? 1 : nested.max_items ?? 0;
  const min = nested.min_items ?? 0;
  if (items.length < min || (max > 0 && items.length > max)) {
    out.push({
      kind: items.length === 0 && min > 0 ? 'missing-required-block' : 'block-count',
      path: at,
      message: `${items.length} ${name} block(s) given; allowed ${min}..${max > 0 ? max : 'unbounded'}`,
    });
  }
  items.forEach((item, i) => checkBlockBody(item, nested.block, Array.isArray(value) ? `${at}[${i}]` : at, new Set(), out));
}

/** `dynamic: { <block>: { for_each, iterator?, content } }`: the count is unknown until plan. */
function checkDynamicBlocks(
  value: unknown,
  blockTypes: { readonly [name: string]: SchemaNestedBlock },
  at: string,
  counts: Map<string, number>,
  out: Violation[],
): void {
  if (!isObject(value)) {
    out.push({ kind: 'wrong-type', path: at, message: `expected an object of dynamic blocks, got ${describe(value)}` });
    return;
  }
  for (const name of Object.keys(value).sort()) {
    const nested = blockTypes[name];
    const spec = value[name];
    if (!nested) {
      out.push({ kind: 'unknown-block', path: join(at, name), message: `dynamic ${name} is not a block of this schema` });
      continue;
    }
    counts.set(name, -1);
    for (const spec1 of Array.isArray(spec) ? spec : [spec]) {
      if (!isObject(spec1) || !('content' in spec1)) {
        out.push({ kind: 'wrong-type', path: join(at, name), message: 'a dynamic block needs for_each and content' });
        continue;
      }
      checkBlockBody(spec1.content, nested.block, `${join(at, name)}.content`, new Set(), out);
    }
  }
}

function checkValue(value: unknown, type: CtyType, at: string, out: Violation[]): void {
  if (value === null || isInterpolation(value)) return;
  const wrong = (expected: string): void => {
    out.push({ kind: 'wrong-type', path: at, message: `expected ${expected}, got ${describe(value)}` });
  };
  if (typeof type === 'string') {
    switch (type) {
      case 'dynamic':
        return;
      case 'string':
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return;
        return wrong('string');
      case 'number':
        if (typeof value === 'number' && Number.isFinite(value)) return;
        if (typeof value === 'string' && /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(value.trim())) return;
        return wrong('number');
      case 'bool':
        if (typeof value === 'boolean' || value === 'true' || value === 'false') return;
        return wrong('bool');
      default:
        return wrong(String(type));
    }
  }
  const [kind, inner] = type;
  if (kind === 'list' || kind === 'set') {
    if (!Array.isArray(value)) return wrong(`${kind} of ${typeName(inner as CtyType)}`);
    value.forEach((item, i) => checkValue(item, inner as CtyType, `${at}[${i}]`, out));
    return;
  }
  if (kind === 'map') {
    if (!isObject(value)) return wrong(`map of ${typeName(inner as CtyType)}`);
    for (const key of Object.keys(value).sort()) checkValue(value[key], inner as CtyType, `${at}["${key}"]`, out);
    return;
  }
  // object
  if (!isObject(value)) return wrong('object');
  const fields = inner as { readonly [name: string]: CtyType };
  for (const key of Object.keys(value).sort()) {
    if (!(key in fields)) out.push({ kind: 'unknown-attribute', path: join(at, key), message: `object has no attribute ${key}` });
    else checkValue(value[key], fields[key], join(at, key), out);
  }
  for (const key of Object.keys(fields)) {
    if (!(key in value)) out.push({ kind: 'missing-required-attribute', path: join(at, key), message: `object attribute ${key} is missing` });
  }
}

function isInterpolation(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function typeName(type: CtyType): string {
  return typeof type === 'string' ? type : `${type[0]} of ${type[0] === 'object' ? 'object' : typeName(type[1] as CtyType)}`;
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

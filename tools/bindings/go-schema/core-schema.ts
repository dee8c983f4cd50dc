/**
 * Converts the helper/schema model into the block Terraform core receives, following
 * terraform-plugin-sdk v1.17 helper/schema/core_schema.go (unchanged in v2 for these rules):
 * - an Elem of *Resource becomes a nested block (list/set) unless the schema is computed-only
 *   or ConfigMode is Attr, in which case it becomes an attribute of a list/set of objects;
 * - a Required block gets min_items 1; an Optional one ignores MinItems; a computed-only one
 *   drops min/max; MaxItems carries over;
 * - TypeMap always becomes a map attribute (of string when Elem is a *Resource or missing);
 * - a Required attribute whose DefaultFunc yields a value is reported optional;
 * - top-level resources and data sources gain an optional+computed `id` and, with Timeouts,
 *   a `timeouts` block (nesting single) with one optional string per configured timeout.
 */
import { CtyType, SchemaAttribute, SchemaBlock, SchemaNestedBlock, VersionedSchema } from '../../../lib/bindings/terraform-schema';
import { SdkResource, SdkSchema, SdkValueType } from './sdk-schema';

export function topLevelSchema(resource: SdkResource): VersionedSchema {
  const block = schemaMapBlock(resource.schema);
  const attributes: Record<string, SchemaAttribute> = { ...(block.attributes ?? {}) };
  const blockTypes: Record<string, SchemaNestedBlock> = { ...(block.block_types ?? {}) };
  if (!attributes.id) attributes.id = { type: 'string', optional: true, computed: true, description_kind: 'plain' };
  if (resource.timeouts.length > 0 && !attributes.timeouts && !blockTypes.timeouts) {
    const timeoutAttributes: Record<string, SchemaAttribute> = {};
    for (const name of resource.timeouts) timeoutAttributes[name] = { type: 'string', optional: true, description_kind: 'plain' };
    blockTypes.timeouts = { nesting_mode: 'single', block: { attributes: timeoutAttributes, description_kind: 'plain' } };
  }
  return {
    version: resource.schemaVersion,
    block: compact({
      attributes,
      block_types: blockTypes,
      description: resource.description || undefined,
      description_kind: 'plain',
      deprecated: resource.deprecationMessage !== '' ? true : undefined,
    }),
  };
}

export function schemaMapBlock(schemaMap: Readonly<Record<string, SdkSchema>>): SchemaBlock {
  const attributes: Record<string, SchemaAttribute> = {};
  const blockTypes: Record<string, SchemaNestedBlock> = {};
  for (const [name, s] of Object.entries(schemaMap)) {
    if (isAttribute(s)) attributes[name] = attribute(s);
    else blockTypes[name] = nestedBlock(s);
  }
  return compact({ attributes, block_types: blockTypes, description_kind: 'plain' });
}

function isAttribute(s: SdkSchema): boolean {
  if (s.elem === undefined || s.type === 'TypeMap') return true;
  if (s.configMode === 'attr') return true;
  if (s.configMode === 'block') return false;
  if (s.computed && !s.optional) return true;
  return typeof s.elem === 'string' || !('kind' in s.elem);
}

function attribute(s: SdkSchema): SchemaAttribute {
  let required = s.required;
  let optional = s.optional;
  if (required && s.defaultFuncYieldsValue) {
    required = false;
    optional = true;
  }
  return compact({
    type: ctyType(s.type === 'TypeMap' && isResource(s.elem) ? { ...s, elem: 'TypeString' } : s),
    description: s.description || undefined,
    description_kind: 'plain',
    required: required || undefined,
    optional: optional || undefined,
    computed: s.computed || undefined,
    sensitive: s.sensitive || undefined,
    deprecated: s.deprecated || undefined,
  }) as SchemaAttribute;
}

function nestedBlock(s: SdkSchema): SchemaNestedBlock {
  if (!isResource(s.elem)) throw new Error('nested block without a resource Elem');
  if (s.type !== 'TypeList' && s.type !== 'TypeSet') throw new Error(`nested block of ${s.type} is not supported`);
  let minItems = s.minItems;
  let maxItems = s.maxItems;
  if (s.required && minItems === 0) minItems = 1;
  if (s.optional && minItems > 0) minItems = 0;
  if (s.computed && !s.optional) {
    minItems = 0;
    maxItems = 0;
  }
  const inner = schemaMapBlock(s.elem.schema);
  return compact({
    nesting_mode: s.type === 'TypeList' ? 'list' : 'set',
    block: compact({
      ...inner,
      description: s.description || undefined,
      description_kind: 'plain',
      deprecated: s.deprecated || undefined,
    }),
    min_items: minItems || undefined,
    max_items: maxItems || undefined,
  }) as SchemaNestedBlock;
}

function ctyType(s: { type: SdkValueType; elem?: SdkSchema['elem'] }): CtyType {
  switch (s.type) {
    case 'TypeString':
      return 'string';
    case 'TypeBool':
      return 'bool';
    case 'TypeInt':
    case 'TypeFloat':
      return 'number';
    case 'TypeList':
    case 'TypeSet':
    case 'TypeMap': {
      const collection = s.type === 'TypeList' ? 'list' : s.type === 'TypeSet' ? 'set' : 'map';
      return [collection, elemType(s.elem)];
    }
    default:
      throw new Error(`unknown value type ${String(s.type)}`);
  }
}

function elemType(elem: SdkSchema['elem']): CtyType {
  if (elem === undefined) return 'string'; // the SDK's compatibility default
  if (typeof elem === 'string') return ctyType({ type: elem });
  if (isResource(elem)) return impliedObjectType(elem.schema);
  return ctyType(elem);
}

/** The object type a block implies: attributes by type, nested blocks as list/set of their objects. */
function impliedObjectType(schemaMap: Readonly<Record<string, SdkSchema>>): CtyType {
  const block = schemaMapBlock(schemaMap);
  return blockImpliedType(block);
}

function blockImpliedType(block: SchemaBlock): CtyType {
  const fields: Record<string, CtyType> = {};
  for (const [name, a] of Object.entries(block.attributes ?? {})) fields[name] = a.type;
  for (const [name, b] of Object.entries(block.block_types ?? {})) {
    const inner = blockImpliedType(b.block);
    if (b.nesting_mode === 'single' || b.nesting_mode === 'group') fields[name] = inner;
    else fields[name] = [b.nesting_mode, inner];
  }
  return ['object', fields];
}

function isResource(elem: SdkSchema['elem']): elem is SdkResource {
  return typeof elem === 'object' && 'kind' in elem && elem.kind === 'resource';
}

/** Drops undefined values and empty attribute/block maps, as Terraform's JSON encoder omits them. */
function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if ((k === 'attributes' || k === 'block_types') && typeof v === 'object' && v !== null && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out as T;
}

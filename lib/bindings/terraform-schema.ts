/**
 * Types for the document `terraform providers schema -json` prints (format_version 1.0),
 * restricted to what SDK-based providers report (no nested-type attributes).
 */
import { sortKeys } from '../common/sort-keys';

/** A cty type in Terraform's JSON encoding. */
export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | readonly ['list' | 'set' | 'map', CtyType]
  | readonly ['object', { readonly [name: string]: CtyType }];

export interface SchemaAttribute {
  readonly type: CtyType;
  readonly description?: string;
  readonly description_kind?: 'plain' | 'markdown';
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  readonly deprecated?: boolean;
}

export type NestingMode = 'single' | 'list' | 'set' | 'map' | 'group';

export interface SchemaNestedBlock {
  readonly nesting_mode: NestingMode;
  readonly block: SchemaBlock;
  readonly min_items?: number;
  readonly max_items?: number;
}

export interface SchemaBlock {
  readonly attributes?: { readonly [name: string]: SchemaAttribute };
  readonly block_types?: { readonly [name: string]: SchemaNestedBlock };
  readonly description?: string;
  readonly description_kind?: 'plain' | 'markdown';
  readonly deprecated?: boolean;
}

export interface VersionedSchema {
  readonly version: number;
  readonly block: SchemaBlock;
}

export interface ProviderSchemaEntry {
  readonly provider: VersionedSchema;
  readonly resource_schemas?: { readonly [type: string]: VersionedSchema };
  readonly data_source_schemas?: { readonly [type: string]: VersionedSchema };
}

export interface ProvidersSchemaDocument {
  readonly format_version: string;
  readonly provider_schemas: { readonly [fqpn: string]: ProviderSchemaEntry };
}

/** JSON with object keys sorted at every level, two-space indented, newline-terminated. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), undefined, 2)}\n`;
}

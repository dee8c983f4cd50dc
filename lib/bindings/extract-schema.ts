/**
 * Writes the provider schema snapshot from a checkout of a terraform-plugin-sdk provider, in the
 * format of `terraform providers schema -json`, for the resource and data source types listed in
 * alicloud-provider.ts. Used where the provider binary cannot be downloaded.
 *
 *   ts-node lib/bindings/extract-schema.ts --source <checkout> [--out <file>]
 *
 * <checkout> is the provider repository at the pinned tag (the Go package in <checkout>/alicloud).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALICLOUD_PROVIDER, SNAPSHOT_DATA_SOURCE_TYPES, SNAPSHOT_RESOURCE_TYPES } from './alicloud-provider';
import { schemaMapBlock, topLevelSchema } from './go-schema/core-schema';
import { GoPackageSource } from './go-schema/package-source';
import { Expr } from './go-schema/parser';
import { SdkSchemaReader } from './go-schema/sdk-schema';
import { ProvidersSchemaDocument, VersionedSchema, stableJson } from './terraform-schema';

export const DEFAULT_SNAPSHOT_PATH = path.join(__dirname, 'alicloud-provider-schema.json');

export interface ExtractOptions {
  /** The Go package directory holding the provider (e.g. <checkout>/alicloud). */
  readonly packageDir: string;
  /** Name of the function returning the provider (`Provider` for alicloud). */
  readonly providerFunction: string;
  readonly fqpn: string;
  readonly resourceTypes: readonly string[];
  readonly dataSourceTypes: readonly string[];
}

export interface ExtractResult {
  readonly document: ProvidersSchemaDocument;
  /** Requested types the provider does not register. */
  readonly missing: readonly string[];
}

export function extractProviderSchema(options: ExtractOptions): ExtractResult {
  const reader = new SdkSchemaReader(new GoPackageSource(options.packageDir));
  const provider: VersionedSchema = {
    version: 0,
    block: schemaMapBlock(reader.providerSchemaFromFunction(options.providerFunction)),
  };
  const missing: string[] = [];
  const read = (field: 'ResourcesMap' | 'DataSourcesMap', types: readonly string[]): Record<string, VersionedSchema> => {
    const registered = reader.providerMapFromFunction(options.providerFunction, field);
    const out: Record<string, VersionedSchema> = {};
    for (const type of types) {
      const constructor: Expr | undefined = registered.get(type);
      if (!constructor) {
        missing.push(type);
        continue;
      }
      out[type] = topLevelSchema(reader.resource(constructor, type));
    }
    return out;
  };
  const resourceSchemas = read('ResourcesMap', options.resourceTypes);
  const dataSourceSchemas = read('DataSourcesMap', options.dataSourceTypes);
  return {
    document: {
      format_version: '1.0',
      provider_schemas: {
        [options.fqpn]: { provider, resource_schemas: resourceSchemas, data_source_schemas: dataSourceSchemas },
      },
    },
    missing,
  };
}

function main(argv: readonly string[]): void {
  const arg = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const source = arg('--source');
  if (!source) {
    process.stderr.write('usage: extract-schema --source <provider checkout> [--out <file>]\n');
    process.exit(2);
  }
  const out = arg('--out') ?? DEFAULT_SNAPSHOT_PATH;
  const result = extractProviderSchema({
    packageDir: path.join(source, ALICLOUD_PROVIDER.name),
    providerFunction: 'Provider',
    fqpn: ALICLOUD_PROVIDER.fqpn,
    resourceTypes: SNAPSHOT_RESOURCE_TYPES,
    dataSourceTypes: SNAPSHOT_DATA_SOURCE_TYPES,
  });
  fs.writeFileSync(out, stableJson(result.document));
  process.stdout.write(`wrote ${out}\n`);
  if (result.missing.length > 0) process.stdout.write(`not registered by this provider version: ${result.missing.join(', ')}\n`);
}

if (require.main === module) main(process.argv.slice(2));

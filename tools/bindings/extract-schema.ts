/**
 * Writes the provider schema snapshot from a checkout of a terraform-plugin-sdk provider, in the
 * format of `terraform providers schema -json`, for the resource and data source types listed in
 * alicloud-provider.ts, and beside it the validation rules the schema does not show
 * (provider-rules.ts). Used where the provider binary cannot be downloaded.
 *
 *   ts-node tools/bindings/extract-schema.ts --source <checkout> [--out <file>] [--rules-out <file>]
 *   ts-node tools/bindings/extract-schema.ts --source <checkout> --check
 *
 * <checkout> is the provider repository at the pinned tag (the Go package in <checkout>/alicloud).
 * `--check` writes nothing and exits 1 if either committed file differs from what the checkout yields.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALICLOUD_PROVIDER, SNAPSHOT_DATA_SOURCE_TYPES, SNAPSHOT_RESOURCE_TYPES } from '../../lib/bindings/alicloud-provider';
import { schemaMapBlock, topLevelSchema } from './go-schema/core-schema';
import { GoPackageSource } from './go-schema/package-source';
import { Expr } from './go-schema/parser';
import { SdkResource, SdkSchema, SdkSchemaReader } from './go-schema/sdk-schema';
import { ValidatorReader } from './go-schema/validators';
import { ALICLOUD_RULES_PATH, AttributeRules, BlockRules, ProviderRulesDocument } from '../../lib/bindings/provider-rules';
import { ProvidersSchemaDocument, VersionedSchema, stableJson } from '../../lib/bindings/terraform-schema';
import { ALICLOUD_SCHEMA_SNAPSHOT_PATH } from '../../lib/bindings/conformance';

export const DEFAULT_SNAPSHOT_PATH = ALICLOUD_SCHEMA_SNAPSHOT_PATH;

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
  /** Validation rules of the same types, keyed like the schema (without the provider identity). */
  readonly rules: Omit<ProviderRulesDocument, 'provider'>;
  /** Requested types the provider does not register. */
  readonly missing: readonly string[];
}

export function extractProviderSchema(options: ExtractOptions): ExtractResult {
  const pkg = new GoPackageSource(options.packageDir);
  const reader = new SdkSchemaReader(pkg);
  const validators = new ValidatorReader(pkg, reader);
  const providerSchema = reader.providerSchemaFromFunction(options.providerFunction);
  const provider: VersionedSchema = { version: 0, block: schemaMapBlock(providerSchema) };
  const missing: string[] = [];
  const read = (field: 'ResourcesMap' | 'DataSourcesMap', types: readonly string[]) => {
    const registered = reader.providerMapFromFunction(options.providerFunction, field);
    const schemas: Record<string, VersionedSchema> = {};
    const rules: Record<string, BlockRules> = {};
    for (const type of types) {
      const constructor: Expr | undefined = registered.get(type);
      if (!constructor) {
        missing.push(type);
        continue;
      }
      const resource: SdkResource = reader.resource(constructor, type);
      schemas[type] = topLevelSchema(resource);
      rules[type] = blockRules(resource.schema, validators, type);
    }
    return { schemas, rules };
  };
  const resources = read('ResourcesMap', options.resourceTypes);
  const dataSources = read('DataSourcesMap', options.dataSourceTypes);
  const resourceSchemas = resources.schemas;
  const dataSourceSchemas = dataSources.schemas;
  return {
    rules: {
      provider_block: blockRules(providerSchema, validators, 'provider'),
      resources: resources.rules,
      data_sources: dataSources.rules,
    },
    document: {
      format_version: '1.0',
      provider_schemas: {
        [options.fqpn]: { provider, resource_schemas: resourceSchemas, data_source_schemas: dataSourceSchemas },
      },
    },
    missing,
  };
}

/** The rules of every attribute of a block and its nested blocks, keyed by dotted path (`attr.*` for list elements). */
function blockRules(schema: Readonly<Record<string, SdkSchema>>, validators: ValidatorReader, where: string, prefix = ''): BlockRules {
  const out: Record<string, AttributeRules> = {};
  for (const name of Object.keys(schema).sort()) {
    const s = schema[name];
    const key = prefix === '' ? name : `${prefix}.${name}`;
    const rules = attributeRules(s, validators, `${where}.${key}`);
    if (rules) out[key] = rules;
    if (s.elem && typeof s.elem === 'object' && 'kind' in s.elem) {
      Object.assign(out, blockRules(s.elem.schema, validators, where, key));
    } else if (s.elem && typeof s.elem === 'object') {
      const element = attributeRules(s.elem, validators, `${where}.${key}.*`);
      if (element) out[`${key}.*`] = element;
    }
  }
  return out;
}

function attributeRules(s: SdkSchema, validators: ValidatorReader, where: string): AttributeRules | undefined {
  const validate = [
    ...(s.validateFunc ? validators.rules(s.validateFunc, where) : []),
    ...(s.validateDiagFunc ? validators.rules(s.validateDiagFunc, where) : []),
  ];
  const rules: AttributeRules = {
    ...(validate.length > 0 ? { validate } : {}),
    ...(s.conflictsWith.length > 0 ? { conflicts_with: s.conflictsWith } : {}),
    ...(s.exactlyOneOf.length > 0 ? { exactly_one_of: s.exactlyOneOf } : {}),
    ...(s.atLeastOneOf.length > 0 ? { at_least_one_of: s.atLeastOneOf } : {}),
    ...(s.requiredWith.length > 0 ? { required_with: s.requiredWith } : {}),
  };
  return Object.keys(rules).length > 0 ? rules : undefined;
}

function main(argv: readonly string[]): void {
  const arg = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const source = arg('--source');
  if (!source) {
    process.stderr.write('usage: extract-schema --source <provider checkout> [--out <file>] [--rules-out <file>] [--check]\n');
    process.exit(2);
  }
  const out = arg('--out') ?? DEFAULT_SNAPSHOT_PATH;
  const rulesOut = arg('--rules-out') ?? ALICLOUD_RULES_PATH;
  const result = extractProviderSchema({
    packageDir: path.join(source, ALICLOUD_PROVIDER.name),
    providerFunction: 'Provider',
    fqpn: ALICLOUD_PROVIDER.fqpn,
    resourceTypes: SNAPSHOT_RESOURCE_TYPES,
    dataSourceTypes: SNAPSHOT_DATA_SOURCE_TYPES,
  });
  const rules: ProviderRulesDocument = {
    provider: { source: ALICLOUD_PROVIDER.source, version: ALICLOUD_PROVIDER.version, commit: ALICLOUD_PROVIDER.commit },
    ...result.rules,
  };
  const outputs: Array<[string, string]> = [[out, stableJson(result.document)], [rulesOut, stableJson(rules)]];
  if (argv.includes('--check')) {
    const stale = outputs.filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text).map(([file]) => file);
    if (stale.length > 0) {
      process.stderr.write(`differ from what ${source} yields (rerun without --check): ${stale.join(', ')}\n`);
      process.exit(1);
    }
    process.stdout.write(`${outputs.map(([file]) => file).join(' and ')} match ${source}\n`);
    return;
  }
  for (const [file, text] of outputs) {
    fs.writeFileSync(file, text);
    process.stdout.write(`wrote ${file}\n`);
  }
  if (result.missing.length > 0) process.stdout.write(`not registered by this provider version: ${result.missing.join(', ')}\n`);
}

if (require.main === module) main(process.argv.slice(2));

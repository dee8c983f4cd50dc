/**
 * The configuration fields the stacks hand unchanged to an alicloud attribute that the provider validates
 * (ValidateFunc: allowed values, patterns, lengths, ranges), checked against the same rules the conformance test
 * applies (lib/bindings/alicloud-provider-rules.json, read from the provider source), so a value the provider would
 * refuse at `cdktf deploy` is refused before synthesis instead.
 */
import rulesDocument from '../bindings/alicloud-provider-rules.json';
import { ProviderRulesDocument, ruleFailure, valueRulesOf } from '../bindings/provider-rules';
import { EnvironmentConfig, ProjectConfig } from './types';

const RULES = rulesDocument as unknown as ProviderRulesDocument;

/** A configuration field and the provider attribute (`<resource type>.<attribute path>`) it becomes. */
export interface ProviderBoundField {
  readonly field: string;
  readonly value: string | number | undefined;
  readonly attribute: string;
}

/** Every environment field that feeds a validated attribute. Add a row when a construct passes a new field through. */
export function environmentProviderFields(env: EnvironmentConfig): ProviderBoundField[] {
  const ws = env.dataworks.workspace;
  const instances = env.tablestore.instances.flatMap((instance, i): ProviderBoundField[] => {
    const at = `tablestore.instances[${i}]`;
    return [
      { field: `${at}.name`, value: instance.name, attribute: 'alicloud_ots_instance.name' },
      { field: `${at}.instanceType`, value: instance.instanceType, attribute: 'alicloud_ots_instance.instance_type' },
      { field: `${at}.accessedBy`, value: instance.accessedBy, attribute: 'alicloud_ots_instance.accessed_by' },
      { field: `${at}.statusTableName`, value: instance.statusTableName, attribute: 'alicloud_ots_table.table_name' },
    ];
  });
  // Time series tables are not alicloud_ots_table resources (the operations command creates them).
  const tables = env.tablestore.tables.flatMap((table, i): ProviderBoundField[] => {
    if (table.kind !== 'wide-column') return [];
    const at = `tablestore.tables[${i}]`;
    return [
      { field: `${at}.name`, value: table.name, attribute: 'alicloud_ots_table.table_name' },
      { field: `${at}.timeToLiveSeconds`, value: table.timeToLiveSeconds, attribute: 'alicloud_ots_table.time_to_live' },
      { field: `${at}.maxVersions`, value: table.maxVersions, attribute: 'alicloud_ots_table.max_version' },
      ...table.primaryKey.map((c, j) => ({ field: `${at}.primaryKey[${j}].type`, value: c.type, attribute: 'alicloud_ots_table.primary_key.type' })),
      ...(table.definedColumns ?? []).map((c, j) => ({ field: `${at}.definedColumns[${j}].type`, value: c.type, attribute: 'alicloud_ots_table.defined_column.type' })),
    ];
  });
  return [
    { field: 'bucket.name', value: env.bucket.name, attribute: 'alicloud_oss_bucket.bucket' },
    { field: 'bucket.redundancyType', value: env.bucket.redundancyType, attribute: 'alicloud_oss_bucket.redundancy_type' },
    ...instances,
    ...tables,
    ...('create' in ws
      ? [
        { field: 'dataworks.workspace.create.identifier', value: ws.create.identifier, attribute: 'alicloud_data_works_project.project_name' },
        { field: 'dataworks.workspace.create.displayName', value: ws.create.displayName, attribute: 'alicloud_data_works_project.display_name' },
      ]
      : []),
    { field: 'state.lockTableName', value: env.state.lockTableName, attribute: 'alicloud_ots_table.table_name' },
  ];
}

/** The project-wide fields the bootstrap stack passes to validated attributes. */
export function projectProviderFields(config: ProjectConfig): ProviderBoundField[] {
  return [
    { field: 'stateBucket', value: config.stateBucket, attribute: 'alicloud_oss_bucket.bucket' },
    { field: 'stateLockInstanceName', value: config.stateLockInstanceName, attribute: 'alicloud_ots_instance.name' },
  ];
}

/** `"<value>" <why> (<attribute>)` for each rule a field's value breaks; unset optional fields pass. */
export function providerRuleFailures(f: ProviderBoundField, rules: ProviderRulesDocument = RULES): string[] {
  const dot = f.attribute.indexOf('.');
  const checks = valueRulesOf(rules, f.attribute.slice(0, dot), f.attribute.slice(dot + 1));
  const value = f.value;
  if (value === undefined) return [];
  return checks
    .map((rule) => ruleFailure(rule, value))
    .filter((failure): failure is string => failure !== undefined)
    .map((failure) => `${JSON.stringify(value)} ${failure} (${f.attribute})`);
}

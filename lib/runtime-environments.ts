/**
 * The project's environments as the sync runtime's `--env` reads them: the document the build writes beside the
 * bundle (`dist/otsbk-environments.json`, tools/bundle.ts). The runtime reads that file and never imports
 * lib/config, so the one-file runtime carries no environment and a configuration change needs no new runtime code.
 */
import { ResolvedTable, resolvedTables } from './config/tables';
import type { EnvironmentConfig, ProjectConfig } from './config/types';
import type { FieldType, KeyColumnSpec, RowColumnSpec } from './runtime/formats/layout';
import { CatalogEnvironment, CatalogTable, ENVIRONMENT_CATALOG_FORMAT, EnvironmentCatalog } from './runtime/sync/environments';
import { instanceNetworkTypeAcl } from './tablestore/endpoints';

/** Tablestore column type → the runtime's field type of an exported column. */
const DEFINED_TO_FIELD: Readonly<Record<string, FieldType>> = { Integer: 'int64', String: 'string', Binary: 'binary', Double: 'double', Boolean: 'boolean' };

/** Every environment of the project, in configuration order. */
export function environmentCatalog(config: ProjectConfig): EnvironmentCatalog {
  return { format: ENVIRONMENT_CATALOG_FORMAT, environments: config.environments.map(catalogEnvironmentOf) };
}

export function catalogEnvironmentOf(env: EnvironmentConfig): CatalogEnvironment {
  return { name: env.name, region: env.region, engine: env.engine, tables: resolvedTables(env).map(t => catalogTableOf(env, t)) };
}

/**
 * What the backup of one table runs with: the table in its instance, its export columns typed from the schema (and
 * its primary key, for `--layout cells`), the environment's bucket and prefix, the table's format and schedule.
 */
function catalogTableOf(env: EnvironmentConfig, table: ResolvedTable): CatalogTable {
  const columns: RowColumnSpec[] = table.exportColumns.map(c => {
    const type = DEFINED_TO_FIELD[table.columnTypes[c.name]];
    return type ? { name: c.name, type } : { name: c.name };
  });
  const primaryKey: KeyColumnSpec[] = table.primaryKey.map(k => ({ name: k.name, type: k.type }));
  const endpoint = table.instance.endpoints?.runtime;
  return {
    name: table.name,
    backupName: table.backupName,
    kind: table.kind,
    instance: { name: table.instance.name, networkTypeAcl: instanceNetworkTypeAcl(table.instance), ...(endpoint !== undefined ? { endpoint } : {}) },
    config: {
      tablestore: { instanceName: table.instance.name, tableName: table.name, isTimeseriesTable: table.kind === 'timeseries' },
      oss: { region: `oss-${env.region}`, bucket: env.bucket.name, prefix: env.bucket.exportPrefix },
      format: {
        fileFormat: table.exportFormat.fileFormat,
        compression: table.exportFormat.compression,
        fieldDelimiter: table.exportFormat.fieldDelimiter,
        nullFormat: table.exportFormat.nullFormat,
      },
      layout: { mode: 'rows', columns, ...(primaryKey.length > 0 ? { primaryKey } : {}) },
      timezone: env.schedule.timezone,
      streamLagMinutes: env.schedule.streamLagMinutes,
      schedule: { cron: table.schedule.cron, startTimeExpression: table.schedule.startTimeExpression, endTimeExpression: table.schedule.endTimeExpression },
    },
  };
}

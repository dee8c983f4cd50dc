/**
 * One scheduled sync node per exported table: its name, its Data Integration job and its FlowSpec. Pure functions of
 * the configuration, so the synthesized stacks and the snapshot tests see exactly the same definitions.
 *
 * Only the Data Integration job is scheduled. The sync runtime is not: a scheduled Shell node would need an identity
 * to read the Stream and write OSS, and no public source documents how a node created through the API gets one (see
 * RUNTIME_NOT_SCHEDULABLE). The runtime stays the tool to debug, backfill and verify windows by hand.
 */
import { ResolvedTable, resolvedTables } from '../config/tables';
import { EnvironmentConfig, ExportColumn, ExportFormatConfig } from '../config/types';
import { buildSyncJob, DeclaredDataSource, DiJob, windowObjectKey } from './di-job';
import { SyncDefinitionError } from './errors';
import { buildSyncNodeFlowSpec, NodeFlowSpec, NodeScheduleProps } from './flowspec';

/** The scheduling parameters that carry the window, as the console procedure names them. */
export const WINDOW_PARAMETERS = { start: 'startTime', end: 'endTime' } as const;

export interface SyncTableSource {
  readonly kind: 'wide-column' | 'timeseries';
  /** Table name in its instance. */
  readonly name: string;
  /** Name of the backup: the node is `<prefix>_sync_<backupName>`, objects go under `<exportPrefix>/<backupName>/`. */
  readonly backupName: string;
  readonly exportColumns: readonly ExportColumn[];
  /** Tablestore type of each known column (primary key, defined columns, time series fields), by name. */
  readonly columnTypes: Readonly<Record<string, string>>;
  /** The DataWorks Tablestore data source of the table's instance. */
  readonly dataSource: string;
  /** The stream reader's checkpoint table in the table's instance. */
  readonly statusTable: string;
}

/** Why `engine: 'runtime'` is refused for a scheduled node; the README's "Scheduled Shell node" table has the sources. */
export const RUNTIME_NOT_SCHEDULABLE = 'engine "runtime" cannot be scheduled: a DataWorks Shell node created through the API has no documented '
  + 'identity (the FlowSpec and the 2024-05-18 node and task models have no RAM role field, and no source says how a Shell '
  + 'script receives the credentials of a role associated in the console), so the runtime could neither fetch its bundle '
  + 'nor read the Stream. Use engine "data-integration"; run the runtime by hand to debug, backfill or verify windows';

export interface SyncDefinitionProps {
  /** Environment name prefix (`otsbk-dev`); the node is `<prefix with _>_sync_<table>`. */
  readonly namePrefix: string;
  readonly projectIdentifier: string;
  readonly resourceGroup: string;
  readonly schedule: NodeScheduleProps;
  /** The OSS data source the job writes to (the Tablestore one is the table's). */
  readonly ossDataSource: string;
  /** Data sources the stack declares in the workspace. */
  readonly declaredDataSources: readonly DeclaredDataSource[];
  /** Key prefix in the bucket, without leading or trailing slash. */
  readonly exportPrefix: string;
  readonly exportFormat: ExportFormatConfig;
  readonly table: SyncTableSource;
}

export interface SyncDefinition {
  readonly name: string;
  readonly table: SyncTableSource;
  readonly flowSpec: NodeFlowSpec;
  /** The Data Integration job the node runs (its script content). */
  readonly job: DiJob;
}

export function syncNodeName(namePrefix: string, table: string): string {
  return `${namePrefix.replace(/-/g, '_')}_sync_${table}`;
}

export function buildSyncDefinition(props: SyncDefinitionProps): SyncDefinition {
  const name = syncNodeName(props.namePrefix, props.table.backupName);
  const description = `Incremental backup of Tablestore ${props.table.kind} table ${props.table.name} into OSS `
    + '(Data Integration job). Managed by tablestore-oss-backup: change the configuration and deploy, do not edit in the console.';
  const f = props.exportFormat;
  if (f.fileFormat !== 'csv') {
    throw new SyncDefinitionError(name, 'exportFormat.fileFormat', `"${f.fileFormat}" cannot be scheduled: the Data Integration OSS writer is configured for csv (the runtime writes ${f.fileFormat} when run by hand)`);
  }
  if (f.compression !== 'none') {
    throw new SyncDefinitionError(name, 'exportFormat.compression', `"${f.compression}" cannot be honoured by the Data Integration OSS writer: its documented "compress" parameter applies to parquet and orc only, csv is written uncompressed. Use compression "none"`);
  }
  const job = buildSyncJob({
    subject: name,
    source: {
      dataSource: props.table.dataSource,
      dataTable: props.table.name,
      statusTable: props.table.statusTable,
      columns: props.table.exportColumns,
      timeseries: props.table.kind === 'timeseries',
    },
    destination: {
      dataSource: props.ossDataSource,
      object: windowObjectKey(props.exportPrefix, props.table.backupName, WINDOW_PARAMETERS.start, WINDOW_PARAMETERS.end),
      fieldDelimiter: f.fieldDelimiter,
      encoding: f.encoding,
      nullFormat: f.nullFormat,
    },
    window: { startParameter: WINDOW_PARAMETERS.start, endParameter: WINDOW_PARAMETERS.end },
    resourceGroup: props.resourceGroup,
    declaredDataSources: props.declaredDataSources,
  });
  const flowSpec = buildSyncNodeFlowSpec({
    name,
    description,
    projectIdentifier: props.projectIdentifier,
    resourceGroup: props.resourceGroup,
    schedule: props.schedule,
    parameterNames: WINDOW_PARAMETERS,
    script: { language: 'di', content: JSON.stringify(job) },
  });
  return { name, table: props.table, flowSpec, job };
}

export interface EnvironmentSyncOptions {
  /** Data sources the stack declares; by default the two the configuration names. */
  readonly declaredDataSources?: readonly DeclaredDataSource[];
}

export function syncTableSource(t: ResolvedTable): SyncTableSource {
  return {
    kind: t.kind,
    name: t.name,
    backupName: t.backupName,
    exportColumns: t.exportColumns,
    columnTypes: t.columnTypes,
    dataSource: t.instance.dataSourceName,
    statusTable: t.instance.statusTableName,
  };
}

export function workspaceIdentifier(env: EnvironmentConfig): string {
  const w = env.dataworks.workspace;
  return 'create' in w ? w.create.identifier : w.existing.identifier;
}

/** Every sync node an environment deploys. */
export function syncDefinitionsForEnvironment(env: EnvironmentConfig, options: EnvironmentSyncOptions = {}): SyncDefinition[] {
  const dw = env.dataworks;
  if (env.engine !== 'data-integration') throw new SyncDefinitionError(env.name, 'engine', RUNTIME_NOT_SCHEDULABLE);
  return resolvedTables(env).map(resolved => {
    const table = syncTableSource(resolved);
    return buildSyncDefinition({
      namePrefix: env.namePrefix,
      projectIdentifier: workspaceIdentifier(env),
      resourceGroup: dw.resourceGroupIdentifier,
      schedule: resolved.schedule,
      ossDataSource: dw.ossDataSourceName,
      declaredDataSources: options.declaredDataSources ?? [
        ...env.tablestore.instances.map(i => ({ name: i.dataSourceName, type: 'tablestore' as const })),
        { name: dw.ossDataSourceName, type: 'oss' },
      ],
      exportPrefix: env.bucket.exportPrefix,
      exportFormat: resolved.exportFormat,
      table,
    });
  });
}

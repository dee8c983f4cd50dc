/**
 * The tables of an environment with every default applied: which instance holds each, how it is adopted, what it
 * exports, with which format, schedule and Stream retention, and under which name its node and objects live.
 * Everything that iterates over tables (stack, nodes, RAM policy, runtime configuration, validation) reads them
 * from here, so a default is decided once.
 */
import {
  AdoptMode, DefinedColumn, EnvironmentConfig, ExportColumn, ExportFormatConfig, PrimaryKeyColumn, ScheduleConfig, TableConfig,
  TablestoreInstanceConfig,
} from './types';

/** The columns every time series data point carries, as the Stream reader names them in time series mode. */
export const TIMESERIES_FIXED_COLUMNS = ['_m_name', '_data_source', '_tags', '_time'] as const;

/** The table's own settings with their defaults applied (`adopt` 'create', `backupName` the table name, ...). */
type TableSettings = Required<Pick<TableConfig, 'kind' | 'name' | 'adopt' | 'backupName' | 'exportColumns' | 'enabled'>> & {
  /**
   * Retention (hours) the stack gives a wide-column table's Stream. A time series table's Stream comes with the
   * table and no call sets its retention: the environment's value, which nothing sends.
   */
  readonly streamRetentionHours: number;
};

export interface ResolvedTable extends TableSettings {
  /** The instance `instance` names (the first one by default). */
  readonly instance: TablestoreInstanceConfig;
  /** Empty for a time series table. */
  readonly primaryKey: readonly PrimaryKeyColumn[];
  /** A wide-column table's defined columns, a time series table's fields. */
  readonly definedColumns: readonly DefinedColumn[];
  /** Undefined for a referenced table: the stack never sets it. */
  readonly timeToLiveSeconds?: number;
  /** Tablestore type of each known column, by name. */
  readonly columnTypes: Readonly<Record<string, string>>;
  /** The environment's, with the table's overrides. */
  readonly exportFormat: ExportFormatConfig;
  readonly schedule: ScheduleConfig;
  /** The configuration entry, for messages: `tablestore.tables[i]`. */
  readonly field: string;
  readonly config: TableConfig;
}

/**
 * The table in each instance where the Stream operations record which Streams the stack enabled (so that destroy
 * never disables one it did not enable): the status table's name with `_stream_owners`.
 */
export function streamOwnersTableName(instance: TablestoreInstanceConfig): string {
  return `${instance.statusTableName}_stream_owners`;
}

export function instanceAdoptMode(instance: TablestoreInstanceConfig): AdoptMode {
  return instance.adopt ?? 'create';
}

/**
 * The instance a table lives in. Throws when the table names an instance the environment does not declare
 * (validation reports that first, with the environment and field).
 */
export function instanceOf(env: EnvironmentConfig, table: TableConfig): TablestoreInstanceConfig {
  const instances = env.tablestore.instances;
  const found = table.instance === undefined ? instances[0] : instances.find(i => i.name === table.instance);
  if (!found) throw new Error(`environment "${env.name}": table ${table.name}: instance "${table.instance ?? '(first)'}" is not one of tablestore.instances`);
  return found;
}

export function resolveTable(env: EnvironmentConfig, table: TableConfig, index: number): ResolvedTable {
  const primaryKey = table.kind === 'wide-column' ? table.primaryKey : [];
  const definedColumns = table.kind === 'wide-column' ? (table.definedColumns ?? []) : (table.fields ?? []);
  const columnTypes: Record<string, string> = {};
  for (const c of [...primaryKey, ...definedColumns]) columnTypes[c.name] = c.type;
  const defaultColumns: ExportColumn[] = table.kind === 'wide-column'
    ? [...primaryKey, ...definedColumns].map(c => ({ name: c.name }))
    : [...TIMESERIES_FIXED_COLUMNS, ...definedColumns.map(c => c.name)].map(name => ({ name }));
  const adopt = table.adopt ?? 'create';
  return {
    kind: table.kind,
    name: table.name,
    instance: instanceOf(env, table),
    adopt,
    backupName: table.backupName ?? table.name,
    primaryKey,
    definedColumns,
    timeToLiveSeconds: adopt === 'reference' ? undefined : (table.timeToLiveSeconds ?? -1),
    exportColumns: table.exportColumns ?? defaultColumns,
    columnTypes,
    exportFormat: { ...env.exportFormat, ...(table.exportFormat ?? {}) },
    schedule: { ...env.schedule, ...(table.schedule ?? {}) },
    streamRetentionHours: (table.kind === 'wide-column' ? table.streamRetentionHours : undefined) ?? env.tablestore.streamRetentionHours,
    enabled: table.enabled ?? true,
    field: `tablestore.tables[${index}]`,
    config: table,
  };
}

/** Every table the environment backs up, in configuration order. */
export function resolvedTables(env: EnvironmentConfig): ResolvedTable[] {
  return env.tablestore.tables.map((t, i) => resolveTable(env, t, i));
}

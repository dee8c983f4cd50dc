import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { OtsInstance } from '../../.gen/providers/alicloud/ots-instance';
import { OtsTable } from '../../.gen/providers/alicloud/ots-table';
import { instanceAdoptMode, ResolvedTable, streamOwnersTableName } from '../config/tables';
import { TablestoreInstanceConfig } from '../config/types';
import { IMPORT_ID } from '../config/validate';
import { grantCheckpointWrite, grantStreamRead, ISyncGrantee, TableRef } from './sync-permissions';
import { ConstructPropsError } from './validate';
import { INSTANCE_NETWORK_ACL, instanceEndpoint, instanceNetworkTypeAcl } from '../tablestore/endpoints';

export interface TablestoreTablesProps {
  /** Region of the instances (endpoints are derived from it). */
  readonly region: string;
  /** Every instance of the environment; the first is the tables' default. */
  readonly instances: readonly TablestoreInstanceConfig[];
  /** The tables backed up (see resolvedTables); wide-column tables that are created or imported get a resource. */
  readonly tables: readonly ResolvedTable[];
  /** Tags of created instances. @default - no tags */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Keep Terraform from deleting the created and imported instances and tables (prod).
   * @default false
   */
  readonly preventDestroy?: boolean;
}

/**
 * The stream reader's checkpoint table has a fixed schema: three string primary key columns, as the Data
 * Integration Tablestore Stream reader creates and reads it.
 */
export const STATUS_TABLE_PRIMARY_KEY = [
  { name: 'StreamId', type: 'String' },
  { name: 'StatusType', type: 'String' },
  { name: 'StatusValue', type: 'String' },
] as const;

/** Primary key of the owners table: one row per Stream the stack enabled (see lib/ops/table-stream-ops.ts). */
export const STREAM_OWNERS_PRIMARY_KEY = [
  { name: 'table_name', type: 'String' },
  { name: 'stream_id', type: 'String' },
] as const;

/** Checkpoints only matter while the stream still holds the data they point at. */
const STATUS_TABLE_TTL_SECONDS = 7 * 86400;


/** One instance as the rest of the stack sees it. */
export interface BackupInstance {
  /** The instance name as configured (the key of `TablestoreTables.instances`). */
  readonly name: string;
  /** Endpoint DataWorks (data source, runtime node) uses: `endpoints.dataworks`, else the VPC endpoint. */
  readonly dataWorksEndpoint: string;
  /** Networks the instance accepts (`network_type_acl`; every network when a referenced instance's is unknown). */
  readonly networkTypeAcl: readonly string[];
  /** Absent when the instance is referenced: the stack does not manage it. */
  readonly resource?: OtsInstance;
  /** The stream reader's checkpoint table, created by the stack in every instance. */
  readonly statusTable: OtsTable;
  /** Where the stack records the Streams it enabled, created in every instance; its rows never expire. */
  readonly streamOwnersTable: OtsTable;
}

/**
 * The Tablestore side of an environment: each instance (created, imported or referenced), the reader's status
 * table in each, and the wide-column tables being backed up (created or imported; a referenced table gets no
 * resource, so Terraform can never change or delete it). A wide-column table keeps one version per cell, as an
 * IoT-style whole-row writer needs. Streams and time series tables are not expressible in the provider; the stack
 * adds them with the managed-object constructs, keyed on these names.
 */
export class TablestoreTables extends Construct {
  readonly instances: ReadonlyMap<string, BackupInstance>;
  /** Created or imported wide-column tables, by `<instance>:<table>`. */
  readonly tables: ReadonlyMap<string, OtsTable>;

  constructor(scope: Construct, id: string, props: TablestoreTablesProps) {
    super(scope, id);
    const lifecycle = props.preventDestroy ? { preventDestroy: true } : undefined;
    const instances = new Map<string, BackupInstance>();
    for (const config of props.instances) {
      const adopt = instanceAdoptMode(config);
      let resource: OtsInstance | undefined;
      if (adopt !== 'reference') {
        if (!config.instanceType || !config.accessedBy) {
          throw new ConstructPropsError(`TablestoreTables ${this.node.path}`, `instances[${config.name}]`, 'instanceType and accessedBy are required unless the instance is referenced');
        }
        const acl = INSTANCE_NETWORK_ACL[config.accessedBy];
        resource = new OtsInstance(this, `instance-${config.name}`, {
          name: config.name,
          description: `Tablestore backup source ${config.name}`,
          instanceType: config.instanceType,
          networkTypeAcl: [...acl.types],
          ...(acl.sources ? { networkSourceAcl: [...acl.sources] } : {}),
          tags: props.tags ? { ...props.tags } : undefined,
          lifecycle,
        });
        if (adopt === 'import') resource.importFrom(config.importId ?? IMPORT_ID.otsInstance(config.name));
      }
      // A token when the stack manages the instance, so that tables wait for it.
      const instanceName = resource ? resource.name : config.name;
      const statusTable = new OtsTable(this, `status-table-${config.name}`, {
        instanceName,
        tableName: config.statusTableName,
        primaryKey: STATUS_TABLE_PRIMARY_KEY.map(k => ({ ...k })),
        maxVersion: 1,
        timeToLive: STATUS_TABLE_TTL_SECONDS,
      });
      const streamOwnersTable = new OtsTable(this, `stream-owners-table-${config.name}`, {
        instanceName,
        tableName: streamOwnersTableName(config),
        primaryKey: STREAM_OWNERS_PRIMARY_KEY.map(k => ({ ...k })),
        maxVersion: 1,
        timeToLive: -1,
      });
      instances.set(config.name, {
        name: config.name,
        // Data Integration runs on the resource group's network: a VPC bound to the instance (DataWorks CreateNetwork).
        dataWorksEndpoint: instanceEndpoint(config, props.region, 'dataworks', 'vpc'),
        networkTypeAcl: instanceNetworkTypeAcl(config),
        resource,
        statusTable,
        streamOwnersTable,
      });
    }
    this.instances = instances;

    const tables = new Map<string, OtsTable>();
    for (const t of props.tables) {
      if (t.kind !== 'wide-column' || t.adopt === 'reference') continue;
      if (t.primaryKey.length === 0 || t.primaryKey.length > 4) {
        throw new ConstructPropsError(`TablestoreTables ${this.node.path}`, `tables[${t.name}].primaryKey`, `must have 1 to 4 columns, has ${t.primaryKey.length}`);
      }
      const instance = instances.get(t.instance.name);
      if (!instance) throw new ConstructPropsError(`TablestoreTables ${this.node.path}`, `tables[${t.name}].instance`, `${t.instance.name} is not one of the instances`);
      const table = new OtsTable(this, `table-${t.instance.name}-${t.name}`, {
        instanceName: instance.resource ? instance.resource.name : instance.name,
        tableName: t.name,
        primaryKey: t.primaryKey.map(k => ({ name: k.name, type: k.type })),
        ...(t.definedColumns.length > 0 ? { definedColumn: t.definedColumns.map(d => ({ name: d.name, type: d.type })) } : {}),
        maxVersion: t.kind === 'wide-column' && t.config.kind === 'wide-column' ? t.config.maxVersions ?? 1 : 1,
        timeToLive: t.timeToLiveSeconds ?? -1,
        lifecycle,
      });
      if (t.adopt === 'import') table.importFrom(t.config.importId ?? IMPORT_ID.otsTable(t.instance.name, t.name));
      tables.set(`${t.instance.name}:${t.name}`, table);
    }
    this.tables = tables;
  }

  /**
   * Lets the grantee read the Streams of these tables: the Tablestore rows of its engine's SYNC_PERMISSIONS. A table
   * the stack creates or imports is named through its resource (the policy waits for it); a referenced table and a
   * time series table (no provider resource) by their configured names, in their instance's resource when the
   * stack manages the instance.
   */
  grantStreamRead(grantee: ISyncGrantee, tables: readonly ResolvedTable[]): void {
    const refs = (kind: ResolvedTable['kind']) => tables.filter(t => t.kind === kind).map(t => this.tableRef(t));
    grantStreamRead(grantee, { dataTables: refs('wide-column'), timeseriesTables: refs('timeseries') });
  }

  /** Lets the grantee keep Stream reader checkpoints in each instance's status table (Data Integration's rows). */
  grantCheckpointWrite(grantee: ISyncGrantee): void {
    grantCheckpointWrite(grantee, [...this.instances.values()].map(i => ({ instanceName: i.statusTable.instanceName, tableName: i.statusTable.tableName })));
  }

  private tableRef(table: ResolvedTable): TableRef {
    const own = this.tables.get(`${table.instance.name}:${table.name}`);
    if (own) return { instanceName: own.instanceName, tableName: own.tableName };
    const instance = this.instances.get(table.instance.name)?.resource;
    return { instanceName: instance ? instance.name : table.instance.name, tableName: table.name };
  }

  /** What must exist before the table's Stream, time series table or node is touched. */
  dependenciesOf(table: ResolvedTable): ITerraformDependable[] {
    const instance = this.instances.get(table.instance.name);
    const own = this.tables.get(`${table.instance.name}:${table.name}`);
    return [...(own ? [own] : []), ...(instance?.resource ? [instance.resource] : []), ...(instance ? [instance.statusTable, instance.streamOwnersTable] : [])];
  }
}

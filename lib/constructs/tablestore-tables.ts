import { Construct } from 'constructs';
import { OtsInstance } from '../../.gen/providers/alicloud/ots-instance';
import { OtsTable } from '../../.gen/providers/alicloud/ots-table';
import { TablestoreConfig } from '../config/types';

export interface TablestoreTablesProps {
  readonly region: string;
  readonly config: TablestoreConfig;
  readonly tags?: Readonly<Record<string, string>>;
  /** Keep Terraform from deleting the tables and the instance (prod). */
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

/** Checkpoints only matter while the stream still holds the data they point at. */
const STATUS_TABLE_TTL_SECONDS = 7 * 86400;

const NETWORK_ACL: Record<TablestoreConfig['accessedBy'], { types: string[]; sources?: string[] }> = {
  Any: { types: ['VPC', 'INTERNET', 'CLASSIC'] },
  Vpc: { types: ['VPC'] },
  ConsoleOrVpc: { types: ['VPC'], sources: ['TRUST_PROXY'] },
};

/**
 * The Tablestore instance, the wide-column data table being backed up (one version per cell, as an IoT-style
 * whole-row writer needs) and the reader's status table. The table Stream and the time series table are not
 * expressible in the provider; the stack adds them with the managed-object constructs, keyed on these names.
 */
export class TablestoreTables extends Construct {
  readonly instance: OtsInstance;
  readonly dataTable: OtsTable;
  readonly statusTable: OtsTable;
  readonly instanceName: string;
  /** Public HTTPS endpoint of the instance. */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: TablestoreTablesProps) {
    super(scope, id);
    const c = props.config;
    if (c.dataTable.primaryKey.length === 0 || c.dataTable.primaryKey.length > 4) {
      throw new Error(`TablestoreTables ${c.dataTable.name}: the primary key must have 1 to 4 columns, has ${c.dataTable.primaryKey.length}`);
    }
    this.instanceName = c.instanceName;
    this.endpoint = `https://${c.instanceName}.${props.region}.ots.aliyuncs.com`;
    const lifecycle = props.preventDestroy ? { preventDestroy: true } : undefined;
    const acl = NETWORK_ACL[c.accessedBy];

    this.instance = new OtsInstance(this, 'instance', {
      name: c.instanceName,
      description: `Tablestore backup source ${c.instanceName}`,
      instanceType: c.instanceType,
      networkTypeAcl: acl.types,
      ...(acl.sources ? { networkSourceAcl: acl.sources } : {}),
      tags: props.tags ? { ...props.tags } : undefined,
      lifecycle,
    });

    this.dataTable = new OtsTable(this, 'data-table', {
      instanceName: this.instance.name,
      tableName: c.dataTable.name,
      primaryKey: c.dataTable.primaryKey.map(k => ({ name: k.name, type: k.type })),
      ...(c.dataTable.definedColumns && c.dataTable.definedColumns.length > 0
        ? { definedColumn: c.dataTable.definedColumns.map(d => ({ name: d.name, type: d.type })) }
        : {}),
      maxVersion: 1,
      timeToLive: c.dataTable.timeToLiveSeconds,
      lifecycle,
    });

    this.statusTable = new OtsTable(this, 'status-table', {
      instanceName: this.instance.name,
      tableName: c.statusTableName,
      primaryKey: STATUS_TABLE_PRIMARY_KEY.map(k => ({ ...k })),
      maxVersion: 1,
      timeToLive: STATUS_TABLE_TTL_SECONDS,
    });
  }
}

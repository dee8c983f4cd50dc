import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { DataAlicloudAccount } from '../.gen/providers/alicloud/data-alicloud-account';
import { AlicloudProvider } from '../.gen/providers/alicloud/provider';
import { EnvironmentConfig, ProjectConfig } from '../lib/config/types';
import { BackupBucket } from '../lib/constructs/backup-bucket';
import { AccessKeyAuth, DataSourceAuth, DataWorksDataSources } from '../lib/constructs/dataworks-data-sources';
import { useOssStateBackend } from '../lib/constructs/state-backend';
import { SyncAccess } from '../lib/constructs/sync-access';
import { grantExportWrite } from '../lib/constructs/sync-permissions';
import { TablestoreTables } from '../lib/constructs/tablestore-tables';
import { AlertRule, SyncNode, TableStream, TimeseriesTable } from '../lib/constructs/managed';
import { ResolvedTable, resolvedTables, streamOwnersTableName } from '../lib/config/tables';
import { ITerraformDependable } from 'cdktf';
import { SINGLE_TABLE_ADDRESSES } from './single-table-layout';

export interface BackupStackProps {
  readonly environment: EnvironmentConfig;
  readonly project: ProjectConfig;
  /**
   * Set when the user explicitly allows deleting a protected environment's data (`OTSBK_ALLOW_TEARDOWN=<env>`):
   * lifts `prevent_destroy` from its tables.
   */
  readonly teardownExplicitlyAllowed?: boolean;
}

/** One environment: bucket, Tablestore instances and tables, access, DataWorks data sources, one scheduled sync per table. */
export class BackupStack extends TerraformStack {
  /** Absent when the bucket is referenced. */
  readonly bucket?: BackupBucket;
  readonly tablestore: TablestoreTables;
  readonly access: SyncAccess;
  readonly dataSources: DataWorksDataSources;
  /** Streams of the wide-column tables, by backup name. */
  readonly streams: ReadonlyMap<string, TableStream>;
  /** Time series tables the stack creates, by backup name. */
  readonly timeseriesTables: ReadonlyMap<string, TimeseriesTable>;
  /** One node per table, by backup name. */
  readonly syncNodes: ReadonlyMap<string, SyncNode>;
  /** Failure and lateness alerts on each sync node (none when the environment configures no alerts). */
  readonly alertRules: AlertRule[];

  /** `id` is the stack name; the environment's name keeps its state prefix and outputs apart. */
  constructor(scope: Construct, id: string, props: BackupStackProps) {
    const env = props.environment;
    super(scope, id);

    new AlicloudProvider(this, 'alicloud', { region: env.region });
    useOssStateBackend(this, {
      region: props.project.stateRegion,
      bucket: env.state.bucket,
      prefix: env.state.prefix,
      lockInstanceName: env.state.lockInstanceName,
      lockTableName: env.state.lockTableName,
    });
    const accountId = new DataAlicloudAccount(this, 'account', {}).id;
    const tags = { ...env.tags };
    const mayDeleteData = env.allowTeardown || props.teardownExplicitlyAllowed === true;
    const tables = resolvedTables(env);

    // A referenced bucket gets no resource: the stack only writes objects into it.
    const bucketAdopt = env.bucket.adopt ?? 'create';
    if (bucketAdopt !== 'reference') {
      if (!env.bucket.lifecycle) throw new Error(`environment "${env.name}": bucket.lifecycle is required unless the bucket is referenced`);
      this.bucket = new BackupBucket(this, 'backup-bucket', {
        bucketName: env.bucket.name,
        lifecycle: env.bucket.lifecycle,
        kms: env.bucket.kms,
        redundancyType: env.bucket.redundancyType,
        // Only a bucket the stack created may be emptied by destroy.
        forceDestroy: env.allowTeardown && bucketAdopt === 'create',
        lifecyclePrefixes: [env.bucket.exportPrefix],
        tags,
        importExisting: bucketAdopt === 'import',
        preventDestroy: bucketAdopt === 'import' && !mayDeleteData,
      });
    }
    const bucketName = this.bucket ? this.bucket.bucketName : env.bucket.name;

    this.tablestore = new TablestoreTables(this, 'tablestore', {
      region: env.region,
      instances: env.tablestore.instances,
      tables,
      tags,
      preventDestroy: !mayDeleteData,
    });
    const instances = [...this.tablestore.instances.values()];

    this.access = new SyncAccess(this, 'sync-access', { namePrefix: env.namePrefix, engine: env.engine, region: env.region, accountId, mode: env.ram, tags });
    this.tablestore.grantStreamRead(this.access, tables.filter(t => t.enabled));
    this.tablestore.grantCheckpointWrite(this.access);
    if (this.bucket) {
      this.bucket.grantExportWrite(this.access, env.bucket.exportPrefix);
    } else {
      // A referenced bucket's key (kms.keyId) only tells the policy which key it encrypts with.
      const referenced = { bucketName: env.bucket.name, kmsKeyId: env.bucket.kms && 'keyId' in env.bucket.kms ? env.bucket.kms.keyId : undefined };
      grantExportWrite(this.access, referenced, env.bucket.exportPrefix);
    }

    this.dataSources = new DataWorksDataSources(this, 'dataworks', {
      region: env.region,
      workspace: env.dataworks.workspace,
      tags,
      tablestore: env.tablestore.instances.map(i => ({ name: i.dataSourceName, endpoint: this.tablestore.instances.get(i.name)!.dataWorksEndpoint, instanceName: i.name })),
      oss: { name: env.dataworks.ossDataSourceName, bucketName: env.bucket.name },
      ...this.dataSourceAuth(env),
    });

    // What the provider cannot express: the tables' Streams, the time series tables and the scheduled nodes.
    const managed = { environment: env.name, allowTeardown: env.allowTeardown };
    // The operations command derives its endpoint from the ACL and where it runs (OTSBK_TABLESTORE_NETWORK).
    const tablestoreOps = (table: { readonly instance: { readonly name: string; readonly endpoints?: { readonly operations?: string } } }) => ({
      tablestoreNetworkTypeAcl: this.tablestore.instances.get(table.instance.name)!.networkTypeAcl,
      tablestoreEndpoint: table.instance.endpoints?.operations,
    });
    const streams = new Map<string, TableStream>();
    const timeseriesTables = new Map<string, TimeseriesTable>();
    const tableDependencies = new Map<string, ITerraformDependable[]>();
    for (const table of tables) {
      const dependsOn = this.tablestore.dependenciesOf(table);
      const own: ITerraformDependable[] = [];
      if (table.kind === 'wide-column') {
        const stream = new TableStream(this, `stream-${table.backupName}`, {
          ...managed,
          enabled: table.enabled,
          region: env.region,
          instanceName: table.instance.name,
          tableName: table.name,
          retentionHours: table.streamRetentionHours,
          ...tablestoreOps(table),
          streamOwnersTable: streamOwnersTableName(table.instance),
          dependsOn,
        });
        streams.set(table.backupName, stream);
        own.push(stream.object.resource);
      } else if (table.adopt === 'create') {
        const created = new TimeseriesTable(this, `timeseries-table-${table.backupName}`, {
          ...managed,
          enabled: table.enabled,
          region: env.region,
          instanceName: table.instance.name,
          tableName: table.name,
          timeToLiveSeconds: table.timeToLiveSeconds ?? -1,
          ...tablestoreOps(table),
          dependsOn,
        });
        timeseriesTables.set(table.backupName, created);
        own.push(created.object.resource);
      }
      tableDependencies.set(table.backupName, [...dependsOn, ...own]);
    }
    this.streams = streams;
    this.timeseriesTables = timeseriesTables;

    const nodeDependencies: ITerraformDependable[] = [...this.dataSources.tablestoreDataSources.values(), this.dataSources.ossDataSource];
    this.syncNodes = SyncNode.forEnvironment(this, env, {
      workspaceId: this.dataSources.workspaceId,
      dependsOn: nodeDependencies,
      dependsOnTable: table => tableDependencies.get(table.backupName) ?? [],
    });
    this.alertRules = AlertRule.forSyncNodes(this, env, [...this.syncNodes.values()]);

    if (env.movedFromSingleTableLayout) this.moveFromSingleTableLayout(tables);

    new TerraformOutput(this, 'bucket', { value: bucketName, description: 'Backup bucket' });
    new TerraformOutput(this, 'export_prefix', { value: env.bucket.exportPrefix, description: 'Key prefix of exported objects' });
    new TerraformOutput(this, 'tablestore_endpoints', {
      value: Object.fromEntries(instances.map(i => [i.name, i.dataWorksEndpoint])),
      description: 'Tablestore endpoints the DataWorks data sources use, by instance',
    });
    new TerraformOutput(this, 'tables', {
      value: Object.fromEntries(tables.filter(t => t.enabled).map(t => [t.backupName, {
        instance: t.instance.name,
        table: t.name,
        kind: t.kind,
        adopt: t.adopt,
        node: this.syncNodes.get(t.backupName)?.spec?.nodeName ?? '',
        objects: `${env.bucket.exportPrefix}/${t.backupName}/`,
      }])),
      description: 'Backed-up tables, by backup name: instance, table, kind, how it is adopted, sync node, object prefix',
    });
    new TerraformOutput(this, 'status_tables', {
      value: Object.fromEntries(env.tablestore.instances.map(i => [i.name, i.statusTableName])),
      description: 'Stream reader checkpoint table, by instance',
    });
    new TerraformOutput(this, 'sync_nodes', {
      value: [...this.syncNodes.values()].flatMap(n => (n.spec ? [n.spec.nodeName] : [])),
      description: 'DataWorks scheduled sync nodes',
    });
    new TerraformOutput(this, 'data_sources', {
      value: [...env.tablestore.instances.map(i => i.dataSourceName), env.dataworks.ossDataSourceName],
      description: 'DataWorks data sources (Tablestore per instance, OSS)',
    });
  }

  /** `moved` blocks from the single-table addresses: the first instance, its first wide-column table, the first time series table. */
  private moveFromSingleTableLayout(tables: readonly ResolvedTable[]): void {
    const first = this.tablestore.instances.get(tables[0]?.instance.name ?? '');
    if (!first) return;
    const A = SINGLE_TABLE_ADDRESSES;
    first.resource?.moveFromId(A.instance);
    first.statusTable.moveFromId(A.statusTable);
    this.dataSources.tablestoreDataSources.get(first.name)?.moveFromId(A.tablestoreDataSource);
    const data = tables.find(t => t.kind === 'wide-column' && t.instance.name === first.name);
    if (data) {
      this.tablestore.tables.get(`${first.name}:${data.name}`)?.moveFromId(A.dataTable);
      this.streams.get(data.backupName)?.object.resource.moveFromId(A.dataTableStream);
      this.syncNodes.get(data.backupName)?.object.resource.moveFromId(A.dataTableNode);
    }
    const series = tables.find(t => t.kind === 'timeseries' && t.instance.name === first.name);
    if (series) {
      this.timeseriesTables.get(series.backupName)?.object.resource.moveFromId(A.timeseriesTable);
      this.syncNodes.get(series.backupName)?.object.resource.moveFromId(A.timeseriesNode);
    }
  }

  /** Role mode needs no key; a PGP-encrypted key cannot be handed to DataWorks, so it falls back to variables. */
  private dataSourceAuth(env: EnvironmentConfig): { ossAuth?: DataSourceAuth; tablestoreAuth?: AccessKeyAuth } {
    const key = (k: { id: string; secret: string }): AccessKeyAuth => ({ kind: 'access-key', accessKeyId: k.id, accessKeySecret: k.secret });
    if (this.access.role) {
      // OSS documents RAM-role sign-in for its data source; Tablestore's data source documents AccessKeys only.
      return { ossAuth: { kind: 'ram-role', roleId: this.access.role.roleId }, tablestoreAuth: this.access.tablestoreAccessKey && key(this.access.tablestoreAccessKey) };
    }
    const pgp = env.ram.mode === 'user' && env.ram.pgpKey !== undefined;
    if (this.access.accessKey && !pgp) return { ossAuth: key(this.access.accessKey), tablestoreAuth: key(this.access.accessKey) };
    return {};
  }
}

import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { DataAlicloudAccount } from '../.gen/providers/alicloud/data-alicloud-account';
import { AlicloudProvider } from '../.gen/providers/alicloud/provider';
import { EnvironmentConfig, ProjectConfig } from '../lib/config/types';
import { BackupBucket } from '../lib/constructs/backup-bucket';
import { DataSourceAuth, DataWorksDataSources } from '../lib/constructs/dataworks-data-sources';
import { useOssStateBackend } from '../lib/constructs/state-backend';
import { SyncAccess } from '../lib/constructs/sync-access';
import { TablestoreTables } from '../lib/constructs/tablestore-tables';
import { EnvironmentSyncNodes, SyncNode, TableStream, TimeseriesTable } from '../lib/constructs/managed';
import { RuntimeBundle } from '../lib/constructs/runtime-bundle';
import { SyncTableSource } from '../lib/dataworks/sync-definition';
import { RuntimeScriptProps } from '../lib/dataworks/runtime-script';
import { configFromEnvironment, encodeConfigArgument } from '../lib/runtime/sync/config';
import { ITerraformDependable } from 'cdktf';

/** Runtime releases live outside the export prefix, so backup lifecycle rules never expire them. */
export const RUNTIME_KEY_PREFIX = '_otsbk/runtime';

/** What the runtime node runs: the bundle from the bucket (over the VPC endpoint), with this table's configuration. */
function runtimeInvocation(env: EnvironmentConfig, bundle: RuntimeBundle): (table: SyncTableSource) => RuntimeScriptProps {
  return table => ({
    bundle: { bucket: env.bucket.name, key: bundle.key, endpoint: `oss-${env.region}-internal.aliyuncs.com` },
    arguments: ['--config', encodeConfigArgument(configFromEnvironment(env, { timeseries: table.kind === 'timeseries' }))],
  });
}

export interface BackupStackProps {
  readonly environment: EnvironmentConfig;
  readonly project: ProjectConfig;
  /**
   * Set when the user explicitly allows deleting a protected environment's data (`OTSBK_ALLOW_TEARDOWN=<env>`):
   * lifts `prevent_destroy` from its tables.
   */
  readonly teardownExplicitlyAllowed?: boolean;
}

/** One environment: bucket, Tablestore, access, DataWorks data sources, and the scheduled sync. */
export class BackupStack extends TerraformStack {
  readonly bucket: BackupBucket;
  readonly tablestore: TablestoreTables;
  readonly access: SyncAccess;
  readonly dataSources: DataWorksDataSources;
  readonly stream: TableStream;
  readonly timeseriesTable: TimeseriesTable;
  readonly syncNodes: EnvironmentSyncNodes;
  /** Set when the environment's engine is `runtime`. */
  readonly runtimeBundle?: RuntimeBundle;

  constructor(scope: Construct, props: BackupStackProps) {
    const env = props.environment;
    super(scope, env.name);

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

    this.bucket = new BackupBucket(this, 'backup-bucket', {
      bucketName: env.bucket.name,
      accountId,
      lifecycle: env.bucket.lifecycle,
      kmsKeyId: env.bucket.kmsKeyId,
      redundancyType: env.bucket.redundancyType,
      forceDestroy: env.allowTeardown,
      lifecyclePrefix: env.bucket.exportPrefix,
      tags,
    });

    this.tablestore = new TablestoreTables(this, 'tablestore', {
      region: env.region,
      config: env.tablestore,
      tags,
      preventDestroy: !mayDeleteData,
    });

    const streamTables = [env.tablestore.dataTable.name, ...(env.tablestore.timeseriesTable ? [env.tablestore.timeseriesTable.name] : [])];
    this.access = new SyncAccess(this, 'sync-access', {
      namePrefix: env.namePrefix,
      region: env.region,
      accountId,
      mode: env.ram,
      bucketName: env.bucket.name,
      exportPrefix: env.bucket.exportPrefix,
      instanceName: env.tablestore.instanceName,
      streamTables,
      statusTable: env.tablestore.statusTableName,
      tags,
    });

    this.dataSources = new DataWorksDataSources(this, 'dataworks', {
      region: env.region,
      workspace: env.dataworks.workspace,
      tags,
      tablestore: { name: env.dataworks.tablestoreDataSourceName, endpoint: this.tablestore.endpoint, instanceName: env.tablestore.instanceName },
      oss: { name: env.dataworks.ossDataSourceName, bucketName: env.bucket.name },
      auth: this.dataSourceAuth(env),
    });

    // What the provider cannot express: the table's Stream, the time series table and the scheduled nodes.
    const managed = { environment: env.name, allowTeardown: env.allowTeardown };
    this.stream = new TableStream(this, 'data-table-stream', {
      ...managed,
      region: env.region,
      instanceName: env.tablestore.instanceName,
      tableName: env.tablestore.dataTable.name,
      retentionHours: env.tablestore.streamRetentionHours,
      dependsOn: [this.tablestore.dataTable],
    });
    const ts = env.tablestore.timeseriesTable;
    this.timeseriesTable = new TimeseriesTable(this, 'timeseries-table', {
      ...managed,
      enabled: ts !== undefined,
      region: env.region,
      instanceName: env.tablestore.instanceName,
      tableName: ts?.name ?? env.tablestore.dataTable.name,
      timeToLiveSeconds: ts?.timeToLiveSeconds ?? -1,
      dependsOn: [this.tablestore.instance],
    });
    const nodeDependencies: ITerraformDependable[] = [
      this.dataSources.tablestoreDataSource,
      this.dataSources.ossDataSource,
      this.stream.object.resource,
      this.timeseriesTable.object.resource,
    ];
    if (env.engine === 'runtime') {
      this.runtimeBundle = new RuntimeBundle(this, 'runtime-bundle', { bucket: this.bucket.bucket.bucket, keyPrefix: RUNTIME_KEY_PREFIX });
      nodeDependencies.push(this.runtimeBundle.object);
    }
    this.syncNodes = SyncNode.forEnvironment(this, env, {
      workspaceId: this.dataSources.workspaceId,
      runtime: this.runtimeBundle ? runtimeInvocation(env, this.runtimeBundle) : undefined,
      dependsOn: nodeDependencies,
    });

    new TerraformOutput(this, 'bucket', { value: this.bucket.bucket.bucket, description: 'Backup bucket' });
    new TerraformOutput(this, 'export_prefix', { value: env.bucket.exportPrefix, description: 'Key prefix of exported objects' });
    new TerraformOutput(this, 'tablestore_endpoint', { value: this.tablestore.endpoint, description: 'Tablestore instance endpoint' });
    new TerraformOutput(this, 'tables', { value: streamTables, description: 'Tables whose Stream is backed up' });
    new TerraformOutput(this, 'status_table', { value: env.tablestore.statusTableName, description: 'Stream reader checkpoint table' });
    new TerraformOutput(this, 'sync_nodes', {
      value: [this.syncNodes.dataTable, this.syncNodes.timeseriesTable].flatMap(n => (n.spec ? [n.spec.nodeName] : [])),
      description: 'DataWorks scheduled sync nodes',
    });
    new TerraformOutput(this, 'data_sources', {
      value: [env.dataworks.tablestoreDataSourceName, env.dataworks.ossDataSourceName],
      description: 'DataWorks data sources (Tablestore, OSS)',
    });
  }

  /** Role mode needs no key; a PGP-encrypted key cannot be handed to DataWorks, so it falls back to variables. */
  private dataSourceAuth(env: EnvironmentConfig): DataSourceAuth | undefined {
    if (this.access.role) return { kind: 'ram-role', roleId: this.access.role.roleId };
    const pgp = env.ram.mode === 'user' && env.ram.pgpKey !== undefined;
    if (this.access.accessKey && !pgp) {
      return { kind: 'access-key', accessKeyId: this.access.accessKey.id, accessKeySecret: this.access.accessKey.secret };
    }
    return undefined;
  }
}

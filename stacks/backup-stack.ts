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

    new TerraformOutput(this, 'bucket', { value: this.bucket.bucket.bucket, description: 'Backup bucket' });
    new TerraformOutput(this, 'export_prefix', { value: env.bucket.exportPrefix, description: 'Key prefix of exported objects' });
    new TerraformOutput(this, 'tablestore_endpoint', { value: this.tablestore.endpoint, description: 'Tablestore instance endpoint' });
    new TerraformOutput(this, 'tables', { value: streamTables, description: 'Tables whose Stream is backed up' });
    new TerraformOutput(this, 'status_table', { value: env.tablestore.statusTableName, description: 'Stream reader checkpoint table' });
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

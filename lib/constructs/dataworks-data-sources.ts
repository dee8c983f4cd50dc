import { Construct } from 'constructs';
import { Fn, TerraformVariable, Token } from 'cdktf';
import { DataWorksDataSource } from '../../.gen/providers/alicloud/data-works-data-source';
import { DataWorksProject } from '../../.gen/providers/alicloud/data-works-project';
import { WorkspaceConfig } from '../config/types';
import { ConstructPropsError } from './validate';

/** An AccessKey pair a data source signs in with. */
export interface AccessKeyAuth {
  readonly kind: 'access-key';
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/** How Data Integration signs in to OSS: a RAM role it assumes, or an AccessKey. */
export type DataSourceAuth = { readonly kind: 'ram-role'; readonly roleId: string } | AccessKeyAuth;

export interface TablestoreDataSourceProps {
  /** Data source name in the workspace (letters, digits, underscores; starts with a letter). */
  readonly name: string;
  /** Tablestore endpoint Data Integration reaches the instance on (`BackupInstance.dataWorksEndpoint`). */
  readonly endpoint: string;
  /** The instance the data source reads; may be a token. */
  readonly instanceName: string;
}

export interface DataWorksDataSourcesProps {
  /** Region of the workspace, the instances and the bucket. */
  readonly region: string;
  /** The workspace to create, or the existing one (id and identifier) to add the data sources to. */
  readonly workspace: WorkspaceConfig;
  /** Tags of a created workspace. @default - no tags */
  readonly tags?: Readonly<Record<string, string>>;
  /** One Tablestore data source per instance (a data source reaches one instance). */
  readonly tablestore: readonly TablestoreDataSourceProps[];
  /** The OSS data source: its name and the bucket it writes to (may be a token). */
  readonly oss: { readonly name: string; readonly bucketName: string };
  /**
   * How the OSS data source signs in (`authType` RamRole or Ak, both documented for `oss`).
   * @default an AccessKey from the sensitive variables `sync_access_key_id` / `sync_access_key_secret`
   */
  readonly ossAuth?: DataSourceAuth;
  /**
   * The AccessKey the Tablestore data sources sign in with: the documented `tablestore` connection properties
   * (UrlMode) are `accessId` / `accessKey` only, with no `authType` and no role.
   * @default the same sensitive variables
   */
  readonly tablestoreAuth?: AccessKeyAuth;
}

/**
 * The DataWorks workspace (created, or referenced by id) and the Tablestore and OSS data sources that the sync
 * node reads from and writes to, in the production environment the scheduler runs in.
 */
export class DataWorksDataSources extends Construct {
  /** Numeric workspace id, or a token when the stack creates the workspace. */
  readonly workspaceId: number;
  /** Workspace identifier: the node's root dependency is `<identifier>_root`. */
  readonly workspaceIdentifier: string;
  /** The Tablestore data sources, by instance name. */
  readonly tablestoreDataSources: ReadonlyMap<string, DataWorksDataSource>;
  readonly ossDataSource: DataWorksDataSource;

  constructor(scope: Construct, id: string, props: DataWorksDataSourcesProps) {
    super(scope, id);
    const names = [...props.tablestore.map(t => t.name), props.oss.name];
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw new ConstructPropsError(`DataWorksDataSources ${this.node.path}`, 'tablestore/oss', `every data source needs its own name, "${duplicate}" is used twice`);
    if ('create' in props.workspace) {
      const ws = props.workspace.create;
      const project = new DataWorksProject(this, 'workspace', {
        projectName: ws.identifier,
        displayName: ws.displayName,
        description: ws.description ?? `Tablestore to OSS backup (${ws.identifier})`,
        paiTaskEnabled: false,
        // Basic mode: one production environment, which is where scheduled nodes and these data sources live.
        devEnvironmentEnabled: false,
        devRoleDisabled: true,
        tags: props.tags ? { ...props.tags } : undefined,
      });
      this.workspaceId = Token.asNumber(project.id);
      this.workspaceIdentifier = ws.identifier;
    } else {
      this.workspaceId = Number(props.workspace.existing.id);
      this.workspaceIdentifier = props.workspace.existing.identifier;
    }

    // The variables are declared once, and only when a data source takes its key from them.
    let fromVariables: AccessKeyAuth | undefined;
    const variables = (): AccessKeyAuth => (fromVariables ??= this.accessKeyFromVariables());
    const ossAuth = props.ossAuth ?? variables();
    const ossCredentials = ossAuth.kind === 'ram-role'
      ? { authType: 'RamRole', authIdentity: ossAuth.roleId }
      : { authType: 'Ak', accessId: ossAuth.accessKeyId, accessKey: ossAuth.accessKeySecret };
    const tablestoreAuth = props.tablestoreAuth ?? variables();
    const tablestoreCredentials = { accessId: tablestoreAuth.accessKeyId, accessKey: tablestoreAuth.accessKeySecret };

    const tablestore = new Map<string, DataWorksDataSource>();
    for (const source of props.tablestore) {
      tablestore.set(source.instanceName, new DataWorksDataSource(this, `tablestore-${source.instanceName}`, {
        projectId: this.workspaceId,
        dataSourceName: source.name,
        type: 'tablestore',
        connectionPropertiesMode: 'UrlMode',
        description: `Tablestore instance ${source.instanceName} (stream source)`,
        connectionProperties: Fn.jsonencode({
          envType: 'Prod',
          regionId: props.region,
          endpoint: source.endpoint,
          instanceName: source.instanceName,
          ...tablestoreCredentials,
        }),
      }));
    }
    this.tablestoreDataSources = tablestore;

    this.ossDataSource = new DataWorksDataSource(this, 'oss', {
      projectId: this.workspaceId,
      dataSourceName: props.oss.name,
      type: 'oss',
      connectionPropertiesMode: 'UrlMode',
      description: `OSS bucket ${props.oss.bucketName} (backup destination)`,
      connectionProperties: Fn.jsonencode({
        envType: 'Prod',
        regionId: props.region,
        endpoint: `https://oss-${props.region}.aliyuncs.com`,
        bucket: props.oss.bucketName,
        ...ossCredentials,
      }),
    });
  }

  private accessKeyFromVariables(): AccessKeyAuth {
    const id = new TerraformVariable(this, 'sync_access_key_id', {
      type: 'string',
      sensitive: true,
      description: 'AccessKey id Data Integration uses (set TF_VAR_sync_access_key_id)',
    });
    const secret = new TerraformVariable(this, 'sync_access_key_secret', {
      type: 'string',
      sensitive: true,
      description: 'AccessKey secret Data Integration uses (set TF_VAR_sync_access_key_secret)',
    });
    id.overrideLogicalId('sync_access_key_id');
    secret.overrideLogicalId('sync_access_key_secret');
    return { kind: 'access-key', accessKeyId: id.stringValue, accessKeySecret: secret.stringValue };
  }
}

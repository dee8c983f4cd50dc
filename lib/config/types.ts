/**
 * The typed configuration of one deployment environment. Every stack is built from one of these,
 * after `validateConfiguration` has accepted the whole set (see ./validate.ts).
 */

/** Tablestore primary key column types (`alicloud_ots_table.primary_key.type`). */
export type PrimaryKeyType = 'Integer' | 'String' | 'Binary';

/** Tablestore defined (attribute) column types (`alicloud_ots_table.defined_column.type`). */
export type DefinedColumnType = 'Integer' | 'String' | 'Binary' | 'Double' | 'Boolean';

export interface PrimaryKeyColumn {
  readonly name: string;
  readonly type: PrimaryKeyType;
}

export interface DefinedColumn {
  readonly name: string;
  readonly type: DefinedColumnType;
}

/**
 * A column the sync node exports. `dataType` is the Tablestore Stream reader's row-mode choice:
 * `new` (value after the change, the default), `old` (before) or `latest` (current value in the table).
 */
export interface ExportColumn {
  readonly name: string;
  readonly dataType?: 'new' | 'old' | 'latest';
}

export interface BucketLifecycle {
  /** Days after which objects move to Infrequent Access; omit to keep them Standard. */
  readonly transitionToIaDays?: number;
  /** Days after which objects move to Archive; must be later than the IA transition. */
  readonly transitionToArchiveDays?: number;
  /** Days after which current objects expire; omit to keep backups forever. */
  readonly expireDays?: number;
  /** Days after which overwritten (noncurrent) versions expire. */
  readonly noncurrentVersionExpireDays: number;
  /** Days after which incomplete multipart uploads are aborted. */
  readonly abortMultipartUploadDays: number;
}

export interface BucketConfig {
  /** Globally unique OSS bucket name. */
  readonly name: string;
  /** Key prefix under which the sync writes its objects, without leading or trailing slash. */
  readonly exportPrefix: string;
  /** KMS key id for SSE-KMS; AES256 (OSS-managed keys) when omitted. */
  readonly kmsKeyId?: string;
  /** OSS storage redundancy; zone-redundant (ZRS) is the safe default for backups. */
  readonly redundancyType?: 'LRS' | 'ZRS';
  readonly lifecycle: BucketLifecycle;
}

export interface WideColumnTableConfig {
  readonly name: string;
  /** 1 to 4 columns; the first is the partition key. */
  readonly primaryKey: readonly PrimaryKeyColumn[];
  readonly definedColumns?: readonly DefinedColumn[];
  /** Row time to live in seconds; -1 keeps data forever. */
  readonly timeToLiveSeconds: number;
  /** Columns the sync exports, in order (primary key columns first, as the reader emits them). */
  readonly exportColumns: readonly ExportColumn[];
}

export interface TimeseriesTableConfig {
  readonly name: string;
  /** Data time to live in seconds; -1 keeps data forever. */
  readonly timeToLiveSeconds: number;
  /** Columns the sync exports from the time series stream (e.g. `_m_name`, `_data_source`, `_tags`, `_time`, fields). */
  readonly exportColumns: readonly ExportColumn[];
}

export interface TablestoreConfig {
  readonly instanceName: string;
  readonly instanceType: 'HighPerformance' | 'Capacity';
  /** Which networks may reach the instance (`alicloud_ots_instance.accessed_by`). */
  readonly accessedBy: 'Any' | 'Vpc' | 'ConsoleOrVpc';
  readonly dataTable: WideColumnTableConfig;
  /** Table in which the Data Integration stream reader keeps its checkpoints. */
  readonly statusTableName: string;
  /** Stream retention in hours (Tablestore allows 1 to 168). */
  readonly streamRetentionHours: number;
  readonly timeseriesTable?: TimeseriesTableConfig;
}

/**
 * How Data Integration authenticates to Tablestore and OSS. `role` (recommended) lets DataWorks assume a
 * RAM role, so no long-lived key exists; `user` creates a RAM user whose AccessKey is optional.
 */
export type RamConfig =
  | { readonly mode: 'role' }
  | {
    readonly mode: 'user';
    /** Create an AccessKey for the user. Its secret is only ever a sensitive output. */
    readonly createAccessKey: boolean;
    /** `keybase:<user>` or a base64 PGP public key: the provider then outputs only the encrypted secret. */
    readonly pgpKey?: string;
  };

/** A DataWorks workspace referenced by id, or created by the stack. */
export type WorkspaceConfig =
  | { readonly existing: { readonly id: string; readonly identifier: string } }
  | { readonly create: { readonly identifier: string; readonly displayName: string; readonly description?: string } };

export interface DataWorksConfig {
  readonly workspace: WorkspaceConfig;
  /** Serverless resource group identifier the sync node runs on. */
  readonly resourceGroupIdentifier: string;
  readonly tablestoreDataSourceName: string;
  readonly ossDataSourceName: string;
}

export interface ScheduleConfig {
  /** DataWorks 6-field cron (`sec min hour day month weekday`), hourly by default. */
  readonly cron: string;
  /** IANA time zone the cron and the window times are read in. */
  readonly timezone: string;
  /** Scheduling parameter expressions for the window bounds. */
  readonly startTimeExpression: string;
  readonly endTimeExpression: string;
  readonly rerunMode: 'Allowed' | 'Denied' | 'FailureAllowed';
  readonly rerunTimes: number;
  readonly rerunIntervalMinutes: number;
  readonly timeoutHours: number;
  /** How late stream data may reach the reader; windows closer to now than this are refused. */
  readonly streamLagMinutes: number;
}

export interface ExportFormatConfig {
  /** `csv` is what the Data Integration OSS writer produces; `jsonl`/`parquet` need the runtime engine. */
  readonly fileFormat: 'csv' | 'jsonl' | 'parquet';
  readonly compression: 'gzip' | 'none';
  readonly fieldDelimiter: string;
  readonly encoding: 'UTF-8';
  readonly nullFormat: string;
}

export interface EnvironmentConfig {
  /** Environment name; also the stack name used by `cdktf deploy <name>`. */
  readonly name: string;
  readonly region: string;
  /** Prefix for every resource name this environment creates. */
  readonly namePrefix: string;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Whether teardown may delete data: `force_destroy` on the bucket and deleting the tables and the sync node.
   * Never true for prod.
   */
  readonly allowTeardown: boolean;
  readonly bucket: BucketConfig;
  readonly tablestore: TablestoreConfig;
  readonly ram: RamConfig;
  readonly dataworks: DataWorksConfig;
  readonly schedule: ScheduleConfig;
  readonly exportFormat: ExportFormatConfig;
  /** Which engine the scheduled node runs: the Data Integration sync (default) or this project's runtime. */
  readonly engine: 'data-integration' | 'runtime';
  /** Remote state: the shared OSS bucket and this environment's own Tablestore lock table, made by the bootstrap stack. */
  readonly state: StateConfig;
}

export interface StateConfig {
  readonly bucket: string;
  readonly prefix: string;
  readonly lockInstanceName: string;
  readonly lockTableName: string;
}

/** Every environment this project deploys, keyed by name. */
export interface ProjectConfig {
  readonly environments: readonly EnvironmentConfig[];
  /** Region of the bootstrap stack's state bucket and lock tables. */
  readonly stateRegion: string;
  readonly stateBucket: string;
  /** Instance holding one lock table per environment (`state.lockTableName`). */
  readonly stateLockInstanceName: string;
}

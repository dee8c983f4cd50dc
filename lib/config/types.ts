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

export type BucketKmsConfig =
  | { readonly keyId: string }
  | {
    readonly create: {
      /** Days between automatic rotations (KMS: 7 to 730). */
      readonly rotationIntervalDays: number;
      /** KMS instance to create the key in (KMS documents rotation for keys in software KMS instances). @default none */
      readonly kmsInstanceId?: string;
    };
  };

export interface BucketConfig {
  /** Globally unique OSS bucket name. */
  readonly name: string;
  /** Key prefix under which the sync writes its objects, without leading or trailing slash. */
  readonly exportPrefix: string;
  /**
   * SSE-KMS with a customer key: `{ keyId }` uses an existing key, `{ create }` makes one with automatic rotation.
   * AES256 (OSS-managed keys) when omitted.
   */
  readonly kms?: BucketKmsConfig;
  /** OSS storage redundancy; zone-redundant (ZRS) is the safe default for backups. */
  readonly redundancyType?: 'LRS' | 'ZRS';
  /** Required unless the bucket is referenced (a referenced bucket keeps its own rules). */
  readonly lifecycle?: BucketLifecycle;
  /**
   * `import` an existing bucket (it and its ACL, public access block and policy are then managed like created
   * ones: the policy is replaced by the stack's TLS-only policy), or `reference` it (the stack only writes objects
   * under the export prefix, and the runtime bundle under `_otsbk/runtime/`). @default 'create'
   */
  readonly adopt?: AdoptMode;
  /** Import id, when adopted with `import`. @default the bucket name, as alicloud_oss_bucket documents */
  readonly importId?: string;
}

/**
 * How the stack treats a resource that may already exist:
 * - `create` (default): the stack creates it, and destroys it when teardown is allowed.
 * - `import`: it exists; the first deploy brings it into Terraform state with an import block (Terraform ≥ 1.5),
 *   after which it is managed like a created one (and protected by `prevent_destroy` unless teardown is allowed).
 * - `reference`: it exists and stays the user's; the stack only refers to it by name and never changes or deletes
 *   it, apart from what the backup needs on it (a table's Stream).
 */
export type AdoptMode = 'create' | 'import' | 'reference';

/** Per-table overrides of the environment's export format. */
export type ExportFormatOverride = Partial<ExportFormatConfig>;

/** Per-table overrides of the environment's schedule (e.g. a daily node for a slow table). */
export type ScheduleOverride = Partial<Pick<ScheduleConfig, 'cron' | 'startTimeExpression' | 'endTimeExpression' | 'rerunMode' | 'rerunTimes' | 'rerunIntervalMinutes' | 'timeoutHours'>>;

interface TableConfigBase {
  readonly name: string;
  /** Name of the instance holding the table, one of `tablestore.instances`. @default the first instance */
  readonly instance?: string;
  /** @default 'create' */
  readonly adopt?: AdoptMode;
  /** Import id, when adopted with `import`. @default `<instance_name>:<table_name>`, as alicloud_ots_table documents */
  readonly importId?: string;
  /**
   * Name of this table's backup in node names (`<prefix>_sync_<backupName>`) and object keys
   * (`<exportPrefix>/<backupName>/...`); set it when two instances hold tables of the same name.
   * @default the table name
   */
  readonly backupName?: string;
  /**
   * Columns the sync exports, in order.
   * @default every column of the schema, primary key first (time series: the fixed data point columns)
   */
  readonly exportColumns?: readonly ExportColumn[];
  /** @default the environment's exportFormat */
  readonly exportFormat?: ExportFormatOverride;
  /** @default the environment's schedule */
  readonly schedule?: ScheduleOverride;
  /**
   * False stops backing the table up: its node, and the Stream or time series table the stack made for it, keep
   * their blocks with count 0 so the next deploy deletes them (Terraform skips destroy steps of removed blocks).
   * Remove the entry after that deploy. @default true
   */
  readonly enabled?: boolean;
}

export interface WideColumnTableConfig extends TableConfigBase {
  readonly kind: 'wide-column';
  /** Stream retention in hours (1 to 168). @default tablestore.streamRetentionHours */
  readonly streamRetentionHours?: number;
  /** 1 to 4 columns; the first is the partition key. Declared for adopted tables too (their schema). */
  readonly primaryKey: readonly PrimaryKeyColumn[];
  readonly definedColumns?: readonly DefinedColumn[];
  /** Versions kept per cell (`max_version`); declare the live value for an imported table. @default 1 */
  readonly maxVersions?: number;
  /**
   * Row time to live in seconds; -1 keeps data forever. Required for an imported table (Terraform would change
   * the live TTL to it); must be absent for a referenced table (the stack never changes it). @default -1
   */
  readonly timeToLiveSeconds?: number;
}

export interface TimeseriesTableConfig extends TableConfigBase {
  readonly kind: 'timeseries';
  /** Data point fields (their types type the export); exported after the fixed columns by default. */
  readonly fields?: readonly DefinedColumn[];
  /** Data time to live in seconds; -1 keeps data forever. Same rules as for wide-column tables. @default -1 */
  readonly timeToLiveSeconds?: number;
}

export type TableConfig = WideColumnTableConfig | TimeseriesTableConfig;

export interface TablestoreInstanceConfig {
  /** Instance name, in the environment's region. */
  readonly name: string;
  /** @default 'create' */
  readonly adopt?: AdoptMode;
  /** Import id, when adopted with `import`. @default the instance name, as alicloud_ots_instance documents */
  readonly importId?: string;
  /** Required unless the instance is referenced. */
  readonly instanceType?: 'HighPerformance' | 'Capacity';
  /** Which networks may reach the instance (`alicloud_ots_instance.accessed_by`); required unless referenced. */
  readonly accessedBy?: 'Any' | 'Vpc' | 'ConsoleOrVpc';
  /** Table (created by the stack) in which the stream readers of this instance's tables keep their checkpoints. */
  readonly statusTableName: string;
  /** DataWorks Tablestore data source of this instance (a data source reaches one instance). */
  readonly dataSourceName: string;
  /**
   * Endpoints set explicitly per caller (e.g. a PrivateLink address), instead of the ones derived from `accessedBy`
   * and the caller's network (see lib/tablestore/endpoints.ts).
   * @default derived: the VPC endpoint for DataWorks; for the operations command and the runtime CLI, the endpoint
   * of the network they say they run on (`OTSBK_TABLESTORE_NETWORK`, `--network`; internet when unset)
   */
  readonly endpoints?: TablestoreEndpoints;
}

/** Tablestore endpoints per caller, each an `https://host[:port]` URL. */
export interface TablestoreEndpoints {
  /** The DataWorks data source and the runtime node, on the resource group's VPC. @default `https://<instance>.<region>.vpc.tablestore.aliyuncs.com` */
  readonly dataworks?: string;
  /** The operations command `cdktf` runs (Streams, time series tables). @default derived from `OTSBK_TABLESTORE_NETWORK` */
  readonly operations?: string;
  /** The runtime CLI with `--env`. @default derived from `--network` */
  readonly runtime?: string;
}

export interface TablestoreConfig {
  /** The instances holding the tables; all in the environment's region. The first is the tables' default. */
  readonly instances: readonly TablestoreInstanceConfig[];
  /** The tables backed up, each with its own sync node. */
  readonly tables: readonly TableConfig[];
  /**
   * Default Stream retention in hours of the wide-column tables (Tablestore allows 1 to 168). A time series table's
   * Stream comes with the table, with a retention no Tablestore call sets.
   */
  readonly streamRetentionHours: number;
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
  /** OSS data source (the Tablestore data sources are per instance: `TablestoreInstanceConfig.dataSourceName`). */
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

/** Channels an alert goes out on (CreateAlertRule Notification.Channels). */
export type AlertChannel = 'Mail' | 'Sms' | 'Phone' | 'Dingding' | 'Webhook' | 'Feishu' | 'Weixin';

/**
 * Who receives an alert (CreateAlertRule Notification.Receivers). Webhook URLs carry an access token: the
 * configuration names the environment variable holding the URL, read by the operations command at deploy time
 * and never written into the synthesized stack or the Terraform state.
 */
export type AlertReceiverConfig =
  /** Alibaba Cloud accounts, reached by Mail, Sms and Phone. */
  | { readonly type: 'AliUid'; readonly accountIds: readonly string[] }
  /** The owner of the node's scheduling task. */
  | { readonly type: 'TaskOwner' }
  | { readonly type: 'DingdingUrl' | 'WebhookUrl' | 'FeishuUrl' | 'WeixinUrl'; readonly urlFromEnvironment: string; readonly atAll?: boolean };

/** DataWorks alert rules on every sync node of the environment. */
export interface AlertsConfig {
  /** Alibaba Cloud account id (digits) that owns the rules. */
  readonly ownerAccountId: string;
  /** Channels the alerts go out on. */
  readonly channels: readonly AlertChannel[];
  /** Who receives them; URL receivers name the environment variable holding the URL, never the URL. */
  readonly receivers: readonly AlertReceiverConfig[];
  /** Alert when an instance has not finished this many minutes after its scheduled time. */
  readonly lateAfterMinutes: number;
  /** Minutes between repeated notifications of one alert, 5–10000. */
  readonly intervalMinutes: number;
  /** Notifications of one rule per day at most, 1–10000. */
  readonly maximumPerDay: number;
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
  /**
   * Which engine the scheduled node runs. Only `data-integration` validates: `runtime` is refused because a scheduled
   * Shell node has no documented identity to run the sync runtime with (README, "Scheduled Shell node"); the runtime
   * stays the tool to debug, backfill and verify windows by hand.
   */
  readonly engine: 'data-integration' | 'runtime';
  /**
   * Set for an environment first deployed with the single-table layout (one `dataTable`, one optional
   * `timeseriesTable`): the stack then emits `moved` blocks that carry that state over to the per-table addresses.
   * Harmless once applied; keep it while any copy of the old state may still be deployed. @default false
   */
  readonly movedFromSingleTableLayout?: boolean;
  /** Alert rules on the sync nodes (an instance failed, an instance late); none when omitted. */
  readonly alerts?: AlertsConfig;
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

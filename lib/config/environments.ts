import { EnvironmentConfig, ProjectConfig, ScheduleConfig, ExportFormatConfig, WideColumnTableConfig, TimeseriesTableConfig } from './types';

/** The console procedure's hourly schedule: each run exports [run − 2h + 50min, run − 1h + 50min). */
const hourlySchedule: ScheduleConfig = {
  cron: '00 00 * * * ?',
  timezone: 'Asia/Shanghai',
  startTimeExpression: '$[yyyymmddhh24-2/24]$[miss-10/24/60]',
  endTimeExpression: '$[yyyymmddhh24-1/24]$[miss-10/24/60]',
  rerunMode: 'Allowed',
  rerunTimes: 3,
  rerunIntervalMinutes: 10,
  timeoutHours: 1,
  streamLagMinutes: 10,
};

/** What the Data Integration OSS writer produces: it compresses parquet and orc only, so csv stays plain. */
const plainCsv: ExportFormatConfig = {
  fileFormat: 'csv',
  compression: 'none',
  fieldDelimiter: ',',
  encoding: 'UTF-8',
  nullFormat: '',
};

/** IoT-style device readings: whole rows are written each time. */
const deviceReadings: WideColumnTableConfig = {
  kind: 'wide-column',
  name: 'device_readings',
  primaryKey: [
    { name: 'device_id', type: 'String' },
    { name: 'ts', type: 'Integer' },
  ],
  definedColumns: [
    { name: 'temperature', type: 'Double' },
    { name: 'humidity', type: 'Double' },
    { name: 'status', type: 'String' },
  ],
  timeToLiveSeconds: -1,
  exportColumns: [
    { name: 'device_id' },
    { name: 'ts' },
    { name: 'temperature' },
    { name: 'humidity' },
    { name: 'status' },
  ],
};

const deviceMetrics: TimeseriesTableConfig = {
  kind: 'timeseries',
  name: 'device_metrics',
  timeToLiveSeconds: -1,
  exportColumns: [
    { name: '_m_name' },
    { name: '_data_source' },
    { name: '_tags' },
    { name: '_time' },
    { name: 'value' },
  ],
};

/**
 * Alert rules of each environment: a failed instance, and an instance not finished 50 minutes after its
 * scheduled time (a run normally takes minutes). The DingTalk webhook URL comes from the variable named here.
 */
const alertsFor = (environment: string, lateAfterMinutes: number): EnvironmentConfig['alerts'] => ({
  ownerAccountId: '1933790683000000',
  channels: ['Mail', 'Dingding'],
  receivers: [
    { type: 'TaskOwner' },
    { type: 'DingdingUrl', urlFromEnvironment: `OTSBK_ALERT_DINGTALK_WEBHOOK_${environment.toUpperCase()}` },
  ],
  lateAfterMinutes,
  intervalMinutes: 30,
  maximumPerDay: 10,
});

const dev: EnvironmentConfig = {
  name: 'dev',
  region: 'cn-hangzhou',
  namePrefix: 'otsbk-dev',
  tags: { project: 'tablestore-oss-backup', environment: 'dev', owner: 'data-platform' },
  allowTeardown: true,
  bucket: {
    name: 'otsbk-dev-backup-cn-hangzhou',
    exportPrefix: 'tablestore-export',
    lifecycle: { expireDays: 30, noncurrentVersionExpireDays: 7, abortMultipartUploadDays: 3 },
  },
  tablestore: {
    instances: [{
      name: 'otsbk-dev',
      instanceType: 'Capacity',
      accessedBy: 'Any',
      statusTableName: 'otsbk_sync_status',
      dataSourceName: 'otsbk_dev_tablestore',
    }],
    tables: [{ ...deviceReadings, timeToLiveSeconds: 30 * 86400 }, deviceMetrics],
    streamRetentionHours: 24,
  },
  ram: { mode: 'user', createAccessKey: false },
  dataworks: {
    workspace: { create: { identifier: 'otsbk_dev', displayName: 'Tablestore-backup-dev' } },
    resourceGroupIdentifier: 'Serverless_res_group_dev',
    ossDataSourceName: 'otsbk_dev_oss',
  },
  schedule: hourlySchedule,
  exportFormat: plainCsv,
  engine: 'data-integration',
  movedFromSingleTableLayout: true,
  alerts: alertsFor('dev', 50),
  state: { bucket: 'otsbk-terraform-state', prefix: 'env/dev', lockInstanceName: 'otsbk-tfstate', lockTableName: 'terraform_lock_dev' },
};

const staging: EnvironmentConfig = {
  ...dev,
  name: 'staging',
  region: 'cn-shanghai',
  namePrefix: 'otsbk-stg',
  tags: { ...dev.tags, environment: 'staging' },
  allowTeardown: false,
  bucket: {
    name: 'otsbk-stg-backup-cn-shanghai',
    exportPrefix: 'tablestore-export',
    lifecycle: { transitionToIaDays: 30, expireDays: 180, noncurrentVersionExpireDays: 14, abortMultipartUploadDays: 3 },
  },
  tablestore: {
    instances: [{ ...dev.tablestore.instances[0], name: 'otsbk-stg', dataSourceName: 'otsbk_stg_tablestore' }],
    tables: [deviceReadings, deviceMetrics],
    streamRetentionHours: 72,
  },
  ram: { mode: 'role' },
  dataworks: {
    workspace: { existing: { id: '204871', identifier: 'otsbk_staging' } },
    resourceGroupIdentifier: 'Serverless_res_group_staging',
    ossDataSourceName: 'otsbk_stg_oss',
  },
  exportFormat: plainCsv,
  engine: 'data-integration',
  alerts: alertsFor('staging', 50),
  state: { ...dev.state, prefix: 'env/staging', lockTableName: 'terraform_lock_staging' },
};

const prod: EnvironmentConfig = {
  ...staging,
  name: 'prod',
  region: 'cn-beijing',
  namePrefix: 'otsbk-prd',
  tags: { ...dev.tags, environment: 'prod' },
  allowTeardown: false,
  bucket: {
    name: 'otsbk-prd-backup-cn-beijing',
    exportPrefix: 'tablestore-export',
    redundancyType: 'ZRS',
    // A customer key the stack creates, rotated yearly; the sync's policy gets the key permissions SSE-KMS needs.
    kms: { create: { rotationIntervalDays: 365 } },
    lifecycle: {
      transitionToIaDays: 30,
      transitionToArchiveDays: 90,
      expireDays: 730,
      noncurrentVersionExpireDays: 30,
      abortMultipartUploadDays: 7,
    },
  },
  tablestore: {
    instances: [{
      ...dev.tablestore.instances[0],
      name: 'otsbk-prd',
      instanceType: 'HighPerformance',
      accessedBy: 'Vpc',
      dataSourceName: 'otsbk_prd_tablestore',
    }],
    tables: [deviceReadings, deviceMetrics],
    streamRetentionHours: 168,
  },
  ram: { mode: 'role' },
  dataworks: {
    workspace: { existing: { id: '204872', identifier: 'otsbk_prod' } },
    resourceGroupIdentifier: 'Serverless_res_group_prod',
    ossDataSourceName: 'otsbk_prd_oss',
  },
  schedule: { ...hourlySchedule, rerunTimes: 5, timeoutHours: 2 },
  exportFormat: plainCsv,
  engine: 'data-integration',
  alerts: { ...alertsFor('prod', 50)!, channels: ['Mail', 'Sms', 'Dingding'] },
  state: { ...dev.state, prefix: 'env/prod', lockTableName: 'terraform_lock_prod' },
};

/** The project's environments. Edit here; `validateConfiguration` guards every change before synthesis. */
export const projectConfig: ProjectConfig = {
  environments: [dev, staging, prod],
  stateRegion: 'cn-hangzhou',
  stateBucket: 'otsbk-terraform-state',
  stateLockInstanceName: 'otsbk-tfstate',
};

/**
 * The known keys of the project configuration (types.ts), for rejecting unknown fields at run time as well:
 * TypeScript's excess-property check only covers object literals, not spreads or values built in code.
 * `Shape<T>` makes this file fail type-checking until a field added to types.ts is listed here.
 */
import { Shape } from '../common/known-keys';
import { EnvironmentConfig, ExportColumn, ExportFormatConfig, ProjectConfig, ScheduleOverride } from './types';

const column = { name: 'value', type: 'value' } as const;
const exportColumn: Shape<ExportColumn> = { name: 'value', dataType: 'value' };
const exportFormat: Shape<ExportFormatConfig> = { fileFormat: 'value', compression: 'value', fieldDelimiter: 'value', encoding: 'value', nullFormat: 'value' };
/** The schedule fields a table may override; the environment's schedule adds `timezone` and `streamLagMinutes`. */
const scheduleOverride: Shape<ScheduleOverride> = {
  cron: 'value',
  startTimeExpression: 'value',
  endTimeExpression: 'value',
  rerunMode: 'value',
  rerunTimes: 'value',
  rerunIntervalMinutes: 'value',
  timeoutHours: 'value',
};

export const ENVIRONMENT_SHAPE: Shape<EnvironmentConfig> = {
  name: 'value',
  region: 'value',
  namePrefix: 'value',
  tags: 'map',
  allowTeardown: 'value',
  bucket: {
    name: 'value',
    exportPrefix: 'value',
    // The union of both forms' fields; validate.ts checks that exactly one is given.
    kms: { keyId: 'value', create: { rotationIntervalDays: 'value', kmsInstanceId: 'value' } },
    redundancyType: 'value',
    adopt: 'value',
    importId: 'value',
    lifecycle: {
      transitionToIaDays: 'value',
      transitionToArchiveDays: 'value',
      expireDays: 'value',
      noncurrentVersionExpireDays: 'value',
      abortMultipartUploadDays: 'value',
    },
  },
  tablestore: {
    instances: [{
      name: 'value',
      adopt: 'value',
      importId: 'value',
      instanceType: 'value',
      accessedBy: 'value',
      statusTableName: 'value',
      dataSourceName: 'value',
      endpoints: { dataworks: 'value', operations: 'value', runtime: 'value' },
    }],
    // The union of both table kinds' fields; `kind` decides which apply, and validate.ts checks that.
    tables: [{
      kind: 'value',
      name: 'value',
      instance: 'value',
      adopt: 'value',
      importId: 'value',
      backupName: 'value',
      exportColumns: [exportColumn],
      exportFormat,
      schedule: scheduleOverride,
      streamRetentionHours: 'value',
      enabled: 'value',
      primaryKey: [column],
      definedColumns: [column],
      maxVersions: 'value',
      timeToLiveSeconds: 'value',
      fields: [column],
    }],
    streamRetentionHours: 'value',
  },
  ram: { mode: 'value', createAccessKey: 'value', pgpKey: 'value' },
  dataworks: {
    workspace: {
      existing: { id: 'value', identifier: 'value' },
      create: { identifier: 'value', displayName: 'value', description: 'value' },
    },
    resourceGroupIdentifier: 'value',
    ossDataSourceName: 'value',
  },
  schedule: { ...scheduleOverride, timezone: 'value', streamLagMinutes: 'value' },
  exportFormat,
  engine: 'value',
  movedFromSingleTableLayout: 'value',
  alerts: {
    ownerAccountId: 'value',
    channels: 'value',
    // The union of the receiver kinds' fields; `type` decides which apply.
    receivers: [{ type: 'value', accountIds: 'value', urlFromEnvironment: 'value', atAll: 'value' }],
    lateAfterMinutes: 'value',
    intervalMinutes: 'value',
    maximumPerDay: 'value',
  },
  state: { bucket: 'value', prefix: 'value', lockInstanceName: 'value', lockTableName: 'value' },
};

export const PROJECT_SHAPE: Shape<ProjectConfig> = {
  environments: [ENVIRONMENT_SHAPE],
  stateRegion: 'value',
  stateBucket: 'value',
  stateLockInstanceName: 'value',
};

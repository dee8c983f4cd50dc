import { parseCron, parseSchedulingExpression } from '../schedule';
import { SUPPORTED_REGIONS } from './regions';
import { EnvironmentConfig, ExportColumn, ProjectConfig } from './types';

/** One broken rule: where it is and which rule it breaks. */
export interface ConfigurationProblem {
  /** Environment name, or `project` for project-wide settings. */
  readonly environment: string;
  /** Dotted path of the field, e.g. `bucket.name`. */
  readonly field: string;
  readonly message: string;
}

/** Thrown before anything is synthesized; lists every problem found, one per line. */
export class ConfigurationError extends Error {
  constructor(readonly problems: readonly ConfigurationProblem[]) {
    super(`invalid configuration:\n${problems.map(p => `  - ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

export function formatProblem(p: ConfigurationProblem): string {
  return `environment "${p.environment}": ${p.field}: ${p.message}`;
}

export const RULES = {
  bucketName: /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  instanceName: /^[a-zA-Z][a-zA-Z0-9-]{1,14}[a-zA-Z0-9]$/,
  tableName: /^[a-zA-Z_][a-zA-Z0-9_]{0,254}$/,
  columnName: /^[a-zA-Z_][a-zA-Z0-9_]{0,254}$/,
  environmentName: /^[a-z][a-z0-9-]{0,19}$/,
  namePrefix: /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/,
  dataSourceName: /^[a-zA-Z][a-zA-Z0-9_]{0,59}$/,
  workspaceIdentifier: /^[a-zA-Z][a-zA-Z0-9_]{2,27}$/,
  objectPrefix: /^[A-Za-z0-9_.=-]+(\/[A-Za-z0-9_.=-]+)*$/,
} as const;

const RULE_TEXT = {
  bucketName: 'must be 3–63 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit',
  instanceName: 'must match ^[a-zA-Z][a-zA-Z0-9-]{1,14}[a-zA-Z0-9]$ (3–16 characters, starting with a letter, not ending with a hyphen)',
  tableName: 'must match ^[a-zA-Z_][a-zA-Z0-9_]{0,254}$',
  columnName: 'must match ^[a-zA-Z_][a-zA-Z0-9_]{0,254}$',
  environmentName: 'must match ^[a-z][a-z0-9-]{0,19}$',
  namePrefix: 'must be 3–20 characters of lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit',
  dataSourceName: 'must start with a letter and hold at most 60 letters, digits and underscores',
  workspaceIdentifier: 'must start with a letter and hold 3–28 letters, digits and underscores',
  objectPrefix: 'must be path segments of letters, digits and _ . = - separated by single slashes, with no leading or trailing slash',
} as const;

/** Tablestore refuses a TTL below one day unless it is -1 (forever). */
const MIN_TTL_SECONDS = 86400;
/** Tablestore Stream retention bounds, in hours. */
const STREAM_RETENTION_HOURS = { min: 1, max: 168 };
/** Stream data reaches the reader up to 5 minutes late; a smaller lag would export incomplete windows. */
const MIN_STREAM_LAG_MINUTES = 5;
/** Environment names whose data must never be deleted by teardown. */
const PROTECTED_ENVIRONMENTS = new Set(['prod']);

/**
 * Checks every environment and the rules that span environments. Throws one ConfigurationError that lists every
 * problem, so a user fixes them all in one pass.
 */
export function validateConfiguration(config: ProjectConfig): void {
  const problems: ConfigurationProblem[] = [];
  if (config.environments.length === 0) {
    problems.push({ environment: 'project', field: 'environments', message: 'must declare at least one environment' });
  }
  const project = new Checker('project', problems);
  project.region('stateRegion', config.stateRegion);
  project.pattern('stateBucket', config.stateBucket, 'bucketName');
  project.pattern('stateLockInstanceName', config.stateLockInstanceName, 'instanceName');
  for (const env of config.environments) validateEnvironment(env, config, problems);
  checkUniqueAcrossEnvironments(config, problems);
  if (problems.length > 0) throw new ConfigurationError(problems);
}

function validateEnvironment(env: EnvironmentConfig, project: ProjectConfig, problems: ConfigurationProblem[]): void {
  const c = new Checker(env.name, problems);
  c.pattern('name', env.name, 'environmentName');
  c.region('region', env.region);
  c.pattern('namePrefix', env.namePrefix, 'namePrefix');
  for (const [key, value] of Object.entries(env.tags)) {
    if (key.length === 0 || key.length > 128) c.fail(`tags`, `tag key "${key}" must be 1–128 characters`);
    if (/^(aliyun|acs:)/i.test(key)) c.fail(`tags.${key}`, 'tag keys must not start with "aliyun" or "acs:"');
    if (value.length > 128) c.fail(`tags.${key}`, 'tag values must be at most 128 characters');
  }
  if (PROTECTED_ENVIRONMENTS.has(env.name) && env.allowTeardown) {
    c.fail('allowTeardown', 'must be false in prod: teardown would delete the backups and the source tables');
  }

  // Bucket
  c.pattern('bucket.name', env.bucket.name, 'bucketName');
  c.pattern('bucket.exportPrefix', env.bucket.exportPrefix, 'objectPrefix');
  if (env.bucket.kmsKeyId !== undefined && env.bucket.kmsKeyId.trim() === '') c.fail('bucket.kmsKeyId', 'must be a KMS key id when set');
  if (env.bucket.name === project.stateBucket) c.fail('bucket.name', `must differ from the state bucket "${project.stateBucket}"`);
  const lc = env.bucket.lifecycle;
  c.positiveInteger('bucket.lifecycle.transitionToIaDays', lc.transitionToIaDays, true);
  c.positiveInteger('bucket.lifecycle.transitionToArchiveDays', lc.transitionToArchiveDays, true);
  c.positiveInteger('bucket.lifecycle.expireDays', lc.expireDays, true);
  c.positiveInteger('bucket.lifecycle.noncurrentVersionExpireDays', lc.noncurrentVersionExpireDays, false);
  c.positiveInteger('bucket.lifecycle.abortMultipartUploadDays', lc.abortMultipartUploadDays, false);
  if (lc.transitionToIaDays !== undefined && lc.transitionToArchiveDays !== undefined && lc.transitionToArchiveDays <= lc.transitionToIaDays) {
    c.fail('bucket.lifecycle.transitionToArchiveDays', `must be later than transitionToIaDays (${lc.transitionToIaDays})`);
  }
  const lastTransition = Math.max(lc.transitionToIaDays ?? 0, lc.transitionToArchiveDays ?? 0);
  if (lc.expireDays !== undefined && lc.expireDays <= lastTransition) {
    c.fail('bucket.lifecycle.expireDays', `must be later than the last storage-class transition (${lastTransition} days)`);
  }

  // Tablestore
  const ts = env.tablestore;
  c.pattern('tablestore.instanceName', ts.instanceName, 'instanceName');
  c.pattern('tablestore.dataTable.name', ts.dataTable.name, 'tableName');
  c.pattern('tablestore.statusTableName', ts.statusTableName, 'tableName');
  const pk = ts.dataTable.primaryKey;
  if (pk.length === 0) c.fail('tablestore.dataTable.primaryKey', 'must have at least one column (empty primary key)');
  if (pk.length > 4) c.fail('tablestore.dataTable.primaryKey', `must have at most 4 columns, has ${pk.length}`);
  const columnNames = new Set<string>();
  pk.forEach((col, i) => {
    c.pattern(`tablestore.dataTable.primaryKey[${i}].name`, col.name, 'columnName');
    if (columnNames.has(col.name)) c.fail(`tablestore.dataTable.primaryKey[${i}].name`, `duplicates column "${col.name}"`);
    columnNames.add(col.name);
  });
  (ts.dataTable.definedColumns ?? []).forEach((col, i) => {
    c.pattern(`tablestore.dataTable.definedColumns[${i}].name`, col.name, 'columnName');
    if (columnNames.has(col.name)) c.fail(`tablestore.dataTable.definedColumns[${i}].name`, `duplicates column "${col.name}"`);
    columnNames.add(col.name);
  });
  c.ttl('tablestore.dataTable.timeToLiveSeconds', ts.dataTable.timeToLiveSeconds);
  checkExportColumns(c, 'tablestore.dataTable.exportColumns', ts.dataTable.exportColumns, columnNames);
  if (!Number.isInteger(ts.streamRetentionHours) || ts.streamRetentionHours < STREAM_RETENTION_HOURS.min || ts.streamRetentionHours > STREAM_RETENTION_HOURS.max) {
    c.fail('tablestore.streamRetentionHours', `must be a whole number of hours from ${STREAM_RETENTION_HOURS.min} to ${STREAM_RETENTION_HOURS.max}, got ${ts.streamRetentionHours}`);
  }
  const tableNames = [ts.dataTable.name, ts.statusTableName];
  if (ts.timeseriesTable) {
    c.pattern('tablestore.timeseriesTable.name', ts.timeseriesTable.name, 'tableName');
    c.ttl('tablestore.timeseriesTable.timeToLiveSeconds', ts.timeseriesTable.timeToLiveSeconds);
    checkExportColumns(c, 'tablestore.timeseriesTable.exportColumns', ts.timeseriesTable.exportColumns);
    tableNames.push(ts.timeseriesTable.name);
  }
  if (new Set(tableNames).size !== tableNames.length) {
    c.fail('tablestore', `table names must differ within the instance, got ${tableNames.join(', ')}`);
  }

  // RAM
  if (env.ram.mode === 'user' && env.ram.pgpKey !== undefined && !/^(keybase:[A-Za-z0-9_]+|[A-Za-z0-9+/=\s]{64,})$/.test(env.ram.pgpKey)) {
    c.fail('ram.pgpKey', 'must be "keybase:<username>" or a base64-encoded PGP public key');
  }
  if (env.ram.mode === 'user' && env.ram.pgpKey !== undefined && !env.ram.createAccessKey) {
    c.fail('ram.pgpKey', 'is only used with createAccessKey: true');
  }

  // DataWorks
  const dw = env.dataworks;
  if ('existing' in dw.workspace) {
    if (!/^[1-9][0-9]*$/.test(dw.workspace.existing.id)) c.fail('dataworks.workspace.existing.id', `must be the numeric workspace id, got "${dw.workspace.existing.id}"`);
    c.pattern('dataworks.workspace.existing.identifier', dw.workspace.existing.identifier, 'workspaceIdentifier');
  } else {
    c.pattern('dataworks.workspace.create.identifier', dw.workspace.create.identifier, 'workspaceIdentifier');
    if (dw.workspace.create.displayName.trim() === '') c.fail('dataworks.workspace.create.displayName', 'must not be empty');
  }
  if (dw.resourceGroupIdentifier.trim() === '') c.fail('dataworks.resourceGroupIdentifier', 'must name the resource group the node runs on');
  c.pattern('dataworks.tablestoreDataSourceName', dw.tablestoreDataSourceName, 'dataSourceName');
  c.pattern('dataworks.ossDataSourceName', dw.ossDataSourceName, 'dataSourceName');
  if (dw.tablestoreDataSourceName === dw.ossDataSourceName) c.fail('dataworks.ossDataSourceName', 'must differ from tablestoreDataSourceName');

  // Schedule
  const s = env.schedule;
  try {
    parseCron(s.cron);
  } catch (e) {
    c.fail('schedule.cron', `"${s.cron}" is not a valid DataWorks 6-field cron (sec min hour day month weekday): ${(e as Error).message}`);
  }
  if (!isTimeZone(s.timezone)) c.fail('schedule.timezone', `"${s.timezone}" is not an IANA time zone`);
  for (const field of ['startTimeExpression', 'endTimeExpression'] as const) {
    try {
      parseSchedulingExpression(s[field]);
    } catch (e) {
      c.fail(`schedule.${field}`, `"${s[field]}" is not a valid scheduling expression: ${(e as Error).message}`);
    }
  }
  c.range('schedule.rerunTimes', s.rerunTimes, 0, 10);
  c.range('schedule.rerunIntervalMinutes', s.rerunIntervalMinutes, 1, 30);
  c.range('schedule.timeoutHours', s.timeoutHours, 1, 72);
  if (!Number.isInteger(s.streamLagMinutes) || s.streamLagMinutes < MIN_STREAM_LAG_MINUTES) {
    c.fail('schedule.streamLagMinutes', `must be a whole number of at least ${MIN_STREAM_LAG_MINUTES}: stream data reaches the reader up to 5 minutes late`);
  }

  // Export format
  const f = env.exportFormat;
  if (f.fieldDelimiter.length !== 1) c.fail('exportFormat.fieldDelimiter', `must be a single character, got ${JSON.stringify(f.fieldDelimiter)}`);
  if (env.engine === 'data-integration' && f.fileFormat !== 'csv') {
    c.fail('exportFormat.fileFormat', `"${f.fileFormat}" needs engine "runtime": the Data Integration node writes csv`);
  }
  if (env.engine === 'runtime') {
    const tables: Array<[string, readonly ExportColumn[]]> = [['tablestore.dataTable', ts.dataTable.exportColumns]];
    if (ts.timeseriesTable) tables.push(['tablestore.timeseriesTable', ts.timeseriesTable.exportColumns]);
    for (const [field, columns] of tables) {
      columns.forEach((col, i) => {
        if (col.dataType !== undefined && col.dataType !== 'new') {
          c.fail(`${field}.exportColumns[${i}].dataType`, `"${col.dataType}" needs engine "data-integration": stream records carry only the new value`);
        }
      });
    }
  }
  if (env.engine === 'data-integration' && f.compression !== 'none') {
    c.fail('exportFormat.compression', `"${f.compression}" needs engine "runtime": the Data Integration OSS writer compresses parquet and orc only, not csv`);
  }

  // State
  c.pattern('state.bucket', env.state.bucket, 'bucketName');
  c.pattern('state.prefix', env.state.prefix, 'objectPrefix');
  c.pattern('state.lockInstanceName', env.state.lockInstanceName, 'instanceName');
  c.pattern('state.lockTableName', env.state.lockTableName, 'tableName');
  if (env.state.bucket !== project.stateBucket) c.fail('state.bucket', `must be the bootstrap state bucket "${project.stateBucket}"`);
  if (env.state.lockInstanceName !== project.stateLockInstanceName) c.fail('state.lockInstanceName', `must be the bootstrap lock instance "${project.stateLockInstanceName}"`);
}

function checkExportColumns(c: Checker, field: string, columns: readonly ExportColumn[], known?: ReadonlySet<string>): void {
  if (columns.length === 0) c.fail(field, 'must list at least one column: the stream reader exports nothing in row mode without columns');
  const seen = new Set<string>();
  columns.forEach((col, i) => {
    c.pattern(`${field}[${i}].name`, col.name, 'columnName');
    const key = `${col.name}/${col.dataType ?? 'new'}`;
    if (seen.has(key)) c.fail(`${field}[${i}]`, `exports "${col.name}" (${col.dataType ?? 'new'}) twice`);
    seen.add(key);
    if (known && !known.has(col.name)) c.fail(`${field}[${i}].name`, `"${col.name}" is neither a primary key nor a defined column of the table`);
  });
}

/** Names that must differ between environments, since they share an account or a workspace. */
function checkUniqueAcrossEnvironments(config: ProjectConfig, problems: ConfigurationProblem[]): void {
  const fields: Array<[string, (e: EnvironmentConfig) => string | undefined]> = [
    ['name', e => e.name],
    ['namePrefix', e => e.namePrefix],
    ['bucket.name', e => e.bucket.name],
    ['tablestore.instanceName', e => e.tablestore.instanceName],
    ['dataworks.tablestoreDataSourceName', e => e.dataworks.tablestoreDataSourceName],
    ['dataworks.ossDataSourceName', e => e.dataworks.ossDataSourceName],
    ['dataworks.workspace', e => ('create' in e.dataworks.workspace ? e.dataworks.workspace.create.identifier : e.dataworks.workspace.existing.identifier)],
    ['state.prefix', e => e.state.prefix],
    ['state.lockTableName', e => e.state.lockTableName],
  ];
  for (const [field, get] of fields) {
    const owners = new Map<string, string>();
    for (const env of config.environments) {
      const value = get(env);
      if (value === undefined) continue;
      const first = owners.get(value);
      if (first !== undefined) {
        problems.push({ environment: env.name, field, message: `"${value}" is already used by environment "${first}": names must be unique across environments` });
      } else {
        owners.set(value, env.name);
      }
    }
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Collects problems for one environment. */
class Checker {
  constructor(private readonly environment: string, private readonly problems: ConfigurationProblem[]) {}

  fail(field: string, message: string): void {
    this.problems.push({ environment: this.environment, field, message });
  }

  pattern(field: string, value: string, rule: keyof typeof RULES): void {
    if (!RULES[rule].test(value)) this.fail(field, `"${value}" is invalid: ${RULE_TEXT[rule]}`);
  }

  region(field: string, value: string): void {
    if (!SUPPORTED_REGIONS.includes(value)) {
      this.fail(field, `"${value}" is not a known Alibaba Cloud region with OSS, Tablestore and DataWorks (known: ${SUPPORTED_REGIONS.join(', ')})`);
    }
  }

  positiveInteger(field: string, value: number | undefined, optional: boolean): void {
    if (value === undefined) {
      if (!optional) this.fail(field, 'is required');
      return;
    }
    if (!Number.isInteger(value) || value < 1) this.fail(field, `must be a whole number of days ≥ 1, got ${value}`);
  }

  range(field: string, value: number, min: number, max: number): void {
    if (!Number.isInteger(value) || value < min || value > max) this.fail(field, `must be a whole number from ${min} to ${max}, got ${value}`);
  }

  ttl(field: string, value: number): void {
    if (value !== -1 && (!Number.isInteger(value) || value < MIN_TTL_SECONDS)) {
      this.fail(field, `must be -1 (keep forever) or a whole number of seconds ≥ ${MIN_TTL_SECONDS}, got ${value}`);
    }
  }
}

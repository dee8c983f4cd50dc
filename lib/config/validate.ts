import { parseCron, parseSchedulingExpression } from '../schedule';
import { describeUnknownField, findUnknownFields, UnknownField } from '../common/known-keys';
import { environmentProviderFields, projectProviderFields, ProviderBoundField, providerRuleFailures } from './provider-rules';
import { namingProblem, NamingRule, regionProblem, RULES, streamRetentionProblem, timeToLiveProblem } from './rules';
import { RUNTIME_NOT_SCHEDULABLE, syncNodeName } from '../dataworks/sync-definition';
import { ENVIRONMENT_SHAPE, PROJECT_SHAPE } from './shapes';
import { instanceAdoptMode, resolveTable, TIMESERIES_FIXED_COLUMNS } from './tables';
import { EnvironmentConfig, ExportColumn, ExportFormatConfig, ProjectConfig, ScheduleConfig } from './types';

/** One broken rule: where it is and which rule it breaks. */
export interface ConfigurationProblem {
  /** Environment name, or `project` for project-wide settings. */
  readonly environment: string;
  /** Dotted path of the field, e.g. `bucket.name`; empty for the environment (or project) itself. */
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
  return `environment "${p.environment}": ${p.field === '' ? '' : `${p.field}: `}${p.message}`;
}

/** Stream data reaches the reader up to 5 minutes late; a smaller lag would export incomplete windows. */
const MIN_STREAM_LAG_MINUTES = 5;
/** Environment names whose data must never be deleted by teardown. */
const PROTECTED_ENVIRONMENTS = new Set(['prod']);

/**
 * Checks every environment and the rules that span environments. Throws one ConfigurationError that lists every
 * problem, so a user fixes them all in one pass.
 */
export function validateConfiguration(config: ProjectConfig): void {
  const problems = unknownFieldProblems(config);
  // A misspelt field leaves its intended field missing; the other rules would only report that confusingly.
  if (problems.length > 0) throw new ConfigurationError(problems);
  if (config.environments.length === 0) {
    problems.push({ environment: 'project', field: 'environments', message: 'must declare at least one environment' });
  }
  const project = new Checker('project', problems);
  project.region('stateRegion', config.stateRegion);
  project.pattern('stateBucket', config.stateBucket, 'bucketName');
  project.pattern('stateLockInstanceName', config.stateLockInstanceName, 'instanceName');
  project.providerRules(projectProviderFields(config));
  for (const env of config.environments) validateEnvironment(env, config, problems);
  checkUniqueAcrossEnvironments(config, problems);
  if (problems.length > 0) throw new ConfigurationError(problems);
}

/** Keys the configuration types do not declare, per environment, e.g. `bucket: unknown field "exportPrefx"`. */
function unknownFieldProblems(config: ProjectConfig): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  const report = (environment: string) => (u: UnknownField) => {
    problems.push({ environment, field: u.path, message: describeUnknownField({ ...u, path: '' }) });
  };
  findUnknownFields(config, { ...PROJECT_SHAPE, environments: 'value' }).forEach(report('project'));
  for (const [i, env] of (Array.isArray(config.environments) ? config.environments : []).entries()) {
    findUnknownFields(env, ENVIRONMENT_SHAPE).forEach(report(typeof env?.name === 'string' ? env.name : `environments[${i}]`));
  }
  return problems;
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
  const kms = env.bucket.kms as { keyId?: string; create?: { rotationIntervalDays: number; kmsInstanceId?: string } } | undefined;
  if (kms !== undefined) {
    if ((kms.keyId === undefined) === (kms.create === undefined)) c.fail('bucket.kms', 'give exactly one of keyId (an existing key) or create');
    if (kms.keyId !== undefined && kms.keyId.trim() === '') c.fail('bucket.kms.keyId', 'must be a KMS key id');
    const days = kms.create?.rotationIntervalDays;
    // KMS UpdateRotationPolicy: the rotation period is 7 to 730 days.
    if (days !== undefined && (!Number.isInteger(days) || days < 7 || days > 730)) c.fail('bucket.kms.create.rotationIntervalDays', `must be a whole number of days from 7 to 730, got ${days}`);
    if (kms.create?.kmsInstanceId !== undefined && kms.create.kmsInstanceId.trim() === '') c.fail('bucket.kms.create.kmsInstanceId', 'must be a KMS instance id when set');
  }
  if (env.bucket.name === project.stateBucket) c.fail('bucket.name', `must differ from the state bucket "${project.stateBucket}"`);
  const bucketAdopt = env.bucket.adopt ?? 'create';
  checkImportId(c, 'bucket', bucketAdopt, 'ossBucket', env.bucket.importId, IMPORT_ID.ossBucket(env.bucket.name));
  if (bucketAdopt === 'reference') {
    for (const option of ['lifecycle', 'redundancyType'] as const) {
      if (env.bucket[option] !== undefined) c.fail(`bucket.${option}`, `would modify the referenced bucket "${env.bucket.name}": a referenced bucket is never changed; drop the option or adopt it with "import"`);
    }
    // `kms.keyId` only tells the sync policy which key the referenced bucket uses; creating a key would re-encrypt it.
    if (kms?.create !== undefined) c.fail('bucket.kms.create', `would modify the referenced bucket "${env.bucket.name}": a referenced bucket is never changed; give the key it uses as kms.keyId, or adopt it with "import"`);
  } else if (env.bucket.lifecycle === undefined) {
    c.fail('bucket.lifecycle', `is required for ${bucketAdopt === 'import' ? 'an imported' : 'a created'} bucket`);
  }
  const lc = env.bucket.lifecycle;
  if (lc) {
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
  }

  // Tablestore
  validateTablestore(c, env);
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
  c.pattern('dataworks.ossDataSourceName', dw.ossDataSourceName, 'dataSourceName');
  env.tablestore.instances.forEach((instance, i) => {
    if (instance.dataSourceName === dw.ossDataSourceName) c.fail(`tablestore.instances[${i}].dataSourceName`, `must differ from dataworks.ossDataSourceName "${dw.ossDataSourceName}"`);
  });

  // Schedule
  checkSchedule(c, 'schedule', env.schedule);
  if (!isTimeZone(env.schedule.timezone)) c.fail('schedule.timezone', `"${env.schedule.timezone}" is not an IANA time zone`);
  if (!Number.isInteger(env.schedule.streamLagMinutes) || env.schedule.streamLagMinutes < MIN_STREAM_LAG_MINUTES) {
    c.fail('schedule.streamLagMinutes', `must be a whole number of at least ${MIN_STREAM_LAG_MINUTES}: stream data reaches the reader up to 5 minutes late`);
  }

  // Export format
  if (env.engine !== 'data-integration') c.fail('engine', RUNTIME_NOT_SCHEDULABLE);
  checkExportFormat(c, 'exportFormat', env.exportFormat);
  // Tables in an undeclared instance are reported by validateTablestore; their overrides are checked once it is fixed.
  const resolvable = env.tablestore.tables.flatMap((t, i) => ((t.instance === undefined ? env.tablestore.instances.length > 0 : env.tablestore.instances.some(x => x.name === t.instance)) ? [resolveTable(env, t, i)] : []));
  for (const table of resolvable) {
    if (table.config.schedule) checkSchedule(c, `${table.field}.schedule`, table.schedule, table.config.schedule);
    if (table.config.exportFormat) checkExportFormat(c, `${table.field}.exportFormat`, table.exportFormat, table.config.exportFormat);
  }

  // What the alicloud provider itself validates on the attributes these fields become
  c.providerRules(environmentProviderFields(env));

  // State
  c.pattern('state.bucket', env.state.bucket, 'bucketName');
  c.pattern('state.prefix', env.state.prefix, 'objectPrefix');
  c.pattern('state.lockInstanceName', env.state.lockInstanceName, 'instanceName');
  c.pattern('state.lockTableName', env.state.lockTableName, 'tableName');
  if (env.state.bucket !== project.stateBucket) c.fail('state.bucket', `must be the bootstrap state bucket "${project.stateBucket}"`);
  if (env.state.lockInstanceName !== project.stateLockInstanceName) c.fail('state.lockInstanceName', `must be the bootstrap lock instance "${project.stateLockInstanceName}"`);
}

/**
 * Checks a schedule; `only` limits the checks to the fields a per-table override sets, so an override reports
 * its own fields and the environment's schedule is not reported twice.
 */
function checkSchedule(c: Checker, field: string, s: ScheduleConfig, only?: object): void {
  const checks = (key: string): boolean => only === undefined || key in only;
  if (checks('cron')) {
    try {
      parseCron(s.cron);
    } catch (e) {
      c.fail(`${field}.cron`, `"${s.cron}" is not a valid DataWorks 6-field cron (sec min hour day month weekday): ${(e as Error).message}`);
    }
  }
  for (const key of ['startTimeExpression', 'endTimeExpression'] as const) {
    if (!checks(key)) continue;
    try {
      parseSchedulingExpression(s[key]);
    } catch (e) {
      c.fail(`${field}.${key}`, `"${s[key]}" is not a valid scheduling expression: ${(e as Error).message}`);
    }
  }
  if (checks('rerunTimes')) c.range(`${field}.rerunTimes`, s.rerunTimes, 0, 10);
  if (checks('rerunIntervalMinutes')) c.range(`${field}.rerunIntervalMinutes`, s.rerunIntervalMinutes, 1, 30);
  if (checks('timeoutHours')) c.range(`${field}.timeoutHours`, s.timeoutHours, 1, 72);
}

/** The scheduled node is the Data Integration job, which writes uncompressed csv; the runtime's other formats are for runs by hand. */
function checkExportFormat(c: Checker, field: string, f: ExportFormatConfig, only?: object): void {
  const checks = (key: string): boolean => only === undefined || key in only;
  if (checks('fieldDelimiter') && f.fieldDelimiter.length !== 1) c.fail(`${field}.fieldDelimiter`, `must be a single character, got ${JSON.stringify(f.fieldDelimiter)}`);
  if (checks('fileFormat') && f.fileFormat !== 'csv') {
    c.fail(`${field}.fileFormat`, `"${f.fileFormat}" cannot be scheduled: the Data Integration node writes csv (the runtime writes ${f.fileFormat} when run by hand)`);
  }
  if (checks('compression') && f.compression !== 'none') {
    c.fail(`${field}.compression`, `"${f.compression}" cannot be scheduled: the Data Integration OSS writer compresses parquet and orc only, not csv`);
  }
}

/** Import ids as the alicloud provider documents them (see README, "Terraform provider rules and configuration"). */
export const IMPORT_ID = {
  /** alicloud_ots_instance: the instance name. */
  otsInstance: (instance: string): string => instance,
  /** alicloud_ots_table: `<instance_name>:<table_name>`. */
  otsTable: (instance: string, table: string): string => `${instance}:${table}`,
  /** alicloud_oss_bucket: the bucket name. */
  ossBucket: (bucket: string): string => bucket,
} as const;

const IMPORT_ID_RULE = {
  otsInstance: { resource: 'alicloud_ots_instance', format: '<instance_name>', pattern: new RegExp(RULES.instanceName.source) },
  otsTable: {
    resource: 'alicloud_ots_table',
    format: '<instance_name>:<table_name>',
    pattern: new RegExp(`^${RULES.instanceName.source.slice(1, -1)}:${RULES.tableName.source.slice(1, -1)}$`),
  },
  ossBucket: { resource: 'alicloud_oss_bucket', format: '<bucket_name>', pattern: new RegExp(RULES.bucketName.source) },
} as const;

/** An explicit import id must be well formed, only go with `adopt: 'import'`, and name the resource the configuration declares. */
function checkImportId(c: Checker, field: string, adopt: string, kind: keyof typeof IMPORT_ID_RULE, given: string | undefined, expected: string): void {
  if (given === undefined) return;
  const rule = IMPORT_ID_RULE[kind];
  if (adopt !== 'import') c.fail(`${field}.importId`, `is only used with adopt: "import" (adopt is "${adopt}")`);
  else if (!rule.pattern.test(given)) c.fail(`${field}.importId`, `"${given}" is malformed: ${rule.resource} is imported by ${rule.format}`);
  else if (given !== expected) c.fail(`${field}.importId`, `"${given}" names another ${rule.resource} than the one declared here ("${expected}")`);
}

function validateTablestore(c: Checker, env: EnvironmentConfig): void {
  const ts = env.tablestore;
  c.problem('tablestore.streamRetentionHours', streamRetentionProblem(ts.streamRetentionHours));
  if (ts.instances.length === 0) c.fail('tablestore.instances', 'must declare at least one instance');
  if (ts.tables.length === 0) c.fail('tablestore.tables', 'must list at least one table to back up');

  const instanceNames = new Map<string, number>();
  const dataSources = new Map<string, number>();
  ts.instances.forEach((instance, i) => {
    const field = `tablestore.instances[${i}]`;
    c.pattern(`${field}.name`, instance.name, 'instanceName');
    c.pattern(`${field}.statusTableName`, instance.statusTableName, 'tableName');
    c.pattern(`${field}.dataSourceName`, instance.dataSourceName, 'dataSourceName');
    const first = instanceNames.get(instance.name);
    if (first !== undefined) c.fail(`${field}.name`, `instance "${instance.name}" is already declared by tablestore.instances[${first}]`);
    else instanceNames.set(instance.name, i);
    const sameSource = dataSources.get(instance.dataSourceName);
    if (sameSource !== undefined) c.fail(`${field}.dataSourceName`, `"${instance.dataSourceName}" is already the data source of tablestore.instances[${sameSource}]: a data source reaches one instance`);
    else dataSources.set(instance.dataSourceName, i);
    const adopt = instanceAdoptMode(instance);
    if (adopt === 'reference') {
      for (const option of ['instanceType', 'accessedBy'] as const) {
        if (instance[option] !== undefined) c.fail(`${field}.${option}`, `would modify the referenced instance "${instance.name}": a referenced instance is never changed; drop the option or adopt it with "import"`);
      }
    } else {
      for (const option of ['instanceType', 'accessedBy'] as const) {
        if (instance[option] === undefined) c.fail(`${field}.${option}`, `is required for ${adopt === 'import' ? 'an imported' : 'a created'} instance`);
      }
    }
    checkImportId(c, field, adopt, 'otsInstance', instance.importId, IMPORT_ID.otsInstance(instance.name));
    for (const [caller, endpoint] of Object.entries(instance.endpoints ?? {})) {
      if (endpoint !== undefined && !isHttpsOrigin(endpoint)) c.fail(`${field}.endpoints.${caller}`, `"${endpoint}" must be an https://host[:port] URL without a path`);
    }
  });

  const tables = new Map<string, string>();
  const backups = new Map<string, string>();
  ts.tables.forEach((table, i) => {
    const field = `tablestore.tables[${i}]`;
    c.pattern(`${field}.name`, table.name, 'tableName');
    const instance = table.instance === undefined ? ts.instances[0] : ts.instances.find(x => x.name === table.instance);
    if (!instance) {
      // With no instance declared at all, tablestore.instances is the one problem to report.
      if (table.instance !== undefined) c.fail(`${field}.instance`, `"${table.instance}" is not one of tablestore.instances (${ts.instances.map(x => x.name).join(', ')})`);
      return;
    }
    const key = `${instance.name}:${table.name}`;
    const listed = tables.get(key);
    if (listed !== undefined) c.fail(field, `table "${table.name}" of instance "${instance.name}" is already listed as ${listed}`);
    else tables.set(key, field);
    if (table.name === instance.statusTableName) c.fail(`${field}.name`, `"${table.name}" is the status table of instance "${instance.name}"`);
    const resolved = resolveTable(env, table, i);
    if (table.backupName !== undefined) c.pattern(`${field}.backupName`, table.backupName, 'tableName');
    const sameBackup = backups.get(resolved.backupName);
    if (sameBackup !== undefined) {
      c.fail(table.backupName !== undefined ? `${field}.backupName` : field,
        `maps to the same sync node ${syncNodeName(env.namePrefix, resolved.backupName)} and object prefix ${env.bucket.exportPrefix}/${resolved.backupName}/ as ${sameBackup}; give one of them its own backupName`);
    } else {
      backups.set(resolved.backupName, field);
    }
    const adopt = resolved.adopt;
    checkImportId(c, field, adopt, 'otsTable', table.importId, IMPORT_ID.otsTable(instance.name, table.name));
    if (adopt !== 'create' && instanceAdoptMode(instance) === 'create') {
      c.fail(`${field}.adopt`, `"${adopt}" needs an existing table, but instance "${instance.name}" is created by the stack: adopt the instance too ("import" or "reference")`);
    }
    if (adopt === 'import' && table.kind === 'timeseries') {
      c.fail(`${field}.adopt`, '"import" needs a provider resource; the pinned alicloud provider has none for time series tables: use "reference" (the stack then only reads its Stream)');
    }
    const modifying = [
      ...(table.timeToLiveSeconds !== undefined ? ['timeToLiveSeconds'] : []),
      ...(table.kind === 'wide-column' && table.maxVersions !== undefined ? ['maxVersions'] : []),
    ];
    if (adopt === 'reference') {
      for (const option of modifying) {
        c.fail(`${field}.${option}`, `would modify the referenced table "${table.name}": a referenced table is never changed; drop the option or adopt it with "import"`);
      }
    }
    if (table.kind === 'wide-column' && table.maxVersions !== undefined && (!Number.isInteger(table.maxVersions) || table.maxVersions < 1)) {
      c.fail(`${field}.maxVersions`, `must be a whole number ≥ 1, got ${table.maxVersions}`);
    }
    if (adopt === 'import' && table.timeToLiveSeconds === undefined) {
      c.fail(`${field}.timeToLiveSeconds`, `is required for the imported table "${table.name}": Terraform would otherwise set the default (-1) on the live table`);
    }
    if (table.timeToLiveSeconds !== undefined) c.ttl(`${field}.timeToLiveSeconds`, table.timeToLiveSeconds);
    if (table.kind === 'wide-column' && table.streamRetentionHours !== undefined) {
      c.problem(`${field}.streamRetentionHours`, streamRetentionProblem(table.streamRetentionHours));
    } else if (table.kind === 'timeseries' && 'streamRetentionHours' in table) {
      // The time series API has no Stream field (README "Tablestore": time series table's Stream).
      c.fail(`${field}.streamRetentionHours`, 'does not apply to a time series table: its Stream comes with the table and no Tablestore call sets its retention; drop the option');
    }
    const columnNames = new Set<string>();
    if (table.kind === 'wide-column') {
      const pk = table.primaryKey;
      if (pk.length === 0) c.fail(`${field}.primaryKey`, 'must have at least one column (empty primary key)');
      if (pk.length > 4) c.fail(`${field}.primaryKey`, `must have at most 4 columns, has ${pk.length}`);
      pk.forEach((col, k) => {
        c.pattern(`${field}.primaryKey[${k}].name`, col.name, 'columnName');
        if (columnNames.has(col.name)) c.fail(`${field}.primaryKey[${k}].name`, `duplicates column "${col.name}"`);
        columnNames.add(col.name);
      });
    } else {
      TIMESERIES_FIXED_COLUMNS.forEach(name => columnNames.add(name));
    }
    const attributes = table.kind === 'wide-column' ? table.definedColumns ?? [] : table.fields ?? [];
    const attributesField = table.kind === 'wide-column' ? 'definedColumns' : 'fields';
    attributes.forEach((col, k) => {
      c.pattern(`${field}.${attributesField}[${k}].name`, col.name, 'columnName');
      if (columnNames.has(col.name)) c.fail(`${field}.${attributesField}[${k}].name`, `duplicates column "${col.name}"`);
      columnNames.add(col.name);
    });
    // A time series table without declared fields exports whatever fields it names; a wide-column table's schema is complete.
    const known = table.kind === 'wide-column' || table.fields !== undefined ? columnNames : undefined;
    checkExportColumns(c, `${field}.exportColumns`, resolved.exportColumns, known, table.kind);
  });
}

function checkExportColumns(c: Checker, field: string, columns: readonly ExportColumn[], known: ReadonlySet<string> | undefined, kind: string): void {
  if (columns.length === 0) c.fail(field, 'must list at least one column: the stream reader exports nothing in row mode without columns');
  const seen = new Set<string>();
  columns.forEach((col, i) => {
    c.pattern(`${field}[${i}].name`, col.name, 'columnName');
    const key = `${col.name}/${col.dataType ?? 'new'}`;
    if (seen.has(key)) c.fail(`${field}[${i}]`, `exports "${col.name}" (${col.dataType ?? 'new'}) twice`);
    seen.add(key);
    if (known && !known.has(col.name)) {
      c.fail(`${field}[${i}].name`, kind === 'wide-column'
        ? `"${col.name}" is neither a primary key nor a defined column of the table`
        : `"${col.name}" is neither a time series column (${TIMESERIES_FIXED_COLUMNS.join(', ')}) nor one of the table's fields`);
    }
  });
}

/** Names that must differ between environments, since they share an account or a workspace. */
function checkUniqueAcrossEnvironments(config: ProjectConfig, problems: ConfigurationProblem[]): void {
  const fields: Array<[string, (e: EnvironmentConfig) => string | readonly string[] | undefined]> = [
    ['name', e => e.name],
    ['namePrefix', e => e.namePrefix],
    ['bucket.name', e => e.bucket.name],
    ['dataworks.ossDataSourceName', e => e.dataworks.ossDataSourceName],
    ['dataworks.workspace', e => ('create' in e.dataworks.workspace ? e.dataworks.workspace.create.identifier : e.dataworks.workspace.existing.identifier)],
    // Two stacks must not manage one instance; referenced instances may be shared.
    ['tablestore.instances[].name', e => e.tablestore.instances.filter(i => instanceAdoptMode(i) !== 'reference').map(i => i.name)],
    ['tablestore.instances[].dataSourceName', e => e.tablestore.instances.map(i => i.dataSourceName)],
    ['state.prefix', e => e.state.prefix],
    ['state.lockTableName', e => e.state.lockTableName],
  ];
  for (const [field, get] of fields) {
    const owners = new Map<string, { name: string; index: number }>();
    config.environments.forEach((env, index) => {
      const got = get(env);
      const values = got === undefined ? [] : typeof got === 'string' ? [got] : got;
      for (const value of values) {
        const first = owners.get(value);
        if (first === undefined) owners.set(value, { name: env.name, index });
        // Within one environment, the per-environment rules report repeats.
        else if (first.index !== index) problems.push({ environment: env.name, field, message: `"${value}" is already used by environment "${first.name}": names must be unique across environments` });
      }
    });
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

  /** Records `message` when a shared rule (./rules.ts) returned one. */
  problem(field: string, message: string | undefined): void {
    if (message !== undefined) this.fail(field, message);
  }

  pattern(field: string, value: string, rule: NamingRule): void {
    this.problem(field, namingProblem(rule, value));
  }

  /** Provider rules of fields no project rule has refused already (one message per mistake is enough). */
  providerRules(fields: readonly ProviderBoundField[]): void {
    const refused = new Set(this.problems.filter(p => p.environment === this.environment).map(p => p.field));
    for (const f of fields) {
      if (refused.has(f.field)) continue;
      for (const failure of providerRuleFailures(f)) this.fail(f.field, failure);
    }
  }

  region(field: string, value: string): void {
    this.problem(field, regionProblem(value));
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
    this.problem(field, timeToLiveProblem(value));
  }
}

/** An `https://host[:port]` URL with no path, query or credentials. */
function isHttpsOrigin(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && (url.pathname === '/' || url.pathname === '') && url.search === '' && url.username === '' && url.password === '';
}

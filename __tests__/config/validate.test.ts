import { projectConfig } from '../../lib/config/environments';
import { EnvironmentConfig, ProjectConfig, TimeseriesTableConfig, WideColumnTableConfig } from '../../lib/config/types';
import { environmentProviderFields, projectProviderFields, providerRuleFailures } from '../../lib/config/provider-rules';
import { ConfigurationError, validateConfiguration } from '../../lib/config/validate';
import { RUNTIME_NOT_SCHEDULABLE } from '../../lib/dataworks/sync-definition';

type Mutable<T> = T extends ReadonlyArray<infer U> ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;

/** A deep copy of the shipped configuration with one environment changed by `change`. */
function withEnvironment(name: string, change: (env: Mutable<EnvironmentConfig>) => void): ProjectConfig {
  const copy = JSON.parse(JSON.stringify(projectConfig)) as Mutable<ProjectConfig>;
  const env = copy.environments.find(e => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  change(env);
  return copy as ProjectConfig;
}

/** The first table of an environment (the shipped wide-column one). */
function wide(env: Mutable<EnvironmentConfig>): Mutable<WideColumnTableConfig> {
  return env.tablestore.tables[0] as Mutable<WideColumnTableConfig>;
}

function series(env: Mutable<EnvironmentConfig>): Mutable<TimeseriesTableConfig> {
  return env.tablestore.tables[1] as Mutable<TimeseriesTableConfig>;
}

function problemsOf(config: ProjectConfig): string[] {
  try {
    validateConfiguration(config);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError);
    return (e as ConfigurationError).message.split('\n').slice(1).map(l => l.replace(/^\s+- /, ''));
  }
  return [];
}

describe('validateConfiguration', () => {
  it('accepts the shipped dev, staging and prod environments', () => {
    expect(problemsOf(projectConfig)).toEqual([]);
    expect(projectConfig.environments.map(e => e.name)).toEqual(['dev', 'staging', 'prod']);
  });

  it.each([
    ['Uppercase_Bucket', 'uppercase and underscore'],
    ['ab', 'too short'],
    ['a'.repeat(64), 'too long'],
    ['-leading-hyphen', 'leading hyphen'],
    ['trailing-hyphen-', 'trailing hyphen'],
  ])('refuses the bucket name %s (%s)', name => {
    const problems = problemsOf(withEnvironment('dev', e => { e.bucket.name = name; }));
    expect(problems).toEqual([
      `environment "dev": bucket.name: "${name}" is invalid: must be 3–63 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit`,
    ]);
  });

  it.each(['1starts-with-digit', 'ab', 'has_underscore', 'ends-with-hyphen-', 'waytoolonginstance'])('refuses the Tablestore instance name %s', name => {
    const problems = problemsOf(withEnvironment('staging', e => { e.tablestore.instances[0].name = name; }));
    expect(problems).toContain(
      `environment "staging": tablestore.instances[0].name: "${name}" is invalid: must match ^[a-zA-Z][a-zA-Z0-9-]{1,14}[a-zA-Z0-9]$ (3–16 characters, starting with a letter, not ending with a hyphen)`,
    );
  });

  it.each(['9readings', 'device-readings', '', 'x'.repeat(256)])('refuses the table name "%s"', name => {
    const problems = problemsOf(withEnvironment('prod', e => { wide(e).name = name; }));
    expect(problems).toContain(`environment "prod": tablestore.tables[0].name: "${name}" is invalid: must match ^[a-zA-Z_][a-zA-Z0-9_]{0,254}$`);
  });

  it('refuses an invalid status table and time series table name', () => {
    const problems = problemsOf(withEnvironment('dev', e => {
      e.tablestore.instances[0].statusTableName = 'status-table';
      series(e).name = 'metrics.v2';
    }));
    expect(problems).toEqual([
      'environment "dev": tablestore.instances[0].statusTableName: "status-table" is invalid: must match ^[a-zA-Z_][a-zA-Z0-9_]{0,254}$',
      'environment "dev": tablestore.tables[1].name: "metrics.v2" is invalid: must match ^[a-zA-Z_][a-zA-Z0-9_]{0,254}$',
    ]);
  });

  it('refuses an empty primary key', () => {
    const problems = problemsOf(withEnvironment('dev', e => {
      wide(e).primaryKey = [];
      wide(e).exportColumns = [{ name: 'temperature' }];
    }));
    expect(problems).toEqual(['environment "dev": tablestore.tables[0].primaryKey: must have at least one column (empty primary key)']);
  });

  it('refuses more than 4 primary key columns', () => {
    const problems = problemsOf(withEnvironment('dev', e => {
      wide(e).primaryKey = ['a', 'b', 'c', 'd', 'e'].map(name => ({ name, type: 'String' as const }));
      wide(e).exportColumns = [{ name: 'a' }];
    }));
    expect(problems).toEqual(['environment "dev": tablestore.tables[0].primaryKey: must have at most 4 columns, has 5']);
  });

  it('refuses an unknown region', () => {
    const problems = problemsOf(withEnvironment('staging', e => { e.region = 'cn-atlantis'; }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^environment "staging": region: "cn-atlantis" is not a known Alibaba Cloud region with OSS, Tablestore and DataWorks \(known: cn-hangzhou, /);
  });

  it.each([
    ['bucket.name', (e: Mutable<EnvironmentConfig>) => { e.bucket.name = 'otsbk-dev-backup-cn-hangzhou'; }, '"otsbk-dev-backup-cn-hangzhou"'],
    ['tablestore.instances[].name', (e: Mutable<EnvironmentConfig>) => { e.tablestore.instances[0].name = 'otsbk-dev'; }, '"otsbk-dev"'],
    ['tablestore.instances[].dataSourceName', (e: Mutable<EnvironmentConfig>) => { e.tablestore.instances[0].dataSourceName = 'otsbk_dev_tablestore'; }, '"otsbk_dev_tablestore"'],
    ['namePrefix', (e: Mutable<EnvironmentConfig>) => { e.namePrefix = 'otsbk-dev'; }, '"otsbk-dev"'],
    ['dataworks.ossDataSourceName', (e: Mutable<EnvironmentConfig>) => { e.dataworks.ossDataSourceName = 'otsbk_dev_oss'; }, '"otsbk_dev_oss"'],
    ['state.prefix', (e: Mutable<EnvironmentConfig>) => { e.state.prefix = 'env/dev'; }, '"env/dev"'],
    ['state.lockTableName', (e: Mutable<EnvironmentConfig>) => { e.state.lockTableName = 'terraform_lock_dev'; }, '"terraform_lock_dev"'],
  ])('refuses %s duplicated across environments', (field, change, value) => {
    const problems = problemsOf(withEnvironment('prod', change));
    expect(problems).toEqual([`environment "prod": ${field}: ${value} is already used by environment "dev": names must be unique across environments`]);
  });

  it('refuses a duplicated environment name', () => {
    const problems = problemsOf(withEnvironment('staging', e => {
      e.name = 'dev';
    }));
    expect(problems).toContain('environment "dev": name: "dev" is already used by environment "dev": names must be unique across environments');
  });

  it.each([
    ['0 0 * * *', 'five fields'],
    ['00 61 * * * ?', 'minute out of range'],
    ['00 00 25 * * ?', 'hour out of range'],
    ['00 00 * * * ? *', 'seven fields'],
    ['every hour', 'not a cron'],
  ])('refuses the malformed cron "%s" (%s)', cron => {
    const problems = problemsOf(withEnvironment('dev', e => { e.schedule.cron = cron; }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^environment "dev": schedule\\.cron: "${cron.replace(/[*?]/g, '\\$&')}" is not a valid DataWorks 6-field cron \\(sec min hour day month weekday\\): .+`));
  });

  it('refuses a malformed scheduling expression', () => {
    const problems = problemsOf(withEnvironment('dev', e => { e.schedule.startTimeExpression = '$[yyyymmddhh24-2/24'; }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^environment "dev": schedule\.startTimeExpression: "\$\[yyyymmddhh24-2\/24" is not a valid scheduling expression: .+/);
  });

  it('refuses teardown in prod', () => {
    const problems = problemsOf(withEnvironment('prod', e => { e.allowTeardown = true; }));
    expect(problems).toEqual(['environment "prod": allowTeardown: must be false in prod: teardown would delete the backups and the source tables']);
  });

  it('refuses a KMS setting with both or neither form, and a rotation period KMS does not accept', () => {
    const both = problemsOf(withEnvironment('prod', e => { (e.bucket as Mutable<EnvironmentConfig['bucket']>).kms = { keyId: 'k', create: { rotationIntervalDays: 365 } } as never; }));
    expect(both).toEqual(['environment "prod": bucket.kms: give exactly one of keyId (an existing key) or create']);
    const short = problemsOf(withEnvironment('prod', e => { (e.bucket as Mutable<EnvironmentConfig['bucket']>).kms = { create: { rotationIntervalDays: 3 } }; }));
    expect(short).toEqual(['environment "prod": bucket.kms.create.rotationIntervalDays: must be a whole number of days from 7 to 730, got 3']);
  });

  it('refuses a stream retention outside 1–168 hours and a lag under 5 minutes', () => {
    const problems = problemsOf(withEnvironment('dev', e => {
      e.tablestore.streamRetentionHours = 200;
      e.schedule.streamLagMinutes = 2;
    }));
    expect(problems).toEqual([
      'environment "dev": tablestore.streamRetentionHours: must be a whole number of hours from 1 to 168, got 200',
      'environment "dev": schedule.streamLagMinutes: must be a whole number of at least 5: stream data reaches the reader up to 5 minutes late',
    ]);
  });

  it('refuses a Stream retention on a time series table: its Stream comes with the table, no call sets its retention', () => {
    const problems = problemsOf(withEnvironment('dev', e => { (series(e) as Record<string, unknown>).streamRetentionHours = 24; }));
    expect(problems).toEqual([
      'environment "dev": tablestore.tables[1].streamRetentionHours: does not apply to a time series table: its Stream comes with the table and no Tablestore call sets its retention; drop the option',
    ]);
  });

  it('refuses export columns the table does not have, and lifecycle days out of order', () => {
    const problems = problemsOf(withEnvironment('prod', e => {
      wide(e).exportColumns = [...wide(e).exportColumns!, { name: 'pressure' }];
      e.bucket.lifecycle!.transitionToArchiveDays = 10;
    }));
    expect(problems).toEqual([
      'environment "prod": bucket.lifecycle.transitionToArchiveDays: must be later than transitionToIaDays (30)',
      'environment "prod": tablestore.tables[0].exportColumns[5].name: "pressure" is neither a primary key nor a defined column of the table',
    ]);
  });

  it('refuses to schedule the runtime engine, and the formats only the runtime writes', () => {
    const problems = problemsOf(withEnvironment('staging', e => {
      e.engine = 'runtime';
      e.exportFormat.fileFormat = 'jsonl';
    }));
    expect(problems).toEqual([
      `environment "staging": engine: ${RUNTIME_NOT_SCHEDULABLE}`,
      'environment "staging": exportFormat.fileFormat: "jsonl" cannot be scheduled: the Data Integration node writes csv (the runtime writes jsonl when run by hand)',
    ]);
  });

  it('refuses compressed csv on the Data Integration engine', () => {
    const problems = problemsOf(withEnvironment('prod', e => { e.exportFormat.compression = 'gzip'; }));
    expect(problems).toEqual([
      'environment "prod": exportFormat.compression: "gzip" cannot be scheduled: the Data Integration OSS writer compresses parquet and orc only, not csv',
    ]);
  });

  it('refuses a TTL below one day and a non-csv format on the Data Integration engine', () => {
    const problems = problemsOf(withEnvironment('dev', e => {
      wide(e).timeToLiveSeconds = 3600;
      e.exportFormat.fileFormat = 'parquet';
    }));
    expect(problems).toEqual([
      'environment "dev": tablestore.tables[0].timeToLiveSeconds: must be -1 (keep forever) or a whole number of seconds ≥ 86400, got 3600',
      'environment "dev": exportFormat.fileFormat: "parquet" cannot be scheduled: the Data Integration node writes csv (the runtime writes parquet when run by hand)',
    ]);
  });

  it('refuses fields the configuration types do not declare, at any depth, naming the field meant', () => {
    const broken = withEnvironment('dev', e => {
      Object.assign(e.bucket, { exportPrefx: 'elsewhere' });
      Object.assign((e.tablestore.tables[0] as { primaryKey: object[] }).primaryKey[1], { tpye: 'String' });
      Object.assign(e.tablestore.instances[0], { statusTable: 'x' });
      Object.assign(e.dataworks.workspace, { craete: {} });
      Object.assign(e, { retention: 3 });
    });
    Object.assign(broken, { stateRegoin: 'cn-hangzhou' });
    expect(problemsOf(broken)).toEqual([
      'environment "project": unknown field "stateRegoin" (did you mean "stateRegion"?)',
      'environment "dev": bucket: unknown field "exportPrefx" (did you mean "exportPrefix"?)',
      'environment "dev": tablestore.instances[0]: unknown field "statusTable"',
      'environment "dev": tablestore.tables[0].primaryKey[1]: unknown field "tpye" (did you mean "type"?)',
      'environment "dev": dataworks.workspace: unknown field "craete" (did you mean "create"?)',
      'environment "dev": unknown field "retention"',
    ]);
  });

  it('refuses values the alicloud provider would refuse at deploy, naming the rule and the attribute', () => {
    const problems = problemsOf(withEnvironment('dev', e => {
      if (!('create' in e.dataworks.workspace)) throw new Error('dev creates its workspace');
      e.dataworks.workspace.create.displayName = 'Tablestore backup (dev)';
      Object.assign(e.bucket, { redundancyType: 'GRS' });
      Object.assign((e.tablestore.tables[0] as { definedColumns: object[] }).definedColumns[0], { type: 'Float' });
    }));
    expect(problems).toEqual([
      'environment "dev": bucket.redundancyType: "GRS" must be one of LRS, ZRS (alicloud_oss_bucket.redundancy_type)',
      'environment "dev": tablestore.tables[0].definedColumns[0].type: "Float" must be one of Integer, String, Binary, Double, Boolean (alicloud_ots_table.defined_column.type)',
      String.raw`environment "dev": dataworks.workspace.create.displayName: "Tablestore backup (dev)" does not match ^[\w.,;/@-]+$ (alicloud_data_works_project.display_name)`,
    ]);
  });

  it('accepts free-form tag keys', () => {
    expect(problemsOf(withEnvironment('dev', e => { e.tags.costCenter = 'cc-1'; }))).toEqual([]);
  });

  it('reports every problem of every environment at once', () => {
    const broken = withEnvironment('dev', e => {
      e.bucket.name = 'BAD';
      e.region = 'mars-1';
    });
    const problems = problemsOf(broken);
    expect(problems.map(p => p.split(':')[1].trim())).toEqual(['region', 'bucket.name']);
  });
});

describe('provider-bound fields', () => {
  it('name only attributes the provider rules file has a value rule for', () => {
    const env = projectConfig.environments[0];
    const withEveryOptional = {
      ...env,
      bucket: { ...env.bucket, redundancyType: 'ZRS' as const },
      tablestore: { ...env.tablestore, tables: env.tablestore.tables.map(t => (t.kind === 'wide-column' ? { ...t, maxVersions: 1 } : t)) },
    };
    const fields = [...environmentProviderFields(withEveryOptional), ...projectProviderFields(projectConfig)];
    expect(new Set(fields.map(f => f.attribute)).size).toBeGreaterThanOrEqual(12);
    for (const f of fields) expect(() => providerRuleFailures(f)).not.toThrow();
  });
});

describe('validateConfiguration: tables, instances and adoption', () => {
  const twoInstances = (e: Mutable<EnvironmentConfig>) => {
    e.tablestore.instances.push({ name: 'acme-iot', adopt: 'reference', statusTableName: 'otsbk_status', dataSourceName: 'otsbk_dev_iot' });
  };

  it('refuses a table listed twice', () => {
    const problems = problemsOf(withEnvironment('dev', e => { e.tablestore.tables.push({ ...wide(e) }); }));
    expect(problems).toContain('environment "dev": tablestore.tables[2]: table "device_readings" of instance "otsbk-dev" is already listed as tablestore.tables[0]');
  });

  it('refuses two tables mapping to the same node and object prefix, until one gets its own backupName', () => {
    const sameName = (e: Mutable<EnvironmentConfig>) => {
      twoInstances(e);
      e.tablestore.tables.push({ ...wide(e), instance: 'acme-iot', adopt: 'reference', timeToLiveSeconds: undefined });
    };
    expect(problemsOf(withEnvironment('dev', sameName))).toEqual([
      'environment "dev": tablestore.tables[2]: maps to the same sync node otsbk_dev_sync_device_readings and object prefix tablestore-export/device_readings/ as tablestore.tables[0]; give one of them its own backupName',
    ]);
    expect(problemsOf(withEnvironment('dev', e => { sameName(e); (e.tablestore.tables[2] as Mutable<WideColumnTableConfig>).backupName = 'iot_device_readings'; }))).toEqual([]);
  });

  it('refuses an export column the table schema does not have, naming the table entry', () => {
    const problems = problemsOf(withEnvironment('dev', e => { series(e).fields = [{ name: 'value', type: 'Double' }]; series(e).exportColumns = [{ name: '_time' }, { name: 'pressure' }]; }));
    expect(problems).toEqual(['environment "dev": tablestore.tables[1].exportColumns[1].name: "pressure" is neither a time series column (_m_name, _data_source, _tags, _time) nor one of the table\'s fields']);
  });

  it('refuses malformed import ids, and ids naming another resource', () => {
    const problems = problemsOf(withEnvironment('dev', e => {
      twoInstances(e);
      e.tablestore.instances[1].adopt = 'import';
      e.tablestore.instances[1].instanceType = 'Capacity';
      e.tablestore.instances[1].accessedBy = 'Vpc';
      e.tablestore.tables.push({ kind: 'wide-column', name: 'orders', instance: 'acme-iot', adopt: 'import', importId: 'acme-iot/orders', timeToLiveSeconds: -1, primaryKey: [{ name: 'id', type: 'String' }] });
      e.tablestore.instances[1].importId = 'other-instance';
      e.bucket.adopt = 'import';
      e.bucket.importId = 'Bad_Bucket';
    }));
    expect(problems).toEqual([
      'environment "dev": bucket.importId: "Bad_Bucket" is malformed: alicloud_oss_bucket is imported by <bucket_name>',
      'environment "dev": tablestore.instances[1].importId: "other-instance" names another alicloud_ots_instance than the one declared here ("acme-iot")',
      'environment "dev": tablestore.tables[2].importId: "acme-iot/orders" is malformed: alicloud_ots_table is imported by <instance_name>:<table_name>',
    ]);
  });

  it('refuses options that would modify a referenced table, instance or bucket', () => {
    const problems = problemsOf(withEnvironment('dev', e => {
      twoInstances(e);
      e.tablestore.instances[1].instanceType = 'Capacity';
      e.tablestore.tables.push({ kind: 'wide-column', name: 'orders', instance: 'acme-iot', adopt: 'reference', timeToLiveSeconds: 86400, maxVersions: 2, primaryKey: [{ name: 'id', type: 'String' }] });
      e.bucket.adopt = 'reference';
    }));
    expect(problems).toEqual([
      'environment "dev": bucket.lifecycle: would modify the referenced bucket "otsbk-dev-backup-cn-hangzhou": a referenced bucket is never changed; drop the option or adopt it with "import"',
      'environment "dev": tablestore.instances[1].instanceType: would modify the referenced instance "acme-iot": a referenced instance is never changed; drop the option or adopt it with "import"',
      'environment "dev": tablestore.tables[2].timeToLiveSeconds: would modify the referenced table "orders": a referenced table is never changed; drop the option or adopt it with "import"',
      'environment "dev": tablestore.tables[2].maxVersions: would modify the referenced table "orders": a referenced table is never changed; drop the option or adopt it with "import"',
    ]);
  });

  it('refuses adopting a table of an instance the stack creates, importing a time series table, and an imported table without its TTL', () => {
    const problems = problemsOf(withEnvironment('dev', e => {
      wide(e).adopt = 'import';
      wide(e).timeToLiveSeconds = undefined;
      series(e).adopt = 'import';
    }));
    expect(problems).toEqual([
      'environment "dev": tablestore.tables[0].adopt: "import" needs an existing table, but instance "otsbk-dev" is created by the stack: adopt the instance too ("import" or "reference")',
      'environment "dev": tablestore.tables[0].timeToLiveSeconds: is required for the imported table "device_readings": Terraform would otherwise set the default (-1) on the live table',
      'environment "dev": tablestore.tables[1].adopt: "import" needs an existing table, but instance "otsbk-dev" is created by the stack: adopt the instance too ("import" or "reference")',
      'environment "dev": tablestore.tables[1].adopt: "import" needs a provider resource; the pinned alicloud provider has none for time series tables: use "reference" (the stack then only reads its Stream)',
    ]);
  });

  it('refuses a table in an undeclared instance', () => {
    expect(problemsOf(withEnvironment('dev', e => { wide(e).instance = 'nowhere'; }))).toEqual([
      'environment "dev": tablestore.tables[0].instance: "nowhere" is not one of tablestore.instances (otsbk-dev)',
    ]);
  });
});

describe('validateConfiguration: empty lists', () => {
  it('reports an environment without instances or tables instead of failing', () => {
    expect(problemsOf(withEnvironment('dev', e => { e.tablestore.instances = []; }))).toEqual(['environment "dev": tablestore.instances: must declare at least one instance']);
    expect(problemsOf(withEnvironment('dev', e => { e.tablestore.tables = []; }))).toEqual(['environment "dev": tablestore.tables: must list at least one table to back up']);
  });
});

import { projectConfig } from '../../lib/config/environments';
import { EnvironmentConfig } from '../../lib/config/types';
import {
  assertDocumentedKeys,
  buildSyncDefinition,
  buildSyncJob,
  DiJob,
  SyncDefinitionProps,
  syncDefinitionsForEnvironment,
  validateSyncJob,
} from '../../lib/dataworks';

describe('sync definitions of every environment', () => {
  for (const env of projectConfig.environments) {
    it(`${env.name}: FlowSpec and job JSON`, () => {
      const defs = syncDefinitionsForEnvironment(env);
      expect(defs.map(d => d.name)).toEqual(env.tablestore.tables.map(t => `${env.namePrefix.replace(/-/g, '_')}_sync_${t.backupName ?? t.name}`));
      for (const d of defs) {
        expect(d.flowSpec).toMatchSnapshot(`${d.name} FlowSpec`);
        expect(JSON.parse(d.flowSpec.spec.nodes[0].script.content)).toEqual(d.job);
        expect(d.job).toMatchSnapshot(`${d.name} DI job`);
      }
    });
  }
});

describe('what the console procedure sets', () => {
  const dev = projectConfig.environments.find(e => e.name === 'dev')!;
  const [table, timeseries] = syncDefinitionsForEnvironment(dev);
  const node = table.flowSpec.spec.nodes[0];

  it('is a FlowSpec 1.1.0 Node (API reference schema) with id equal to name and a root dependency in spec.flow', () => {
    expect(table.flowSpec.version).toBe('1.1.0');
    expect(table.flowSpec.kind).toBe('Node');
    expect(node.id).toBe(node.name);
    expect(Object.keys(table.flowSpec.spec).sort()).toEqual(['flow', 'nodes']);
    expect(table.flowSpec.spec.flow).toEqual([{ nodeId: node.name, depends: [{ type: 'Normal', output: 'otsbk_dev_root' }] }]);
  });

  it('runs DI with the window parameters, hourly trigger, reruns, timeout and resource group', () => {
    expect(node.script.language).toBe('di');
    expect(node.script.runtime.command).toBe('DI');
    expect(node.script.parameters.map(p => [p.name, p.value])).toEqual([
      ['startTime', '$[yyyymmddhh24-2/24]$[miss-10/24/60]'],
      ['endTime', '$[yyyymmddhh24-1/24]$[miss-10/24/60]'],
    ]);
    expect(node.trigger).toEqual({ type: 'Scheduler', cron: '00 00 * * * ?', startTime: '1970-01-01 00:00:00', endTime: '9999-01-01 00:00:00', timezone: 'Asia/Shanghai' });
    // timeout in seconds (dataworks-spec node.schema.json), no timeoutUnit; rerunInterval in milliseconds.
    expect(node).toMatchObject({ rerunMode: 'Allowed', rerunTimes: 3, rerunInterval: 10 * 60_000, timeout: 3600 });
    expect(node).not.toHaveProperty('timeoutUnit');
    expect(node.runtimeResource).toEqual({ resourceGroup: 'Serverless_res_group_dev' });
  });

  it('reads the stream in row mode and writes one object per window', () => {
    const [reader, writer] = table.job!.steps;
    expect(reader.parameter).toMatchObject({
      datasource: 'otsbk_dev_tablestore', dataTable: 'device_readings', statusTable: 'otsbk_sync_status',
      startTimeString: '${startTime}', endTimeString: '${endTime}', mode: 'single_version_and_update_only', enableSeekIterator: true, maxRetries: 30,
    });
    expect(reader.parameter.isTimeseriesTable).toBeUndefined();
    expect(writer.parameter).toMatchObject({ datasource: 'otsbk_dev_oss', object: 'tablestore-export/device_readings/${startTime}_${endTime}.csv', writeMode: 'truncate', writeSingleObject: true });
    expect(timeseries.job!.steps[0].parameter.isTimeseriesTable).toBe(true);
    expect(table.job!.setting.errorLimit).toEqual({ strategy: 'ZeroTolerance' });
    expect(table.job!.extend).toEqual({ mode: 'code', __new__: true, formatType: 'datax', resourceGroup: 'Serverless_res_group_dev', cu: '0.5' });
  });
});

describe('validation at synth', () => {
  const dev = projectConfig.environments.find(e => e.name === 'dev')!;
  const base = (): SyncDefinitionProps => ({
    namePrefix: 'otsbk-dev',
    projectIdentifier: 'otsbk_dev',
    resourceGroup: 'rg',
    schedule: dev.schedule,
    ossDataSource: 'oss_dst',
    declaredDataSources: [{ name: 'ots_src', type: 'tablestore' }, { name: 'oss_dst', type: 'oss' }],
    exportPrefix: 'p',
    exportFormat: { fileFormat: 'csv', compression: 'none', fieldDelimiter: ',', encoding: 'UTF-8', nullFormat: '' },
    table: {
      kind: 'wide-column', name: 't', backupName: 't', dataSource: 'ots_src', statusTable: 'status',
      exportColumns: [{ name: 'pk' }, { name: 'v' }, { name: 'v', dataType: 'old' }], columnTypes: { pk: 'String', v: 'Integer' },
    },
  });

  it('accepts the base definition and names old images distinctly', () => {
    const d = buildSyncDefinition(base());
    expect(d.job!.steps[1].parameter.header).toEqual(['pk', 'v', 'v_old']);
  });

  it('rejects a data source the stack does not declare, naming the declared ones', () => {
    expect(() => buildSyncDefinition({ ...base(), table: { ...base().table, dataSource: 'nope' } }))
      .toThrow('otsbk_dev_sync_t: reader.datasource: "nope" is not a data source the stack declares (declared tablestore data sources: "ots_src")');
    expect(() => buildSyncDefinition({ ...base(), ossDataSource: 'ots_src' }))
      .toThrow('writer.datasource: "ots_src" is declared as a tablestore data source, not oss');
  });

  it('rejects a cron or window expression that does not parse, or a reversed window', () => {
    expect(() => buildSyncDefinition({ ...base(), schedule: { ...dev.schedule, cron: '0 * * * *' } })).toThrow(/otsbk_dev_sync_t: trigger\.cron: /);
    expect(() => buildSyncDefinition({ ...base(), schedule: { ...dev.schedule, startTimeExpression: '$[yyyymmddhh24-2/24' } })).toThrow(/script\.parameters\.startTimeExpression: /);
    expect(() => buildSyncDefinition({ ...base(), schedule: { ...dev.schedule, startTimeExpression: '$[yyyymmdd]' } })).toThrow(/not the 14-digit yyyymmddhh24miss/);
    expect(() => buildSyncDefinition({ ...base(), schedule: { ...dev.schedule, startTimeExpression: dev.schedule.endTimeExpression, endTimeExpression: dev.schedule.startTimeExpression } }))
      .toThrow(/the window is empty or reversed/);
  });

  it('rejects compression the Data Integration writer cannot produce, and non-csv formats', () => {
    expect(() => buildSyncDefinition({ ...base(), exportFormat: { ...base().exportFormat, compression: 'gzip' } })).toThrow(/exportFormat\.compression: "gzip" cannot be honoured/);
    expect(() => buildSyncDefinition({ ...base(), exportFormat: { ...base().exportFormat, fileFormat: 'parquet' } })).toThrow(/"parquet" cannot be scheduled: the Data Integration OSS writer is configured for csv/);
  });

  it('rejects an empty column list and a bad node name', () => {
    expect(() => buildSyncDefinition({ ...base(), table: { ...base().table, exportColumns: [] } as SyncDefinitionProps['table'] })).toThrow(/reader\.column: row mode exports nothing/);
    expect(() => buildSyncDefinition({ ...base(), namePrefix: '9bad' })).toThrow(/name: "9bad_sync_t" must start with a letter/);
  });

  it('catches a header that does not name the reader columns, and undocumented keys', () => {
    const job = buildSyncJob({
      subject: 'j',
      source: { dataSource: 'ots_src', dataTable: 't', statusTable: 's', columns: [{ name: 'a' }, { name: 'b' }], timeseries: false },
      destination: { dataSource: 'oss_dst', object: 'o', fieldDelimiter: ',', encoding: 'UTF-8', nullFormat: '' },
      window: { startParameter: 'startTime', endParameter: 'endTime' },
      resourceGroup: 'rg',
      declaredDataSources: [{ name: 'ots_src', type: 'tablestore' }, { name: 'oss_dst', type: 'oss' }],
    });
    const withHeader = (header: string[]): DiJob => ({ ...job, steps: [job.steps[0], { ...job.steps[1], parameter: { ...job.steps[1].parameter, header } }] });
    expect(() => validateSyncJob('j', withHeader(['a']))).toThrow('j: writer.header: names 1 columns but the reader exports 2');
    expect(() => validateSyncJob('j', withHeader(['b', 'a']))).toThrow('j: writer.header[0]: is "b" but reader column 0 is a (new)');
    const invented = { ...job, steps: [{ ...job.steps[0], parameter: { ...job.steps[0].parameter, splitPk: 'a' } }, job.steps[1]] } as unknown as DiJob;
    expect(() => assertDocumentedKeys('j', invented)).toThrow('j: reader.parameter.splitPk: is not a documented parameter');
  });

  it('refuses to schedule the runtime engine, saying why', () => {
    const runtime: EnvironmentConfig = { ...dev, engine: 'runtime' };
    expect(() => syncDefinitionsForEnvironment(runtime)).toThrow('dev: engine: engine "runtime" cannot be scheduled: a DataWorks Shell node created through the API has no documented identity');
  });
});

import { projectConfig } from '../../lib/config/environments';
import { assertDocumentedKeys, DiJob, NodeFlowSpec, nodeUpdateSpec, syncDefinitionsForEnvironment } from '../../lib/dataworks';
import { OSS_WRITER_KEYS, OTS_STREAM_READER_COLUMN_KEYS, OTS_STREAM_READER_KEYS } from '../../lib/dataworks/di-keys';
import { DataWorksState } from '../../lib/sandbox/dataworks/state';

const PROJECT = '204871';
const dev = projectConfig.environments.find(e => e.name === 'dev')!;

/** The FlowSpec text of dev's data table node, with its DI job replaced by `job`. */
function specWithJob(job: unknown): string {
  const [def] = syncDefinitionsForEnvironment(dev);
  const node = def.flowSpec.spec.nodes[0];
  return JSON.stringify({ ...def.flowSpec, spec: { ...def.flowSpec.spec, nodes: [{ ...node, script: { ...node.script, content: JSON.stringify(job) } }] } });
}

/** The writer as this project built it before #12: `writeHeader` (a codeless-UI option) and a csv `column` list. */
function legacyWriter(job: DiJob, keep: { writeHeader?: boolean; column?: boolean } = { writeHeader: true, column: true }): DiJob {
  const { header, ...rest } = job.steps[1].parameter;
  const parameter = {
    ...rest,
    ...(keep.writeHeader ? { writeHeader: true } : { header }),
    ...(keep.column ? { column: (header ?? []).map(name => ({ name, type: 'STRING' })) } : {}),
  };
  return { ...job, steps: [job.steps[0], { ...job.steps[1], parameter }] } as unknown as DiJob;
}

describe('the reader and writer key table', () => {
  it('cites a source for every key', () => {
    for (const table of [OTS_STREAM_READER_KEYS, OTS_STREAM_READER_COLUMN_KEYS, OSS_WRITER_KEYS]) {
      for (const [key, source] of Object.entries(table)) expect([key, source.length > 20]).toEqual([key, true]);
    }
  });

  it('writes the header row through the DataX key "header", naming the exported columns, and no csv column list', () => {
    for (const def of syncDefinitionsForEnvironment(dev)) {
      const writer = def.job!.steps[1].parameter as unknown as Record<string, unknown>;
      expect(writer.header).toEqual(def.table.exportColumns.map(c => (!c.dataType || c.dataType === 'new' ? c.name : `${c.name}_${c.dataType}`)));
      expect(writer).not.toHaveProperty('writeHeader');
      expect(writer).not.toHaveProperty('column');
    }
  });

  it('refuses writeHeader at synth', () => {
    const [def] = syncDefinitionsForEnvironment(dev);
    expect(() => assertDocumentedKeys('n', legacyWriter(def.job!))).toThrow('n: writer.parameter.writeHeader: is not a documented parameter');
  });
});

describe('the loopback DataWorks checks DI keys against what the DataX plugins read', () => {
  const state = () => new DataWorksState([{ id: PROJECT, identifier: 'otsbk_dev' }]);

  it('accepts the jobs every environment builds', () => {
    for (const env of projectConfig.environments.filter(e => e.engine === 'data-integration')) {
      const s = new DataWorksState([{ id: PROJECT, identifier: env.name }]);
      for (const def of syncDefinitionsForEnvironment(env)) expect(() => s.createNode(PROJECT, JSON.stringify(def.flowSpec))).not.toThrow();
    }
  });

  it('refuses the old writer (writeHeader, csv column list) on CreateNode and UpdateNode', () => {
    const [def] = syncDefinitionsForEnvironment(dev);
    const s = state();
    expect(() => s.createNode(PROJECT, specWithJob(legacyWriter(def.job!)))).toThrow('oss writer parameter "writeHeader" is not a key the plugin reads');
    expect(() => s.createNode(PROJECT, specWithJob(legacyWriter(def.job!, { column: true })))).toThrow('oss writer: column is read for orc and parquet output only, not csv');
    const node = s.createNode(PROJECT, JSON.stringify(def.flowSpec));
    // UpdateNode is incremental: send only the changed script, as the operations command does.
    const update = nodeUpdateSpec(JSON.stringify(node.spec), JSON.parse(specWithJob(legacyWriter(def.job!))) as NodeFlowSpec, String(node.id));
    expect(() => s.updateNode(PROJECT, String(node.id), JSON.stringify(update))).toThrow(/writeHeader/);
    expect(node.version).toBe(1);
  });

  it('refuses invented reader keys and column entry keys, and a header that is not a list of names', () => {
    const [def] = syncDefinitionsForEnvironment(dev);
    const job = def.job!;
    const withReader = (parameter: Record<string, unknown>) => ({ ...job, steps: [{ ...job.steps[0], parameter }, job.steps[1]] });
    const s = state();
    expect(() => s.createNode(PROJECT, specWithJob(withReader({ ...job.steps[0].parameter, splitPk: 'a' })))).toThrow('otsstream reader parameter "splitPk" is not a key the plugin reads');
    expect(() => s.createNode(PROJECT, specWithJob(withReader({ ...job.steps[0].parameter, column: [{ name: 'a', type: 'STRING' }] })))).toThrow('otsstream reader column[0] key "type" is not one the plugin reads');
    expect(() => s.createNode(PROJECT, specWithJob(withReader({ ...job.steps[0].parameter, startTimestampMillis: 1 })))).toThrow(/not both/);
    const withHeader = { ...job, steps: [job.steps[0], { ...job.steps[1], parameter: { ...job.steps[1].parameter, header: 'pk,v' } }] };
    expect(() => s.createNode(PROJECT, specWithJob(withHeader))).toThrow('header must be a list of column names');
  });
});

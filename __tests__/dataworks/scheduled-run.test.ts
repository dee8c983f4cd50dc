import { projectConfig } from '../../lib/config/environments';
import { nodeUpdateSpec, syncDefinitionsForEnvironment } from '../../lib/dataworks';
import { DataWorksState, scheduledInstance } from '../../lib/sandbox/dataworks';

const PROJECT = '204871';
const dev = projectConfig.environments.find(e => e.name === 'dev')!;
/** 2023-04-23 19:00 in Asia/Shanghai. */
const RUN_AT_19 = Date.UTC(2023, 3, 23, 11, 0, 0);

/** Deploys a node the way the deployment process does: package, production check, deploy. */
function deploy(state: DataWorksState, nodeId: bigint): void {
  const run = state.createRun(PROJECT, 'Online', JSON.stringify([String(nodeId)]), 'deploy');
  state.settle(run);
  for (const stage of ['PROD_CHECK', 'PROD']) {
    state.execStage(PROJECT, run.id, stage);
    state.settle(run);
  }
  expect(run.status).toBe('Success');
}

function deployedDevNode(): { state: DataWorksState; id: string } {
  const state = new DataWorksState([{ id: PROJECT, identifier: 'otsbk_dev' }]);
  const [def] = syncDefinitionsForEnvironment(dev);
  const node = state.createNode(PROJECT, JSON.stringify(def.flowSpec));
  deploy(state, node.id);
  return { state, id: String(node.id) };
}

describe('a scheduled run of the sync node, as DataWorks makes it', () => {
  it('at 2023-04-23 19:00 reads exactly [17:50, 18:50) and writes that window\'s object', () => {
    const { state, id } = deployedDevNode();
    const instance = scheduledInstance(state, PROJECT, id, RUN_AT_19);
    expect(instance.parameters).toEqual({ startTime: '20230423175000', endTime: '20230423185000' });
    const [reader, writer] = (instance.diJob as { steps: Array<{ parameter: Record<string, unknown> }> }).steps;
    expect(reader.parameter).toMatchObject({ startTimeString: '20230423175000', endTimeString: '20230423185000' });
    expect(writer.parameter.object).toBe('tablestore-export/device_readings/20230423175000_20230423185000.csv');
  });

  it('runs the deployed version, not an edit saved without deploying', () => {
    const { state, id } = deployedDevNode();
    const [def] = syncDefinitionsForEnvironment({ ...dev, schedule: { ...dev.schedule, startTimeExpression: '$[yyyymmddhh24-3/24]$[miss-10/24/60]' } });
    state.updateNode(PROJECT, id, JSON.stringify(nodeUpdateSpec(JSON.stringify(state.node(PROJECT, id).spec), def.flowSpec, id)));
    expect(state.node(PROJECT, id).version).toBe(2);
    expect(scheduledInstance(state, PROJECT, id, RUN_AT_19).parameters.startTime).toBe('20230423175000');
  });

  it('has no instance when the node is not deployed or its cron does not fire at that time', () => {
    const { state, id } = deployedDevNode();
    expect(() => scheduledInstance(state, PROJECT, id, RUN_AT_19 + 30 * 60_000)).toThrow(/has no instance at 2023-04-23T11:30:00.000Z/);
    const [, timeseries] = syncDefinitionsForEnvironment(dev);
    const undeployed = state.createNode(PROJECT, JSON.stringify(timeseries.flowSpec));
    expect(() => scheduledInstance(state, PROJECT, String(undeployed.id), RUN_AT_19)).toThrow(/is not deployed to production/);
  });

  it('fails an instance whose job references a parameter the node does not declare', () => {
    const state = new DataWorksState([{ id: PROJECT, identifier: 'otsbk_dev' }]);
    const [def] = syncDefinitionsForEnvironment(dev);
    const node = def.flowSpec.spec.nodes[0];
    const content = node.script.content.replace('${endTime}', '${stopTime}');
    const spec = { ...def.flowSpec, spec: { ...def.flowSpec.spec, nodes: [{ ...node, script: { ...node.script, content } }] } };
    const created = state.createNode(PROJECT, JSON.stringify(spec));
    deploy(state, created.id);
    expect(() => scheduledInstance(state, PROJECT, String(created.id), RUN_AT_19)).toThrow('the job references ${stopTime}, which is not a parameter of the node');
  });

  it('passes a Shell node its parameters as $1..$n in name order, whatever order they are declared in', () => {
    const state = new DataWorksState([{ id: PROJECT, identifier: 'otsbk_dev' }]);
    const [def] = syncDefinitionsForEnvironment(dev);
    const node = def.flowSpec.spec.nodes[0];
    const shell = { ...node, script: { ...node.script, language: 'shell', runtime: { command: 'DIDE_SHELL' }, content: 'echo "$1" "$2"' } };
    const created = state.createNode(PROJECT, JSON.stringify({ ...def.flowSpec, spec: { ...def.flowSpec.spec, nodes: [shell] } }));
    deploy(state, created.id);
    // Declared startTime, endTime; endTime sorts first, so a script reading $1 as the start gets the end.
    expect(node.script.parameters.map(p => p.name)).toEqual(['startTime', 'endTime']);
    expect(scheduledInstance(state, PROJECT, String(created.id), RUN_AT_19).shellArguments).toEqual(['20230423185000', '20230423175000']);
  });
});

import { DataWorksApiError, DataWorksClient, markedFlowSpec, NodeFlowSpec, nodeUpdateSpec } from '../../lib/dataworks';
import { DataWorksSandbox, startDataWorksSandbox } from '../../lib/sandbox/dataworks';
import { environment, syncNodeSpec } from '../ops/helpers';

const ID = '8604388726201130001';
const dev = environment('dev');
const desiredOf = (overrides: Parameters<typeof syncNodeSpec>[1] = {}, owner = 'owner-1'): NodeFlowSpec => markedFlowSpec(syncNodeSpec(dev, overrides).flowSpec, owner);

/** The node as GetNode returns it after CreateNode: numeric ids, and a runtime resource DataWorks completed. */
function liveAfterCreate(spec: NodeFlowSpec): string {
  const [node] = spec.spec.nodes;
  return JSON.stringify({
    ...spec,
    spec: {
      nodes: [{ ...node, id: ID, runtimeResource: { ...node.runtimeResource, resourceGroupId: '57130' } }],
      flow: spec.spec.flow.map(f => ({ ...f, nodeId: ID })),
    },
  });
}

describe('UpdateNode sends only what changed (incremental update)', () => {
  it('sends nothing when the live node already matches', () => {
    expect(nodeUpdateSpec(liveAfterCreate(desiredOf()), desiredOf(), ID)).toBeUndefined();
  });

  it('sends the node id and the changed fields, never the unchanged runtimeResource, script or dependencies', () => {
    const update = nodeUpdateSpec(liveAfterCreate(desiredOf()), desiredOf({ rerunTimes: 5 }, 'owner-2'), ID)!;
    expect(update.version).toBe('1.1.0');
    expect(update.spec.flow).toBeUndefined();
    const [node] = update.spec.nodes;
    expect(Object.keys(node).sort()).toEqual(['description', 'id', 'rerunTimes']);
    expect(node).toMatchObject({ id: ID, rerunTimes: 5 });
    expect(node.description).toMatch(/\[otsbk spec=[0-9a-f]{16} owner=owner-2\]$/);
  });

  it('sends a changed resource group as runtimeResource.resourceGroup alone, leaving what DataWorks added', () => {
    const env = { ...dev, dataworks: { ...dev.dataworks, resourceGroupIdentifier: 'Serverless_res_group_other' } };
    const desired = markedFlowSpec(syncNodeSpec(env).flowSpec, 'owner-1');
    const [node] = nodeUpdateSpec(liveAfterCreate(desiredOf()), desired, ID)!.spec.nodes;
    expect(node.runtimeResource).toEqual({ resourceGroup: 'Serverless_res_group_other' });
  });

  it('sends changed scheduling parameters as the whole list, and nothing else of the script', () => {
    const [node] = nodeUpdateSpec(liveAfterCreate(desiredOf()), desiredOf({ endTimeExpression: '$[yyyymmddhh24-1/24]$[miss-5/24/60]' }), ID)!.spec.nodes;
    expect(Object.keys(node.script as object)).toEqual(['parameters']);
    expect((node.script as { parameters: Array<{ name: string; value: string }> }).parameters.map(p => p.value)).toEqual(['$[yyyymmddhh24-2/24]$[miss-10/24/60]', '$[yyyymmddhh24-1/24]$[miss-5/24/60]']);
  });

  it('sends the dependencies, addressed by the node id, when the upstream differs', () => {
    const live = JSON.parse(liveAfterCreate(desiredOf()));
    live.spec.flow = [];
    const update = nodeUpdateSpec(JSON.stringify(live), desiredOf(), ID)!;
    expect(update.spec.flow).toEqual([{ nodeId: ID, depends: [{ type: 'Normal', output: 'otsbk_dev_root' }] }]);
    expect(Object.keys(update.spec.nodes[0])).toEqual(['id']);
  });
});

describe('the loopback server applies UpdateNode incrementally and refuses what the documentation warns against', () => {
  const PROJECT = '204871';
  const KEY = { accessKeyId: 'sandbox-key-id', accessKeySecret: 'sandbox-secret-value' };
  let sandbox: DataWorksSandbox;
  let client: DataWorksClient;
  let id: string;
  beforeEach(async () => {
    sandbox = await startDataWorksSandbox({ credentials: [KEY], projects: [{ id: PROJECT, identifier: 'otsbk_dev' }] });
    client = new DataWorksClient({ endpoint: sandbox.endpoint, regionId: 'cn-hangzhou', credentials: async () => KEY, retryPolicy: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    id = await client.createNode(PROJECT, 'n', JSON.stringify(desiredOf()));
  });
  afterEach(() => sandbox.close());

  const update = (node: Record<string, unknown>, flow?: unknown) => client.updateNode(PROJECT, id, JSON.stringify({ version: '1.1.0', kind: 'Node', spec: { nodes: [node], ...(flow ? { flow } : {}) } }), async () => false);
  const stored = () => sandbox.state.node(PROJECT, id).spec.spec as { nodes: Array<Record<string, any>>; flow: unknown[] };

  it('merges a partial script into the stored one and keeps what was not sent', async () => {
    const before = stored().nodes[0];
    const parameters = [{ name: 'startTime', scope: 'NodeParameter', type: 'System', value: '$[yyyymmddhh24-3/24]$[miss-10/24/60]', artifactType: 'Variable' }, before.script.parameters[1]];
    await update({ id, script: { parameters } });
    const after = stored().nodes[0];
    expect(after.script).toEqual({ ...before.script, parameters });
    expect(after.runtimeResource).toEqual(before.runtimeResource);
    expect(stored().flow).toEqual([{ nodeId: id, depends: [{ type: 'Normal', output: 'otsbk_dev_root' }] }]);
  });

  it('refuses runtimeResource sent back unchanged (the old client resent the whole node)', async () => {
    const whole = { ...desiredOf().spec.nodes[0], id };
    const e = (await update(whole).catch(x => x)) as DataWorksApiError;
    expect(e).toBeInstanceOf(DataWorksApiError);
    expect(e).toMatchObject({ statusCode: 400, code: '58014884415' });
    expect(e.message).toContain('runtimeResource is sent unchanged; UpdateNode is incremental');
    // A real change of resource group is applied, and DataWorks completes its id again.
    await update({ id, runtimeResource: { resourceGroup: 'Serverless_res_group_other' } });
    expect(stored().nodes[0].runtimeResource).toEqual({ resourceGroup: 'Serverless_res_group_other', resourceGroupId: expect.stringMatching(/^\d+$/) });
  });

  it('needs the node id in the spec', async () => {
    const e = (await update({ rerunTimes: 1 }).catch(x => x)) as DataWorksApiError;
    expect(e).toMatchObject({ statusCode: 400, code: '58014884415' });
    expect(e.message).toContain('$.spec.nodes[0].id is required');
  });
});

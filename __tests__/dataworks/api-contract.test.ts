import OpenApiClient, { Config, OpenApiRequest, Params } from '@alicloud/openapi-client';
import { ActionParameterType, DATAWORKS_ACTIONS, DataWorksClient } from '../../lib/dataworks';
import { DATAWORKS_API_CONTRACT, DataWorksSandbox, startDataWorksSandbox, WireType } from '../../lib/sandbox/dataworks';

const PROJECT = '204871';
const KEY = { accessKeyId: 'sandbox-key-id', accessKeySecret: 'sandbox-secret-value' };
const credential = { getCredential: async () => ({ ...KEY, type: 'access_key' }) };
const WIRE: Record<ActionParameterType, WireType> = {
  string: 'String', integer: 'Long', boolean: 'Boolean', 'json-array': 'Array<String> as JSON', 'json-integer-array': 'Array<Long> as JSON', 'json-object': 'Object as JSON',
};

describe('the client table and the sandbox contract, transcribed separately from the SDK', () => {
  it('agree on every action, method, parameter, placement and wire type', () => {
    expect(Object.keys(DATAWORKS_ACTIONS).sort()).toEqual(Object.keys(DATAWORKS_API_CONTRACT).sort());
    for (const [action, row] of Object.entries(DATAWORKS_ACTIONS)) {
      const contract = DATAWORKS_API_CONTRACT[action];
      expect({ action, method: row.method }).toEqual({ action, method: contract.method });
      const fromClient = Object.entries(row.parameters as Record<string, { in: 'query' | 'body'; type: ActionParameterType }>)
        .map(([name, p]) => `${name} ${p.in === 'query' ? 'query' : 'form'} ${WIRE[p.type]}`).sort();
      const fromContract = [
        ...Object.entries(DATAWORKS_API_CONTRACT[action].query).map(([name, p]) => `${name} query ${p.type}`),
        ...Object.entries(DATAWORKS_API_CONTRACT[action].form).map(([name, p]) => `${name} form ${p.type}`),
      ].sort();
      expect({ action, parameters: fromClient }).toEqual({ action, parameters: fromContract });
    }
  });

  it('reads actions with GET and a query, writes with POST and a form body, as the SDK declares', () => {
    const gets = Object.entries(DATAWORKS_ACTIONS).filter(([, r]) => r.method === 'GET').map(([a]) => a).sort();
    expect(gets).toEqual(['GetAlertRule', 'GetNode', 'GetPipelineRun', 'ListNodes', 'ListPipelineRunItems', 'ListPipelineRuns']);
  });
});

describe('the loopback server refuses requests that break the SDK contract', () => {
  let sandbox: DataWorksSandbox;
  beforeEach(async () => {
    sandbox = await startDataWorksSandbox({ credentials: [KEY], projects: [{ id: PROJECT, identifier: 'ws' }] });
  });
  afterEach(() => sandbox.close());

  /** A correctly signed request with any method and parameter placement, as a hand-written client might send it. */
  const raw = async (action: string, method: 'GET' | 'POST', placed: { query?: Record<string, string>; body?: Record<string, string> }) => {
    const { port } = new URL(sandbox.endpoint);
    const api = new OpenApiClient(new Config({ credential: credential as never, endpoint: `127.0.0.1:${port}`, protocol: 'HTTP', regionId: 'cn-hangzhou' }));
    const params = new Params({ action, version: '2024-05-18', protocol: 'HTTP', pathname: '/', method, authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
    try {
      await api.callApi(params, new OpenApiRequest(placed), { autoretry: false } as never);
      return { status: 200, code: 'OK' };
    } catch (e) {
      const data = (e as { data?: { statusCode?: number; Code?: string } }).data ?? {};
      return { status: data.statusCode, code: data.Code };
    }
  };

  it('answers a read action sent as POST with a form body (the old client) with InvalidAction.NotFound', async () => {
    for (const action of ['GetNode', 'ListNodes', 'GetPipelineRun', 'ListPipelineRuns', 'ListPipelineRunItems']) {
      expect({ action, ...(await raw(action, 'POST', { body: { ProjectId: PROJECT, Id: '1', PipelineRunId: 'x' } })) })
        .toEqual({ action, status: 404, code: 'InvalidAction.NotFound' });
    }
    expect(await raw('UpdateNode', 'GET', { query: { ProjectId: PROJECT, Id: '1', Spec: '{}' } })).toEqual({ status: 404, code: 'InvalidAction.NotFound' });
  });

  it('refuses a parameter in the wrong place, an undeclared one, a missing one and a wrong value', async () => {
    // ExecPipelineRunStage takes ProjectId in the query, Code and Id in the body; the old client put all in the body.
    expect(await raw('ExecPipelineRunStage', 'POST', { body: { ProjectId: PROJECT, Id: 'r', Code: 'PROD' } })).toEqual({ status: 400, code: 'InvalidParameter' });
    expect(await raw('GetNode', 'GET', { query: { ProjectId: PROJECT, Id: '1', NodeName: 'n' } })).toEqual({ status: 400, code: 'InvalidParameter' });
    expect(await raw('CreateNode', 'POST', { body: { ProjectId: PROJECT, Spec: '{}' } })).toEqual({ status: 400, code: 'MissingScene' });
    expect(await raw('GetPipelineRun', 'GET', { query: { ProjectId: 'ws-1', Id: 'r' } })).toEqual({ status: 400, code: 'InvalidParameter' });
    expect(await raw('CreatePipelineRun', 'POST', { body: { ProjectId: PROJECT, Type: 'Online', ObjectIds: '8604388726201130001' } })).toEqual({ status: 400, code: 'InvalidParameter' });
    // ListNodes spells its scenes DataworksProject...; the old client sent CreateNode's DATAWORKS_PROJECT.
    expect(await raw('ListNodes', 'GET', { query: { ProjectId: PROJECT, Scene: 'DATAWORKS_PROJECT' } })).toEqual({ status: 400, code: 'InvalidParameter' });
    expect(await raw('ListNodes', 'GET', { query: { ProjectId: PROJECT, Scene: 'DataworksProject' } })).toEqual({ status: 200, code: 'OK' });
  });

  it('honours each declared filter, or refuses the ones it does not model instead of ignoring them', async () => {
    const client = new DataWorksClient({ endpoint: sandbox.endpoint, regionId: 'cn-hangzhou', credentials: async () => KEY, retryPolicy: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const spec = (name: string, rerunMode: string) => JSON.stringify({ version: '1.1.0', kind: 'Node', spec: { nodes: [{ id: name, name, rerunMode, script: { path: name, runtime: { command: 'DIDE_SHELL' }, content: 'echo' } }] } });
    await client.createNode(PROJECT, 'sync_a', spec('sync_a', 'Allowed'));
    await client.createNode(PROJECT, 'sync_ab', spec('sync_ab', 'Denied'));
    const names = async (q: Record<string, string>) => {
      const body = await client.call('ListNodes', { ProjectId: PROJECT, ...q });
      return ((body.PagingInfo as { Nodes: Array<{ Name: string }> }).Nodes).map(n => n.Name);
    };
    expect(await names({ Name: 'sync_a' })).toEqual(['sync_a', 'sync_ab']);
    expect(await names({ Name: 'sync_ab' })).toEqual(['sync_ab']);
    expect(await names({ RerunMode: 'Denied' })).toEqual(['sync_ab']);
    expect(await names({ Scene: 'DataworksManualTask' })).toEqual([]);
    expect(await raw('CreatePipelineRun', 'POST', { body: { ProjectId: PROJECT, Type: 'Online', ObjectIds: '["1"]', RunMode: 'Auto', AutoRunUntilStage: 'PROD' } })).toEqual({ status: 400, code: 'InvalidParameter' });
    expect(await raw('CreateNode', 'POST', { body: { ProjectId: PROJECT, Scene: 'DATAWORKS_MANUAL_TASK', Spec: spec('m', 'Allowed') } })).toEqual({ status: 400, code: 'InvalidParameter' });
  });

  it('sees each client call arrive with the declared method, every parameter in its declared place', async () => {
    const client = new DataWorksClient({ endpoint: sandbox.endpoint, regionId: 'cn-hangzhou', credentials: async () => KEY, retryPolicy: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const spec = JSON.stringify({ version: '1.1.0', kind: 'Node', spec: { nodes: [{ id: 'n1', name: 'n1', script: { path: 'n1', runtime: { command: 'DIDE_SHELL' }, content: 'echo' } }] } });
    const id = await client.createNode(PROJECT, 'n1', spec);
    await client.getNode(PROJECT, id);
    const run = await client.createPipelineRun(PROJECT, 'Online', id, 'd');
    const { stages } = await client.getPipelineRun(PROJECT, run);
    await client.listPipelineRuns(PROJECT, { status: 'Running', objectId: id }, 1, 10);
    await client.listPipelineRunItems(PROJECT, run);
    await client.execPipelineRunStage(PROJECT, run, stages.find(s => s.status === 'Init')!.code);
    await client.abolishPipelineRun(PROJECT, run);
    await client.deleteNode(PROJECT, id);
    expect(sandbox.requests.map(r => `${r.method} ${r.action} ${r.outcome}`)).toEqual([
      'POST CreateNode 200', 'GET GetNode 200', 'POST CreatePipelineRun 200', 'GET GetPipelineRun 200', 'GET ListPipelineRuns 200',
      'GET ListPipelineRunItems 200', 'POST ExecPipelineRunStage 200', 'POST AbolishPipelineRun 200', 'POST DeleteNode 200',
    ]);
    await expect(client.call('GetNode', { ProjectId: PROJECT, Id: id, Name: 'n1' })).rejects.toThrow('DataWorks GetNode has no parameter Name');
    await expect(client.call('GetNode', { ProjectId: 'ws-1', Id: id })).rejects.toThrow('DataWorks GetNode parameter ProjectId must be an integer, got "ws-1"');
  });
});

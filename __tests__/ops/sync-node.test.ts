import { markerOfSpecText } from '../../lib/dataworks';
import { OperationSettings, runOps } from '../../lib/ops';
import { DataWorksSandbox, startDataWorksSandbox } from '../../lib/sandbox/dataworks';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, environment, ops, PROJECT_ID, syncNodeSpec } from './helpers';

const dev = environment('dev');
const devSettings: OperationSettings = { environment: 'dev', allowTeardown: true };
const prodSettings: OperationSettings = { environment: 'prod', allowTeardown: false };

let sandbox: DataWorksSandbox;
beforeEach(async () => {
  sandbox = await startDataWorksSandbox({ credentials: [{ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }], projects: [{ id: PROJECT_ID, identifier: 'otsbk_dev' }] });
});
afterEach(() => sandbox.close());

const run = (op: string, spec: unknown, settings: OperationSettings, owner: string, extraEnv?: Record<string, string>) =>
  ops(op, 'sync-node', spec, settings, owner, { dataworks: sandbox.endpoint }, extraEnv);
const actionsSince = (from: number) => sandbox.requests.slice(from).map(r => r.action);
const liveNode = (name: string) => sandbox.state.nodeByName(PROJECT_ID, name);
const liveMarker = (name: string) => markerOfSpecText(JSON.stringify(liveNode(name)!.spec));
const successfulOnlineRuns = () => sandbox.state.runs.filter(r => r.type === 'Online' && r.status === 'Success');

describe('sync node lifecycle: create → no-op → update → destroy → recreate', () => {
  it('converges the node and its deployment at every step', async () => {
    const a = syncNodeSpec(dev);
    const b = syncNodeSpec(dev, { rerunTimes: 5 });

    // create
    let r = await run('apply', a, devSettings, 'owner-1');
    expect(r.code).toBe(0);
    const created = liveNode(a.nodeName)!;
    expect(created.taskId).toBeDefined();
    expect(created.deployedVersion).toBe(created.version);
    expect(liveMarker(a.nodeName)?.owner).toBe('owner-1');
    expect(sandbox.requests.filter(x => x.action === 'CreateNode')).toHaveLength(1);
    const stored = (created.spec.spec as { nodes: Array<Record<string, unknown>> }).nodes[0];
    expect(stored.script).toEqual(a.flowSpec.spec.nodes[0].script);

    // no-op: the same apply again changes nothing and deploys nothing
    let mark = sandbox.requests.length;
    r = await run('apply', a, devSettings, 'owner-1');
    expect(r.code).toBe(0);
    expect(actionsSince(mark).filter(x => /^(Create|Update|Delete|Exec)/.test(x))).toEqual([]);
    expect(r.lines.join('\n')).toContain('already deployed');

    // update: Terraform creates the replacement (owner-2) first, then destroys the old object (owner-1)
    mark = sandbox.requests.length;
    r = await run('apply', b, devSettings, 'owner-2');
    expect(r.code).toBe(0);
    expect(liveNode(b.nodeName)!.id).toBe(created.id);
    expect((liveNode(b.nodeName)!.spec.spec as { nodes: Array<{ rerunTimes: number }> }).nodes[0].rerunTimes).toBe(5);
    expect(actionsSince(mark)).toContain('UpdateNode');
    // Incremental: the node id and the changed fields only (the marker in the description changes with the spec).
    const [updateRequest] = sandbox.requests.slice(mark).filter(x => x.action === 'UpdateNode');
    expect(Object.keys(JSON.parse(updateRequest.parameters.Spec).spec.nodes[0]).sort()).toEqual(['description', 'id', 'rerunTimes']);
    expect((liveNode(b.nodeName)!.spec.spec as { nodes: Array<{ script: unknown }> }).nodes[0].script).toEqual(b.flowSpec.spec.nodes[0].script);
    expect(successfulOnlineRuns()).toHaveLength(2);
    r = await run('destroy', a, devSettings, 'owner-1');
    expect(r.code).toBe(0);
    expect(r.lines.join('\n')).toContain('owned by Terraform object owner-2, not owner-1');
    expect(liveNode(b.nodeName)).toBeDefined();

    // destroy: undeploy, then delete
    r = await run('destroy', b, devSettings, 'owner-2');
    expect(r.code).toBe(0);
    expect(liveNode(b.nodeName)).toBeUndefined();
    expect(sandbox.state.runs.filter(x => x.type === 'Offline' && x.status === 'Success')).toHaveLength(1);
    // a second destroy finds nothing to do
    expect((await run('destroy', b, devSettings, 'owner-2')).code).toBe(0);

    // recreate
    r = await run('apply', b, devSettings, 'owner-3');
    expect(r.code).toBe(0);
    expect(liveNode(b.nodeName)!.id).not.toBe(created.id);
    expect(liveNode(b.nodeName)!.taskId).toBeDefined();
  });
});

describe('failures mid-lifecycle', () => {
  it('rides out throttling, 5xx and dropped connections without duplicating anything', async () => {
    const a = syncNodeSpec(dev);
    sandbox.inject({ action: 'ListNodes', fault: { kind: 'throttle' } });
    sandbox.inject({ action: 'CreateNode', fault: { kind: 'drop-after' } });
    sandbox.inject({ action: 'GetPipelineRun', count: 2, fault: { kind: 'server-error', status: 503 } });
    sandbox.inject({ action: 'CreatePipelineRun', fault: { kind: 'drop-after' } });
    sandbox.inject({ action: 'ExecPipelineRunStage', fault: { kind: 'drop-before' } });
    sandbox.inject({ action: 'ExecPipelineRunStage', fault: { kind: 'drop-after' } });
    const r = await run('apply', a, devSettings, 'owner-1');
    expect(r.code).toBe(0);
    expect(sandbox.state.nodes.size).toBe(1);
    expect(sandbox.state.runs).toHaveLength(1);
    expect(sandbox.state.runs[0].status).toBe('Success');
    expect(r.lines.join('\n')).toMatch(/throttled failure/);

    const b = syncNodeSpec(dev, { timeoutHours: 3 });
    sandbox.inject({ action: 'UpdateNode', fault: { kind: 'drop-after' } });
    sandbox.inject({ action: 'DeleteNode', fault: { kind: 'drop-after' } });
    expect((await run('apply', b, devSettings, 'owner-2')).code).toBe(0);
    expect(liveMarker(b.nodeName)?.owner).toBe('owner-2');
    expect((await run('destroy', b, devSettings, 'owner-2')).code).toBe(0);
    expect(sandbox.state.nodes.size).toBe(0);
  });

  it('fails with the failing stage when a deployment check fails, and the next apply deploys', async () => {
    const a = syncNodeSpec(dev);
    sandbox.state.failNextStage('PROD_CHECK', 'production checker: resource group Serverless_res_group_dev is not bound to the workspace');
    const r = await run('apply', a, devSettings, 'owner-1');
    expect(r.code).toBe(1);
    expect(r.lines.join('\n')).toContain('ended Fail at stage PROD_CHECK: production checker: resource group Serverless_res_group_dev is not bound to the workspace');
    // Terraform taints the object; the replacement's apply adopts the node and deploys it.
    expect((await run('apply', a, devSettings, 'owner-2')).code).toBe(0);
    expect(sandbox.state.nodes.size).toBe(1);
    expect(liveNode(a.nodeName)!.taskId).toBeDefined();
  });

  it('after a crash between create and deploy, the rerun adopts the node and deploys it', async () => {
    const a = syncNodeSpec(dev);
    // Every CreatePipelineRun connection is cut: the run ends after CreateNode, as a killed process would.
    sandbox.inject({ action: 'CreatePipelineRun', count: 6, fault: { kind: 'drop-before' } });
    const first = await run('apply', a, devSettings, 'owner-1');
    expect(first.code).toBe(1);
    expect(liveNode(a.nodeName)!.taskId).toBeUndefined();
    const second = await run('apply', a, devSettings, 'owner-2');
    expect(second.code).toBe(0);
    expect(sandbox.requests.filter(x => x.action === 'CreateNode')).toHaveLength(1);
    expect(liveNode(a.nodeName)!.taskId).toBeDefined();
    expect(liveMarker(a.nodeName)?.owner).toBe('owner-2');
  });

  it('resumes a deployment process left waiting by an interrupted run, and cancels a stale one', async () => {
    const a = syncNodeSpec(dev);
    const approval = { kind: 'error', status: 403, code: 'Forbidden.NeedApproval', message: 'this stage must be approved in the console' } as const;
    sandbox.inject({ action: 'ExecPipelineRunStage', fault: approval });
    const interrupted = await run('apply', a, devSettings, 'owner-1');
    expect(interrupted.code).toBe(1);
    expect(interrupted.lines.join('\n')).toMatch(/stage PROD_CHECK of deployment process .* cannot be advanced: .*Forbidden.NeedApproval.*approve it on the Task Deployment page/);
    const [waiting] = sandbox.state.runs;
    expect(waiting.status).toBe('Running');
    // Same version: resumed, not duplicated.
    let r = await run('apply', a, devSettings, 'owner-1');
    expect(r.code).toBe(0);
    expect(r.lines.join('\n')).toContain(`resuming deployment process ${waiting.id}`);
    expect(sandbox.state.runs).toHaveLength(1);

    // A process packaging an older version is cancelled and a new one deploys the current version.
    const b = syncNodeSpec(dev, { rerunTimes: 1 });
    sandbox.inject({ action: 'ExecPipelineRunStage', fault: approval });
    expect((await run('apply', b, devSettings, 'owner-2')).code).toBe(1);
    const c = syncNodeSpec(dev, { rerunTimes: 2 });
    r = await run('apply', c, devSettings, 'owner-3');
    expect(r.code).toBe(0);
    expect(r.lines.join('\n')).toMatch(/cancelling stale deployment process/);
    expect(sandbox.state.runs.map(x => x.status)).toEqual(['Success', 'Cancel', 'Success']);
    expect(markerOfSpecText(sandbox.state.runs[2].packagedSpec)?.owner).toBe('owner-3');
  });
});

describe('teardown guard', () => {
  it('prod refuses to delete the node unless OTSBK_ALLOW_TEARDOWN names it', async () => {
    const a = syncNodeSpec(environment('prod'));
    expect((await run('apply', a, prodSettings, 'owner-1')).code).toBe(0);
    const before = sandbox.requests.length;
    const refused = await run('destroy', a, prodSettings, 'owner-1');
    expect(refused.code).toBe(1);
    expect(refused.lines.join('\n')).toContain(`refusing to delete sync node ${a.nodeName}: environment "prod" does not allow teardown`);
    expect(actionsSince(before).filter(x => /^(Create|Delete|Exec)/.test(x))).toEqual([]);
    expect(liveNode(a.nodeName)!.taskId).toBeDefined();

    expect((await run('destroy', a, prodSettings, 'owner-1', { OTSBK_ALLOW_TEARDOWN: 'staging' })).code).toBe(1);
    expect((await run('destroy', a, prodSettings, 'owner-1', { OTSBK_ALLOW_TEARDOWN: 'staging,prod' })).code).toBe(0);
    expect(liveNode(a.nodeName)).toBeUndefined();
  });
});

describe('command line contract', () => {
  it('answers wrong usage with exit 2 and a bad spec with a precise error', async () => {
    const lines: string[] = [];
    expect(await runOps(['apply'], { env: {}, write: l => lines.push(l) })).toBe(2);
    expect(lines[0]).toMatch(/^usage: ops <apply\|destroy>/);
    const r = await run('apply', { ...syncNodeSpec(dev), projectId: 'ws-1' }, devSettings, 'owner-1');
    expect(r.code).toBe(1);
    expect(r.lines.join('\n')).toContain('OTSBK_OPS_SPEC.projectId "ws-1" must be a numeric DataWorks workspace id');
    const misspelt = await run('apply', { ...syncNodeSpec(dev), nodeNmae: 'x' }, devSettings, 'owner-1');
    expect(misspelt.code).toBe(1);
    expect(misspelt.lines.join('\n')).toContain('FAILED: OTSBK_OPS_SPEC: unknown field "nodeNmae" (did you mean "nodeName"?)');
    expect(sandbox.requests).toHaveLength(0);
    const wrongKind = await ops('apply', 'table-stream', syncNodeSpec(dev), devSettings, 'o', {});
    expect(wrongKind.lines.join('\n')).toContain('OTSBK_OPS_SPEC.kind is "sync-node" but the command was asked to handle "table-stream"');
  });

  it('never prints the AccessKey secret', async () => {
    const a = syncNodeSpec(dev);
    sandbox.inject({ action: 'CreateNode', fault: { kind: 'throttle' } });
    const all = [
      ...(await run('apply', a, devSettings, 'owner-1')).lines,
      ...(await run('destroy', a, devSettings, 'owner-1')).lines,
      ...(await ops('apply', 'sync-node', a, devSettings, 'owner-1', { dataworks: sandbox.endpoint }, { OTSBK_DEPLOY_TIMEOUT_SECONDS: 'x' })).lines,
    ];
    expect(all.length).toBeGreaterThan(5);
    expect(all.join('\n')).not.toContain(ACCESS_KEY_SECRET);
  });
});

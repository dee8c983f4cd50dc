/**
 * Alert rules on the loopback DataWorks server: created once the node is deployed, updated in place, the old half
 * of a replacement leaves the rule, destroy deletes it, prod refuses; the webhook URL never reaches the spec or
 * the log. The server checks every request against the SDK's contract (method, query vs body, structures).
 */
import OpenApiClient, { Config, OpenApiRequest, Params } from '@alicloud/openapi-client';
import { TerraformStack, Testing } from 'cdktf';
import { AlertRule, SyncNode } from '../../lib/constructs/managed';
import { AlertRuleSpec, OperationSettings } from '../../lib/ops';
import { DataWorksSandbox, startDataWorksSandbox } from '../../lib/sandbox/dataworks';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, environment, ops, PROJECT_ID, syncNodeSpec } from './helpers';

const dev = environment('dev');
const prod = environment('prod');
const devSettings: OperationSettings = { environment: 'dev', allowTeardown: true };
const prodSettings: OperationSettings = { environment: 'prod', allowTeardown: false };
const WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=sandbox0token0for0tests0only';
const SECRETS = { OTSBK_ALERT_DINGTALK_WEBHOOK_DEV: WEBHOOK, OTSBK_ALERT_DINGTALK_WEBHOOK_PROD: WEBHOOK };

/** The alert rule specs the stack synthesizes for an environment's wide-column node. */
function alertSpecs(env = dev, alerts = env.alerts!): { failed: AlertRuleSpec; late: AlertRuleSpec } {
  const stack = new TerraformStack(Testing.app(), env.name);
  const nodes = SyncNode.forEnvironment(stack, { ...env, engine: 'data-integration', exportFormat: { ...env.exportFormat, compression: 'none' } }, { workspaceId: PROJECT_ID });
  const [failed, late] = AlertRule.forSyncNodes(stack, { ...env, alerts }, [[...nodes.values()][0]]);
  return { failed: failed.spec!, late: late.spec! };
}

let sandbox: DataWorksSandbox;
beforeEach(async () => {
  sandbox = await startDataWorksSandbox({ credentials: [{ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }], projects: [{ id: PROJECT_ID, identifier: 'otsbk_dev' }] });
});
afterEach(() => sandbox.close());

const run = (op: string, spec: unknown, settings: OperationSettings, owner: string, extraEnv: Record<string, string> = SECRETS) =>
  ops(op, 'alert-rule', spec, settings, owner, { dataworks: sandbox.endpoint }, extraEnv);
const rules = () => [...sandbox.alertRules.rules.values()];
const writesSince = (from: number) => sandbox.requests.slice(from).map(r => r.action).filter(a => /^(Create|Update|Delete)AlertRule$/.test(a));

async function deployNode(): Promise<bigint> {
  expect((await ops('apply', 'sync-node', syncNodeSpec(dev), devSettings, 'node-owner', { dataworks: sandbox.endpoint })).code).toBe(0);
  return sandbox.state.nodeByName(PROJECT_ID, syncNodeSpec(dev).nodeName)!.taskId!;
}

describe('the stack declares the rules', () => {
  it('a failure rule and a lateness rule per node, with per-cycle deadlines and no secret', () => {
    const { failed, late } = alertSpecs();
    expect(failed.ruleName).toBe('otsbk_dev_sync_device_readings_failed');
    expect(failed.triggerCondition).toEqual({ Type: 'Error', Extension: { Error: { AutoRerunAlertEnabled: false } } });
    // Hourly at :00; 50 minutes late → cycle 1 (00:00) by 00:50 ... cycle 24 (23:00) by 23:50.
    const cycles = (late.triggerCondition.Extension as { CycleUnfinished: { CycleAndTime: Array<{ CycleId: number; Time: string }> } }).CycleUnfinished.CycleAndTime;
    expect(cycles).toHaveLength(24);
    expect(cycles[0]).toEqual({ CycleId: 1, Time: '00:50' });
    expect(cycles[23]).toEqual({ CycleId: 24, Time: '23:50' });
    expect(late.notification.Receivers).toEqual([{ ReceiverType: 'TaskOwner' }, { ReceiverType: 'DingdingUrl', ReceiverValuesFromEnvironment: 'OTSBK_ALERT_DINGTALK_WEBHOOK_DEV' }]);
    expect(JSON.stringify([failed, late])).not.toContain('https://');
    // A deadline past 47:59 cannot be expressed.
    expect(() => alertSpecs(dev, { ...dev.alerts!, lateAfterMinutes: 25 * 60 })).toThrow(/past 47:59/);
  });
});

describe('alert rule lifecycle: create → no-op → update → destroy', () => {
  it('converges the rule and leaves the replaced owner alone', async () => {
    const taskId = await deployNode();
    const { failed, late } = alertSpecs();

    let r = await run('apply', failed, devSettings, 'owner-1');
    expect(r.code).toBe(0);
    expect((await run('apply', late, devSettings, 'owner-1')).code).toBe(0);
    expect(rules()).toHaveLength(2);
    const rule = rules().find(x => x.name.startsWith(`${failed.ruleName} `))!;
    expect(rule.name).toMatch(/^otsbk_dev_sync_device_readings_failed \[otsbk spec=[0-9a-f]{16} owner=owner-1\]$/);
    expect(rule.triggerCondition).toEqual({ Type: 'Error', Target: { Type: 'Task', Ids: [Number(taskId)] }, Extension: { Error: { AutoRerunAlertEnabled: false } } });
    expect(rule.notification.Receivers).toEqual([{ ReceiverType: 'TaskOwner' }, { ReceiverType: 'DingdingUrl', ReceiverValues: [WEBHOOK] }]);
    // Every alert request went as the SDK sends it: POST with query parameters, GET for GetAlertRule.
    const create = sandbox.requests.find(x => x.action === 'CreateAlertRule')!;
    expect(create.method).toBe('POST');
    expect(r.lines.join('\n')).not.toContain('access_token');

    // no-op
    let mark = sandbox.requests.length;
    r = await run('apply', failed, devSettings, 'owner-1');
    expect(r.code).toBe(0);
    expect(writesSince(mark)).toEqual([]);
    expect(r.lines.join('\n')).toContain('is up to date');

    // update in place: the replacement (owner-2) applies first, then the old object (owner-1) is destroyed
    const changed: AlertRuleSpec = { ...failed, notification: { ...failed.notification, IntervalInMinutes: 60 } };
    mark = sandbox.requests.length;
    expect((await run('apply', changed, devSettings, 'owner-2')).code).toBe(0);
    expect(writesSince(mark)).toEqual(['UpdateAlertRule']);
    expect(sandbox.alertRules.rules.get(rule.id)!.notification.IntervalInMinutes).toBe(60);
    r = await run('destroy', failed, devSettings, 'owner-1');
    expect(r.code).toBe(0);
    expect(r.lines.join('\n')).toContain('old half of a replacement');
    expect(sandbox.alertRules.rules.has(rule.id)).toBe(true);

    // destroy by the owner deletes it; a second destroy finds nothing
    expect((await run('destroy', changed, devSettings, 'owner-2')).code).toBe(0);
    expect(sandbox.alertRules.rules.has(rule.id)).toBe(false);
    expect((await run('destroy', changed, devSettings, 'owner-2')).lines.join('\n')).toContain('nothing to delete');
  });

  it('prod refuses to delete a rule unless OTSBK_ALLOW_TEARDOWN names it', async () => {
    await deployNode();
    const { failed } = alertSpecs(prod);
    const spec = { ...failed, nodeName: syncNodeSpec(dev).nodeName };
    expect((await run('apply', spec, prodSettings, 'owner-p')).code).toBe(0);
    let r = await run('destroy', spec, prodSettings, 'owner-p');
    expect(r.code).toBe(1);
    expect(r.lines.join('\n')).toContain('refusing to delete alert rule otsbk_prd_sync_device_readings_failed: environment "prod" does not allow teardown');
    expect(rules()).toHaveLength(1);
    r = await run('destroy', spec, prodSettings, 'owner-p', { ...SECRETS, OTSBK_ALLOW_TEARDOWN: 'prod' });
    expect(r.code).toBe(0);
    expect(rules()).toHaveLength(0);
  });

  it('fails clearly without the webhook variable, and before the node is deployed', async () => {
    const { failed } = alertSpecs();
    let r = await run('apply', failed, devSettings, 'owner-1');
    expect(r.code).toBe(1);
    expect(r.lines.join('\n')).toContain(`node ${syncNodeSpec(dev).nodeName} does not exist`);
    await deployNode();
    r = await run('apply', failed, devSettings, 'owner-1', {});
    expect(r.code).toBe(1);
    expect(r.lines.join('\n')).toContain('takes its value from the environment variable OTSBK_ALERT_DINGTALK_WEBHOOK_DEV, which is not set');
    expect(rules()).toHaveLength(0);
  });

  it('a lost CreateAlertRule answer is detected before the create is resent: one rule', async () => {
    await deployNode();
    const { failed } = alertSpecs();
    sandbox.inject({ action: 'CreateAlertRule', fault: { kind: 'drop-after' } });
    expect((await run('apply', failed, devSettings, 'owner-1')).code).toBe(0);
    expect(rules()).toHaveLength(1);
  });
});

describe('the loopback server holds alert requests to the SDK contract', () => {
  const raw = async (action: string, method: 'GET' | 'POST', placed: { query?: Record<string, string>; body?: Record<string, string> }) => {
    const { port } = new URL(sandbox.endpoint);
    const credential = { getCredential: async () => ({ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET, type: 'access_key' }) };
    const api = new OpenApiClient(new Config({ credential: credential as never, endpoint: `127.0.0.1:${port}`, protocol: 'HTTP', regionId: 'cn-hangzhou' }));
    const params = new Params({ action, version: '2024-05-18', protocol: 'HTTP', pathname: '/', method, authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
    try {
      await api.callApi(params, new OpenApiRequest(placed), { autoretry: false } as never);
      return { status: 200, code: 'OK', message: '' };
    } catch (e) {
      const data = (e as { data?: { statusCode?: number; Code?: string; Message?: string } }).data ?? {};
      return { status: data.statusCode, code: data.Code, message: data.Message ?? '' };
    }
  };
  const valid = (taskId: bigint) => ({
    Name: 'r', Owner: '1933790683000000', Enabled: 'true',
    TriggerCondition: JSON.stringify({ Type: 'Error', Target: { Type: 'Task', Ids: [Number(taskId)] } }),
    Notification: JSON.stringify({ Channels: ['Mail'], Receivers: [{ ReceiverType: 'TaskOwner' }] }),
  });

  it('refuses a wrong method, parameters in the body, unknown fields, a target that is not a deployed task', async () => {
    const taskId = await deployNode();
    expect(await raw('CreateAlertRule', 'POST', { body: valid(taskId) })).toMatchObject({ status: 400, code: 'InvalidParameter' });
    expect(await raw('GetAlertRule', 'POST', { body: { Id: '1' } })).toMatchObject({ status: 404, code: 'InvalidAction.NotFound' });
    expect(await raw('CreateAlertRule', 'POST', { query: { ...valid(taskId), TriggerCondition: JSON.stringify({ Type: 'Error', Target: { Type: 'Task', Ids: [42] } }) } }))
      .toMatchObject({ status: 400, message: expect.stringContaining('not a deployed scheduling task') });
    expect(await raw('CreateAlertRule', 'POST', { query: { ...valid(taskId), Notification: JSON.stringify({ Channels: ['Pager'], Receivers: [{ ReceiverType: 'TaskOwner' }] }) } }))
      .toMatchObject({ status: 400, message: expect.stringContaining('Notification.Channels') });
    expect(await raw('CreateAlertRule', 'POST', { query: { ...valid(taskId), Notification: JSON.stringify({ Channels: ['Mail'], Receivers: [{ ReceiverType: 'TaskOwner', Url: 'x' }] }) } }))
      .toMatchObject({ status: 400, message: expect.stringContaining('is not a parameter') });
    expect(await raw('CreateAlertRule', 'POST', { query: valid(taskId) })).toMatchObject({ status: 200 });
  });
});

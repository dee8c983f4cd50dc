import { TerraformStack, TerraformVariable, Testing, Token } from 'cdktf';
import { projectConfig } from '../../lib/config/environments';
import { resolvedTables } from '../../lib/config/tables';
import { EnvironmentConfig } from '../../lib/config/types';
import { OtsInstance } from '../../.gen/providers/alicloud/ots-instance';
import { OtsTable } from '../../.gen/providers/alicloud/ots-table';
import { ConfigurationError } from '../../lib/config/validate';
import { escapeForTerraform, SyncNode, TableStream, TimeseriesTable } from '../../lib/constructs/managed';

interface SynthResource {
  count: number;
  triggers_replace: Record<string, unknown>;
  input: Record<string, unknown>;
  lifecycle: { create_before_destroy: boolean };
  depends_on?: string[];
  provisioner: Array<{ 'local-exec': { command: string; when?: string; environment: Record<string, string> } }>;
}

function managedStack(env: EnvironmentConfig, workspaceId: (stack: TerraformStack) => string | number = () => '204871') {
  const app = Testing.app();
  const stack = new TerraformStack(app, env.name);
  const tables = resolvedTables(env);
  const data = tables.find(t => t.kind === 'wide-column')!;
  const series = tables.find(t => t.kind === 'timeseries')!;
  const stream = new TableStream(stack, 'data-table-stream', {
    environment: env.name, allowTeardown: env.allowTeardown, region: env.region, instanceName: data.instance.name,
    tableName: data.name, retentionHours: data.streamRetentionHours, streamOwnersTable: 'otsbk_sync_status_stream_owners', tablestoreEndpoint: `https://${data.instance.name}.${env.region}.ots.aliyuncs.com`,
  });
  const timeseries = new TimeseriesTable(stack, 'timeseries-table', {
    environment: env.name, allowTeardown: env.allowTeardown, region: env.region, instanceName: series.instance.name,
    enabled: series.enabled, tableName: series.name, timeToLiveSeconds: series.timeToLiveSeconds ?? -1,
  });
  const nodes = SyncNode.forEnvironment(stack, env, {
    workspaceId: workspaceId(stack),
    dependsOn: [stream.object.resource, timeseries.object.resource],
  });
  const json = JSON.parse(Testing.synth(stack)) as { resource: { terraform_data: Record<string, SynthResource> } };
  const resources = json.resource.terraform_data;
  const byRole = (role: string): SynthResource => {
    const key = Object.keys(resources).find(k => k.startsWith(`${role}_managed_resource_`));
    if (!key) throw new Error(`no terraform_data for ${role}`);
    return resources[key];
  };
  const address = (role: string) => `terraform_data.${Object.keys(resources).find(k => k.startsWith(`${role}_managed_resource_`))}`;
  return { json, resources, byRole, address, nodes, stack, app };
}

describe('synthesized managed objects of every environment', () => {
  for (const env of projectConfig.environments) {
    it(`${env.name}`, () => {
      const { resources, json } = managedStack(env);
      expect(Object.keys(resources).map(k => k.replace(/_managed_resource_[0-9A-F]{8}$/, '')).sort())
        .toEqual(['data-table-stream', 'sync-node-device_metrics', 'sync-node-device_readings', 'timeseries-table']);
      const text = JSON.stringify(json);
      expect(text).not.toMatch(/\/work\/|\/tmp\/|\/home\//);
      expect(text).not.toMatch(/ALIBABA_CLOUD_ACCESS_KEY|AccessKeySecret/i);
      for (const r of Object.values(resources)) {
        expect(r.lifecycle).toEqual({ create_before_destroy: true });
        expect(r.input).toMatchObject({ environment: env.name, allowTeardown: env.allowTeardown });
        const [create, destroy] = r.provisioner.map(p => p['local-exec']);
        expect(create.command).toMatch(/^node \.\.\/\.\.\/\.\.\/dist\/ops\.js apply (sync-node|table-stream|timeseries-table)$/);
        expect(destroy).toMatchObject({ when: 'destroy', command: create.command.replace(' apply ', ' destroy ') });
        expect(create.environment).toEqual({ OTSBK_OPS_SPEC: '${jsonencode(self.triggers_replace)}', OTSBK_OPS_SETTINGS: '${jsonencode(self.input)}', OTSBK_OPS_OWNER: '${self.id}' });
      }
      expect(resources).toMatchSnapshot();
    });
  }
});

describe('what Terraform sees', () => {
  const dev = projectConfig.environments.find(e => e.name === 'dev')!;

  it('escapes the scheduler\'s ${...} so Terraform keeps them literal', () => {
    const node = managedStack(dev).byRole('sync-node-device_readings');
    const flowSpec = node.triggers_replace.flowSpec as { spec: { nodes: Array<{ script: { content: string } }> } };
    const content = flowSpec.spec.nodes[0].script.content;
    expect(content).toContain('"startTimeString":"$${startTime}"');
    expect(content).not.toMatch(/(^|[^$])\$\{/);
    expect(escapeForTerraform({ a: ['x ${y} %{z}'], b: 1 })).toEqual({ a: ['x $${y} %%{z}'], b: 1 });
  });

  it('keeps a disabled object as count 0, and renders a created workspace id as a reference', () => {
    const noTimeseries: EnvironmentConfig = { ...dev, tablestore: { ...dev.tablestore, tables: dev.tablestore.tables.map(t => (t.kind === 'timeseries' ? { ...t, enabled: false } : t)) } };
    const { byRole } = managedStack(noTimeseries, stack => Token.asNumber(new TerraformVariable(stack, 'workspace_id', { type: 'number' }).value));
    expect(byRole('sync-node-device_metrics').count).toBe(0);
    expect(byRole('timeseries-table').count).toBe(0);
    expect(byRole('sync-node-device_readings').count).toBe(1);
    expect(byRole('sync-node-device_readings').triggers_replace.projectId).toBe('${var.workspace_id}');
  });

  it('orders the nodes after the Stream and the time series table', () => {
    const { byRole, address } = managedStack(dev);
    expect(byRole('sync-node-device_readings').depends_on).toEqual([address('data-table-stream'), address('timeseries-table')]);
  });
});

describe('construction-time validation', () => {
  const stack = () => new TerraformStack(Testing.app(), 's');
  const common = { environment: 'dev', allowTeardown: true, region: 'cn-hangzhou', instanceName: 'otsbk-dev', streamOwnersTable: 'owners' };

  it('skips the checks on values only known at apply time (tokens)', () => {
    const s = stack();
    const instance = new OtsInstance(s, 'instance', { name: 'otsbk-dev', instanceType: 'Capacity' });
    const table = new OtsTable(s, 'table', { instanceName: instance.name, tableName: 'events', primaryKey: [{ name: 'id', type: 'String' }], maxVersion: 1, timeToLive: -1 });
    const retention = new TerraformVariable(s, 'retention', { type: 'number' });
    new TableStream(s, 'st', { ...common, instanceName: instance.name, tableName: table.tableName, retentionHours: retention.numberValue });
    new TimeseriesTable(s, 'ts', { ...common, instanceName: instance.name, tableName: 'metrics', timeToLiveSeconds: retention.numberValue });
    const spec = JSON.parse(Testing.synth(s)).resource.terraform_data;
    const stream = Object.entries(spec).find(([k]) => k.startsWith('st_managed_resource_'))![1] as SynthResource;
    expect(stream.triggers_replace).toMatchObject({ instanceName: '${alicloud_ots_instance.instance.name}', tableName: '${alicloud_ots_table.table.table_name}', retentionHours: '${var.retention}' });
  });

  it('throws one error class for props and configuration problems', () => {
    expect(() => new TableStream(stack(), 'st', { ...common, tableName: 't', retentionHours: 0 })).toThrow(ConfigurationError);
  });

  it('names the construct, the prop and the rule', () => {
    expect(() => new TableStream(stack(), 'st', { ...common, tableName: 't', retentionHours: 0 }))
      .toThrow('TableStream s/st: retentionHours: must be a whole number of hours from 1 to 168, got 0');
    expect(() => new TableStream(stack(), 'st', { ...common, tableName: 't', retentionHours: 24, region: 'Hangzhou' }))
      .toThrow('TableStream s/st: region: "Hangzhou" is not a known Alibaba Cloud region with OSS, Tablestore and DataWorks');
    expect(() => new TimeseriesTable(stack(), 'ts', { ...common, tableName: 'm', timeToLiveSeconds: 3600 }))
      .toThrow('TimeseriesTable s/ts: timeToLiveSeconds: must be -1 (keep forever) or a whole number of seconds ≥ 86400, got 3600');
    expect(() => new TimeseriesTable(stack(), 'ts', { ...common, tableName: 'bad-name', timeToLiveSeconds: -1 }))
      .toThrow('TimeseriesTable s/ts: tableName: "bad-name" is invalid: must match ^[a-zA-Z_][a-zA-Z0-9_]{0,254}$');
    expect(() => new SyncNode(stack(), 'n', { ...common, workspaceId: 'ws-1', definition: undefined }))
      .toThrow('SyncNode s/n: definition: is required for an enabled node');
    const dev = projectConfig.environments.find(e => e.name === 'dev')!;
    expect(() => SyncNode.forEnvironment(stack(), dev, { workspaceId: 'otsbk_dev' }))
      .toThrow('SyncNode s/sync-node-device_readings: workspaceId: "otsbk_dev" is not a numeric DataWorks workspace id (nor a token of one)');
    expect(() => new TableStream(stack(), 'st', { ...common, environment: 'Prod!', tableName: 't', retentionHours: 24 }))
      .toThrow('ManagedObject s/st/managed: environment: "Prod!" is invalid: must match ^[a-z][a-z0-9-]{0,19}$');
  });
});

/**
 * End to end (see terraform-harness.ts): the lifecycle of the managed objects of an environment that allows
 * teardown, and the bundled command killed mid-apply.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { environment, PROJECT_ID, syncNodeSpec } from '../ops/helpers';
import { childEnv, config, describeIfTerraform, mutating, nodes, ok, streamDetails, synth, terraform, terraformHarness, timeseriesTtl } from './terraform-harness';

const h = terraformHarness();
beforeEach(() => h.startServers());
afterEach(() => h.stopServers());

describeIfTerraform('terraform lifecycle of the managed objects', () => {
  it('create → no-op → update in place → destroy → recreate', async () => {
    let dir = synth(h, config('dev'));
    await ok(h, dir, ['init']);
    await ok(h, dir, ['apply', '-auto-approve']);
    const created = nodes(h);
    expect(created.map(n => [n.name, n.deployed])).toEqual([['otsbk_dev_sync_device_readings', true], ['otsbk_dev_sync_device_metrics', true]]);
    const firstStream = await streamDetails(h);
    expect([firstStream.enableStream, firstStream.expirationTime]).toEqual([true, 24]);
    expect(await timeseriesTtl(h)).toBe(-1);

    // No change: the plan is empty and an apply runs nothing.
    expect((await terraform(h, dir, ['plan', '-detailed-exitcode'])).code).toBe(0);
    const before = mutating(h);
    expect(await ok(h, dir, ['apply', '-auto-approve'])).toContain('0 added, 0 changed, 0 destroyed');
    expect(mutating(h)).toBe(before);

    // Changed retention, TTL and schedule: replaced in Terraform, updated in place in the cloud.
    dir = synth(h, config('dev', { retention: 72, ttl: 30 * 86400, rerunTimes: 5 }));
    const out = await ok(h, dir, ['apply', '-auto-approve']);
    expect(out).toContain('4 added, 0 changed, 4 destroyed');
    expect(nodes(h).map(n => n.id)).toEqual(created.map(n => n.id));
    const updated = await streamDetails(h);
    expect([updated.enableStream, updated.expirationTime, updated.streamId]).toEqual([true, 72, firstStream.streamId]);
    expect(await timeseriesTtl(h)).toBe(30 * 86400);
    expect(h.dataworks.requests.filter(r => r.action === 'DeleteNode')).toHaveLength(0);
    expect(h.tablestore.stats.requests.DeleteTimeseriesTable ?? 0).toBe(0);
    const node = h.dataworks.state.nodeByName(PROJECT_ID, 'otsbk_dev_sync_device_readings')!;
    expect((node.spec.spec as { nodes: Array<{ rerunTimes: number }> }).nodes[0].rerunTimes).toBe(5);
    expect(node.deployedVersion).toBe(node.version);

    // Destroy removes all three kinds.
    await ok(h, dir, ['destroy', '-auto-approve']);
    expect(nodes(h)).toEqual([]);
    expect((await streamDetails(h))?.enableStream ?? false).toBe(false);
    expect(await timeseriesTtl(h)).toBeUndefined();

    // Recreate.
    await ok(h, dir, ['apply', '-auto-approve']);
    expect(nodes(h).map(n => n.deployed)).toEqual([true, true]);
    expect(nodes(h)[0].id).not.toBe(created[0].id);
    expect((await streamDetails(h)).enableStream).toBe(true);
    expect(await timeseriesTtl(h)).toBe(30 * 86400);
  });
});

describeIfTerraform('the bundled command as a process', () => {
  it('killed between CreateNode and the deployment, finishes on the next run without a second node', async () => {
    const spec = syncNodeSpec(environment('dev'));
    const env = childEnv(h, {
      OTSBK_OPS_SPEC: JSON.stringify(spec),
      OTSBK_OPS_SETTINGS: JSON.stringify({ environment: 'dev', allowTeardown: true }),
      OTSBK_OPS_OWNER: '3f0dcfd8-df3b-82e8-d8b8-d08088065f26',
    });
    const start = (): { child: ChildProcess; done: Promise<number | null> } => {
      const child = spawn(process.execPath, [path.join(h.root, 'dist/ops.js'), 'apply', 'sync-node'], { env, stdio: 'ignore' });
      return { child, done: new Promise(resolve => child.on('exit', code => resolve(code))) };
    };
    const first = start();
    h.dataworks.onRequest(action => {
      if (action === 'CreatePipelineRun') first.child.kill('SIGKILL');
    });
    h.dataworks.inject({ action: 'CreatePipelineRun', fault: { kind: 'drop-before' } });
    expect(await first.done).toBeNull();
    expect(nodes(h)).toEqual([expect.objectContaining({ deployed: false })]);
    h.dataworks.onRequest(undefined);

    const second = start();
    expect(await second.done).toBe(0);
    expect(nodes(h)).toEqual([expect.objectContaining({ deployed: true })]);
    expect(h.dataworks.requests.filter(r => r.action === 'CreateNode')).toHaveLength(1);
  });
});

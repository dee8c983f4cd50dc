/**
 * Create-or-update-and-deploy, and undeploy-and-delete, of a scheduled sync node.
 *
 * apply (idempotent, resumes after any crash):
 *   1. find the node by name (names are unique per workspace), else CreateNode — a CreateNode whose answer was
 *      lost is detected by the client, which looks the name up before resending;
 *   2. if the live node's ownership marker is not exactly (desired spec hash, this Terraform object), UpdateNode
 *      with the fields that differ from the live node (UpdateNode is incremental, node-update.ts);
 *   3. unless the newest successful deployment process already deployed exactly this version (same marker),
 *      deploy it (Online), resuming or cancelling any deployment process an earlier, interrupted run left.
 *   A crash anywhere leaves a node the next apply finds by name and finishes.
 *
 * destroy deletes only a node this Terraform object still owns (marker owner = this object's id): when Terraform
 * replaces the object for a spec change, the new object's apply has already taken ownership, and the old
 * object's destroy leaves the node alone. A deployed node is undeployed (Offline) before DeleteNode.
 */
import { DataWorksClient } from '../dataworks/client';
import { deployNode, isDeployedWith } from '../dataworks/deploy';
import { NodeFlowSpec } from '../dataworks/flowspec';
import { flowSpecHash, markedFlowSpec, markerOfSpecText } from '../dataworks/marker';
import { nodeUpdateSpec } from '../dataworks/node-update';
import { dataWorksClient, deployOptions, OpsContext } from './context';
import { OperationSettings, SyncNodeSpec } from './specs';
import { assertTeardownAllowed } from './teardown';

export async function applySyncNode(ctx: OpsContext, spec: SyncNodeSpec, owner: string): Promise<void> {
  const client = dataWorksClient(ctx, spec.region);
  const hash = flowSpecHash(spec.flowSpec);
  const desired = markedFlowSpec(spec.flowSpec, owner);
  const existing = await client.findNodeByName(spec.projectId, spec.nodeName);
  let nodeId: string;
  if (existing) {
    nodeId = existing.id;
  } else {
    nodeId = await client.createNode(spec.projectId, spec.nodeName, JSON.stringify(desired));
    ctx.log.info(`created node ${spec.nodeName} (id ${nodeId}) in workspace ${spec.projectId}`);
  }
  // A node found by name, or adopted after a CreateNode whose answer was lost, may hold another version.
  const { everDeployed, updated } = await converge(ctx, client, spec, nodeId, desired, hash, owner);
  const target = { projectId: spec.projectId, nodeId, nodeName: spec.nodeName, specHash: hash };
  // After an update that put back a console edit the marker is unchanged, so only a new deployment proves production runs it.
  if (everDeployed && !updated && await isDeployedWith(client, target, { spec: hash, owner })) {
    ctx.log.info(`node ${spec.nodeName} (id ${nodeId}) is already deployed with spec ${hash}`);
    return;
  }
  await deployNode(client, target, 'Online', deployOptions(ctx));
  ctx.log.info(`node ${spec.nodeName} (id ${nodeId}) is deployed with spec ${hash}`);
}

/**
 * Brings the node to the desired spec; says whether it has ever been deployed (it has a scheduling task) and
 * whether it had to be updated. A node whose marker is right but whose content was edited in the console (the
 * marker lives in the description, which such an edit keeps) is updated too.
 */
async function converge(ctx: OpsContext, client: DataWorksClient, spec: SyncNodeSpec, nodeId: string, desired: NodeFlowSpec, hash: string, owner: string): Promise<{ everDeployed: boolean; updated: boolean }> {
  const live = await client.getNode(spec.projectId, nodeId);
  const marker = markerOfSpecText(live.spec);
  const update = nodeUpdateSpec(live.spec, desired, nodeId);
  const everDeployed = live.taskId !== undefined;
  if (!update) {
    ctx.log.info(`node ${spec.nodeName} (id ${nodeId}) already holds spec ${hash}`);
    return { everDeployed, updated: false };
  }
  const applied = async () => {
    const now = (await client.getNode(spec.projectId, nodeId)).spec;
    return nodeUpdateSpec(now, desired, nodeId) === undefined;
  };
  await client.updateNode(spec.projectId, nodeId, JSON.stringify(update), applied);
  ctx.log.info(marker?.spec === hash && marker.owner === owner
    ? `put node ${spec.nodeName} (id ${nodeId}) back to spec ${hash}: it had been edited (${Object.keys(update.spec.nodes[0]).filter(k => k !== 'id').join(', ')})`
    : marker
      ? `updated node ${spec.nodeName} (id ${nodeId}) from spec ${marker.spec} to ${hash}`
      : `took over node ${spec.nodeName} (id ${nodeId}), which had no ownership marker, and set spec ${hash}`);
  return { everDeployed, updated: true };
}

export async function destroySyncNode(ctx: OpsContext, spec: SyncNodeSpec, settings: OperationSettings, owner: string): Promise<void> {
  const client = dataWorksClient(ctx, spec.region);
  const existing = await client.findNodeByName(spec.projectId, spec.nodeName);
  if (!existing) {
    ctx.log.info(`node ${spec.nodeName} does not exist in workspace ${spec.projectId}; nothing to delete`);
    return;
  }
  const live = await client.getNode(spec.projectId, existing.id);
  const marker = markerOfSpecText(live.spec);
  if (marker?.owner !== owner) {
    ctx.log.info(`node ${spec.nodeName} (id ${existing.id}) is owned by ${marker ? `Terraform object ${marker.owner}` : 'nobody (no marker)'}, not ${owner}: `
      + 'this is the old half of a replacement, or the node is not ours; leaving it');
    return;
  }
  ctx.log.info(`deleting node ${spec.nodeName} (id ${existing.id}): ${assertTeardownAllowed(settings, `sync node ${spec.nodeName}`, ctx.env)}`);
  if (live.taskId !== undefined) {
    await deployNode(client, { projectId: spec.projectId, nodeId: existing.id, nodeName: spec.nodeName }, 'Offline', deployOptions(ctx));
  }
  await client.deleteNode(spec.projectId, existing.id);
  ctx.log.info(`deleted node ${spec.nodeName} (id ${existing.id})`);
}

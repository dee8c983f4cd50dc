/**
 * Drift: `ops check <env>` reads every object the stack manages outside the provider (sync nodes, the Stream, the
 * time series table, alert rules), compares each with the desired state in the synthesized stack
 * (`cdktf.out/stacks/<env>/cdk.tf.json`: the `terraform_data` triggers carry the specs) and prints what differs.
 * It changes nothing. `ops repair <env>` then puts each drifted object back with the same apply the deploy runs,
 * under the Terraform owner the live object already names, so the stack keeps owning it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { lastDeployment } from '../dataworks/deploy';
import { flowSpecHash, markerOfSpecText, readMarker } from '../dataworks/marker';
import { alertRuleDifferences, alertRuleHash, applyAlertRule, baseRuleName, desiredAlertRule, findAlertRules } from './alert-rule-ops';
import { dataWorksClient, OpsContext } from './context';
import { differences } from './diff';
import { AlertRuleSpec, ManagedKind, ManagedSpec, OperationSettings, parseManagedSpec, parseOperationSettings, SpecError, SyncNodeSpec } from './specs';
import { applySyncNode } from './sync-node-ops';
import { applyTableStream, readTableStream } from './table-stream-ops';
import { applyTimeseriesTable, readTimeseriesTtl } from './timeseries-table-ops';

export interface StackObject {
  /** Terraform address, e.g. `terraform_data.sync-node-data-table_managed_resource_1A2B3C`. */
  readonly address: string;
  readonly spec: ManagedSpec;
  readonly settings: OperationSettings;
  /** `input` as the stack holds it: what the provisioners pass as OTSBK_OPS_SETTINGS. */
  readonly input: Readonly<Record<string, unknown>>;
}

export interface ObjectCheck {
  readonly address: string;
  readonly kind: ManagedKind;
  /** What the object is, e.g. `sync node otsbk_dev_sync_device_readings`. */
  readonly name: string;
  readonly status: 'ok' | 'drift' | 'missing';
  readonly differences: readonly string[];
  /** What was not compared and why (e.g. a receiver whose secret is not in this shell). */
  readonly notes: readonly string[];
  /** The Terraform object id the live object names as owner (nodes, alert rules, Streams), for repair. */
  readonly liveOwner?: string;
}

export interface CheckOptions {
  /** `cdk.tf.json` of the stack; default `cdktf.out/stacks/<env>/cdk.tf.json` under the working directory. */
  readonly stackFile?: string;
  /** Workspace id when the stack creates the workspace (its id is then a Terraform reference, known to the state only). */
  readonly projectId?: string;
  readonly cwd?: string;
}

/** Undoes escapeForTerraform: `$${` → `${`, `%%{` → `%{`. */
function unescapeTerraform(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  if (Array.isArray(value)) return value.map(unescapeTerraform);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescapeTerraform(v)]));
  return value;
}

/** The managed objects an environment's synthesized stack declares (count 0 ones excluded: not configured). */
export function readStackObjects(environment: string, options: CheckOptions = {}): StackObject[] {
  const file = options.stackFile ?? resolve(options.cwd ?? process.cwd(), 'cdktf.out', 'stacks', environment, 'cdk.tf.json');
  if (!existsSync(file)) throw new SpecError(`${file} does not exist: synthesize the stacks first (npm run synth)`);
  let stack: { resource?: { terraform_data?: Record<string, { count?: number; triggers_replace?: Record<string, unknown>; input?: Record<string, unknown> }> } };
  try {
    stack = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SpecError(`${file} is not JSON: ${(e as Error).message}`);
  }
  const objects: StackObject[] = [];
  for (const [name, resource] of Object.entries(stack.resource?.terraform_data ?? {})) {
    if (resource.count === 0 || !resource.triggers_replace) continue;
    const raw = unescapeTerraform(resource.triggers_replace) as Record<string, unknown>;
    if (typeof raw.projectId === 'string' && raw.projectId.startsWith('${')) {
      if (!options.projectId) {
        throw new SpecError(`${name}: the workspace id is ${raw.projectId}, created by the stack and known only to its Terraform state; `
          + 'pass it with --project-id <id> (terraform output, or the DataWorks console)');
      }
      raw.projectId = options.projectId;
    }
    objects.push({
      address: `terraform_data.${name}`,
      spec: parseManagedSpec(JSON.stringify(raw), raw.kind as ManagedKind),
      settings: parseOperationSettings(JSON.stringify(resource.input ?? {})),
      input: resource.input ?? {},
    });
  }
  if (objects.length === 0) throw new SpecError(`${file} declares no managed objects`);
  return objects;
}

export async function checkObject(ctx: OpsContext, object: StackObject): Promise<ObjectCheck> {
  const { spec, settings, address } = object;
  switch (spec.kind) {
    case 'sync-node':
      return checkSyncNode(ctx, address, spec);
    case 'table-stream': {
      const name = `Stream of table ${spec.tableName}`;
      const live = await readTableStream(ctx, spec, settings);
      if (!live) return { address, kind: spec.kind, name, status: 'missing', differences: [`table ${spec.tableName} does not exist`], notes: [] };
      const diffs = differences({ enabled: true, retentionHours: spec.retentionHours }, { enabled: live.enabled, retentionHours: live.retentionHours });
      return { address, kind: spec.kind, name, status: diffs.length ? 'drift' : 'ok', differences: diffs, notes: [], liveOwner: live.owner };
    }
    case 'timeseries-table': {
      const name = `time series table ${spec.tableName}`;
      const ttl = await readTimeseriesTtl(ctx, spec, settings);
      if (ttl === undefined) return { address, kind: spec.kind, name, status: 'missing', differences: ['the table does not exist'], notes: [] };
      const diffs = differences({ timeToLiveSeconds: spec.timeToLiveSeconds }, { timeToLiveSeconds: ttl });
      return { address, kind: spec.kind, name, status: diffs.length ? 'drift' : 'ok', differences: diffs, notes: [] };
    }
    case 'alert-rule':
      return checkAlertRule(ctx, address, spec);
  }
}

async function checkSyncNode(ctx: OpsContext, address: string, spec: SyncNodeSpec): Promise<ObjectCheck> {
  const name = `sync node ${spec.nodeName}`;
  const base = { address, kind: spec.kind, name };
  const client = dataWorksClient(ctx, spec.region);
  const found = await client.findNodeByName(spec.projectId, spec.nodeName);
  if (!found) return { ...base, status: 'missing', differences: [`no node named ${spec.nodeName} in workspace ${spec.projectId}`], notes: [] };
  const live = await client.getNode(spec.projectId, found.id);
  const marker = markerOfSpecText(live.spec);
  const hash = flowSpecHash(spec.flowSpec);
  const diffs: string[] = [];
  let liveNode: Record<string, unknown> = {};
  try {
    liveNode = (JSON.parse(live.spec) as { spec: { nodes: Array<Record<string, unknown>> } }).spec.nodes[0] ?? {};
  } catch {
    diffs.push('the node holds a spec that is not JSON');
  }
  const { id: _id, description, ...desiredNode } = spec.flowSpec.spec.nodes[0] as unknown as Record<string, unknown>;
  diffs.push(...differences(desiredNode, liveNode));
  const liveDescription = typeof liveNode.description === 'string' ? liveNode.description.replace(/\s*\[otsbk spec=[^\]]*\]\s*$/, '') : liveNode.description;
  diffs.push(...differences({ description }, { description: liveDescription }));
  if (!marker) diffs.push('the node has no ownership marker: it was not deployed by this stack, or its description was edited');
  else if (marker.spec !== hash) diffs.push(`the node holds spec ${marker.spec}, the stack wants ${hash} (a configuration change not deployed yet?)`);
  // What production runs: the spec the last successful deployment packaged, against the desired one.
  const deployed = live.taskId === undefined ? undefined : await lastDeployment(client, { projectId: spec.projectId, nodeId: found.id, nodeName: spec.nodeName });
  if (!deployed) diffs.push('the node was never deployed to production');
  else if (deployed.type === 'Offline') diffs.push('the node was undeployed from production');
  else {
    let packaged: unknown;
    try {
      packaged = (JSON.parse(deployed.spec ?? '') as { spec?: { nodes?: unknown[] } }).spec?.nodes?.[0];
    } catch {
      packaged = undefined;
    }
    const stale = differences(desiredNode, packaged).map(d => `deployed version: ${d}`);
    const deployedMarker = markerOfSpecText(deployed.spec);
    if (deployedMarker?.spec !== hash) stale.push(`deployed version: holds spec ${deployedMarker?.spec ?? '(no marker)'}, the stack wants ${hash}`);
    diffs.push(...stale);
  }
  return { ...base, status: diffs.length ? 'drift' : 'ok', differences: diffs, notes: [], liveOwner: marker?.owner };
}

async function checkAlertRule(ctx: OpsContext, address: string, spec: AlertRuleSpec): Promise<ObjectCheck> {
  const name = `alert rule ${spec.ruleName}`;
  const base = { address, kind: spec.kind, name };
  const client = dataWorksClient(ctx, spec.region);
  const found = await findAlertRules(client, spec.ruleName);
  if (found.length === 0) return { ...base, status: 'missing', differences: [`no alert rule named ${spec.ruleName}`], notes: [] };
  const live = await client.getAlertRule(found[0].id);
  const marker = readMarker(live.name);
  const unresolved: string[] = [];
  const { Name: _name, ...desired } = await desiredAlertRule(ctx, client, spec, marker?.owner ?? 'unknown', unresolved);
  const diffs = alertRuleDifferences(live, desired, ctx.log.redact);
  if (found.length > 1) diffs.push(`${found.length} rules are named ${spec.ruleName} (ids ${found.map(r => r.id).join(', ')})`);
  if (baseRuleName(live.name) !== spec.ruleName) diffs.push(`name: desired ${spec.ruleName}, live ${live.name}`);
  if (!marker) diffs.push('the rule has no ownership marker in its name');
  else if (marker.spec !== alertRuleHash(spec)) diffs.push(`the rule holds spec ${marker.spec}, the stack wants ${alertRuleHash(spec)} (a configuration change not deployed yet?)`);
  const notes = unresolved.map(v => `receiver values from ${v} not compared: the variable is not set in this shell`);
  return { ...base, status: diffs.length ? 'drift' : 'ok', differences: diffs, notes, liveOwner: marker?.owner };
}

/**
 * Puts a drifted or missing object back with the apply the deploy runs. Nodes, alert rules and Streams are applied
 * under the owner their live marker (or the Stream owners table) names, the Terraform object that owns them, so a
 * later destroy still deletes them; without one there is no owner to keep, and repair refuses (replace the
 * Terraform object instead).
 */
export async function repairObject(ctx: OpsContext, object: StackObject, check: ObjectCheck): Promise<void> {
  const { spec, settings } = object;
  switch (spec.kind) {
    case 'timeseries-table':
      return applyTimeseriesTable(ctx, spec, settings);
    case 'table-stream':
    case 'sync-node':
    case 'alert-rule':
      if (!check.liveOwner) {
        throw new Error(`${check.name} ${check.status === 'missing' ? 'is missing' : 'names no owner'}: repair cannot tell which Terraform object owns it. `
          + `Recreate it with: terraform -chdir=cdktf.out/stacks/${settings.environment} apply -replace='${object.address}[0]'`);
      }
      if (spec.kind === 'table-stream') return applyTableStream(ctx, spec, settings, check.liveOwner);
      return spec.kind === 'sync-node' ? applySyncNode(ctx, spec, check.liveOwner) : applyAlertRule(ctx, spec, check.liveOwner);
  }
}

/** Readable report lines for a set of checks. */
export function renderChecks(environment: string, checks: readonly ObjectCheck[]): string[] {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${c.status === 'ok' ? 'ok     ' : c.status === 'missing' ? 'MISSING' : 'DRIFT  '} ${c.name}  (${c.address})`);
    for (const d of c.differences) lines.push(`          ${d}`);
    for (const n of c.notes) lines.push(`          note: ${n}`);
  }
  const drifted = checks.filter(c => c.status !== 'ok').length;
  lines.push(drifted === 0
    ? `${checks.length} objects of environment ${environment} match the synthesized stack`
    : `${drifted} of ${checks.length} objects of environment ${environment} differ from the synthesized stack; put them back with: node dist/ops.js repair ${environment}`);
  return lines;
}

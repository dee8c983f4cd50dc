/**
 * Create-or-update and delete of a DataWorks custom alert rule watching a sync node's scheduling task
 * (CreateAlertRule / UpdateAlertRule / ListAlertRules / GetAlertRule / DeleteAlertRule, 2024-05-18).
 *
 * The rule name carries the same ownership marker as the node description: `<rule> [otsbk spec=<hash> owner=<id>]`.
 * apply finds the rule by its base name (whatever marker it has), and updates it to the whole desired state,
 * new marker included, unless it already holds it; destroy deletes only a rule whose marker names this Terraform
 * object, so the old half of a replacement leaves the rule the new half just updated.
 *
 * Receivers whose values are secrets (webhook URLs carry an access token) are not in the spec: it names the
 * environment variable holding them (`ReceiverValuesFromEnvironment`), read here and never logged.
 */
import { AlertRule, DataWorksClient } from '../dataworks/client';
import { specHash } from '../dataworks/json';
import { readMarker } from '../dataworks/marker';
import { dataWorksClient, OpsContext } from './context';
import { differences } from './diff';
import { AlertReceiverSpec, AlertRuleSpec, OperationSettings } from './specs';
import { assertTeardownAllowed } from './teardown';

/** The rule as CreateAlertRule / UpdateAlertRule take it, with the node's task and the receivers' secrets filled in. */
export interface DesiredAlertRule {
  readonly Name: string;
  readonly Owner: string;
  readonly Enabled: boolean;
  readonly TriggerCondition: Record<string, unknown>;
  readonly Notification: Record<string, unknown>;
}

export function alertRuleHash(spec: AlertRuleSpec): string {
  return specHash(spec).slice(0, 16);
}

export function markedRuleName(spec: AlertRuleSpec, owner: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(owner)) throw new Error(`owner "${owner}" is not a Terraform object id`);
  return `${spec.ruleName} [otsbk spec=${alertRuleHash(spec)} owner=${owner}]`;
}

/** The rule name without its marker. */
export function baseRuleName(name: string): string {
  return name.replace(/\s*\[otsbk spec=[0-9a-f]{16} owner=[A-Za-z0-9-]+\]\s*$/, '');
}

function resolveReceiver(ctx: OpsContext, spec: AlertRuleSpec, r: AlertReceiverSpec, unresolved?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ReceiverType: r.ReceiverType };
  if (r.ReceiverValuesFromEnvironment) {
    const raw = ctx.env[r.ReceiverValuesFromEnvironment];
    if ((raw === undefined || raw.trim() === '') && unresolved) {
      unresolved.push(r.ReceiverValuesFromEnvironment);
      if (r.Extension !== undefined) out.Extension = r.Extension;
      return out;
    }
    if (raw === undefined || raw.trim() === '') {
      throw new Error(`alert rule ${spec.ruleName}: receiver ${r.ReceiverType} takes its value from the environment variable ${r.ReceiverValuesFromEnvironment}, which is not set `
        + '(set it in the shell that runs cdktf; it is never written into the stack)');
    }
    const values = raw.split(',').map(v => v.trim()).filter(Boolean);
    for (const v of values) ctx.log.addSecret(v);
    out.ReceiverValues = values;
  } else if (r.ReceiverValues) {
    out.ReceiverValues = r.ReceiverValues;
  }
  if (r.Extension !== undefined) out.Extension = r.Extension;
  return out;
}

/** The scheduling task the rule watches: the node's, once deployed. */
async function nodeTaskId(client: DataWorksClient, spec: AlertRuleSpec): Promise<number> {
  const node = await client.findNodeByName(spec.projectId, spec.nodeName);
  if (!node) throw new Error(`alert rule ${spec.ruleName}: node ${spec.nodeName} does not exist in workspace ${spec.projectId}; the rule watches its scheduling task, so the node must be deployed first`);
  const id = Number(node.taskId);
  if (node.taskId === undefined || !Number.isSafeInteger(id)) {
    throw new Error(`alert rule ${spec.ruleName}: node ${spec.nodeName} (id ${node.id}) has no scheduling task yet: it has never been deployed`);
  }
  return id;
}

/**
 * The whole desired rule. With `unresolved`, a receiver whose environment variable is not set is left without
 * values (and its variable listed there) instead of failing: `check` then compares everything else.
 */
export async function desiredAlertRule(ctx: OpsContext, client: DataWorksClient, spec: AlertRuleSpec, owner: string, unresolved?: string[]): Promise<DesiredAlertRule> {
  const taskId = await nodeTaskId(client, spec);
  return {
    Name: markedRuleName(spec, owner),
    Owner: spec.owner,
    Enabled: spec.enabled,
    TriggerCondition: { Type: spec.triggerCondition.Type, Target: { Type: 'Task', Ids: [taskId] }, ...(spec.triggerCondition.Extension ? { Extension: spec.triggerCondition.Extension } : {}) },
    Notification: { ...spec.notification, Receivers: spec.notification.Receivers.map(r => resolveReceiver(ctx, spec, r, unresolved)) },
  };
}

/** Rules whose name, without marker, is the spec's rule name. */
export async function findAlertRules(client: DataWorksClient, ruleName: string): Promise<AlertRule[]> {
  return (await client.listAlertRulesAll({ name: ruleName })).filter(r => baseRuleName(r.name) === ruleName);
}

/** Where the live rule differs from the desired one (see diff.ts). */
export function alertRuleDifferences(live: AlertRule, desired: Partial<DesiredAlertRule>, redact: (s: string) => string = s => s): string[] {
  const liveView = { Name: live.name, Owner: live.owner, Enabled: live.enabled, TriggerCondition: live.triggerCondition, Notification: live.notification };
  return differences(desired, liveView, redact);
}

export async function applyAlertRule(ctx: OpsContext, spec: AlertRuleSpec, owner: string): Promise<void> {
  const client = dataWorksClient(ctx, spec.region);
  const desired = await desiredAlertRule(ctx, client, spec, owner);
  const found = await findAlertRules(client, spec.ruleName);
  if (found.length > 1) {
    throw new Error(`${found.length} alert rules are named ${spec.ruleName} (ids ${found.map(r => r.id).join(', ')}); delete the extra ones in the console (Operation Center → Rule Management), then deploy again`);
  }
  if (found.length === 0) {
    const id = await client.createAlertRule(desired);
    ctx.log.info(`created alert rule ${spec.ruleName} (id ${id}, ${spec.triggerCondition.Type}) on node ${spec.nodeName}`);
    return;
  }
  const live = await client.getAlertRule(found[0].id);
  const changed = alertRuleDifferences(live, desired, ctx.log.redact);
  if (changed.length === 0) {
    ctx.log.info(`alert rule ${spec.ruleName} (id ${live.id}) is up to date`);
    return;
  }
  await client.updateAlertRule(live.id, desired);
  const marker = readMarker(live.name);
  ctx.log.info(`updated alert rule ${spec.ruleName} (id ${live.id})${marker ? ` from spec ${marker.spec}` : ', which had no ownership marker,'} to ${alertRuleHash(spec)}: ${changed.length} field${changed.length === 1 ? '' : 's'} changed`);
}

export async function destroyAlertRule(ctx: OpsContext, spec: AlertRuleSpec, settings: OperationSettings, owner: string): Promise<void> {
  const client = dataWorksClient(ctx, spec.region);
  const found = await findAlertRules(client, spec.ruleName);
  if (found.length === 0) {
    ctx.log.info(`alert rule ${spec.ruleName} does not exist; nothing to delete`);
    return;
  }
  for (const rule of found) {
    const marker = readMarker(rule.name);
    if (marker?.owner !== owner) {
      ctx.log.info(`alert rule ${spec.ruleName} (id ${rule.id}) is owned by ${marker ? `Terraform object ${marker.owner}` : 'nobody (no marker)'}, not ${owner}: `
        + 'this is the old half of a replacement, or the rule is not ours; leaving it');
      continue;
    }
    ctx.log.info(`deleting alert rule ${spec.ruleName} (id ${rule.id}): ${assertTeardownAllowed(settings, `alert rule ${spec.ruleName}`, ctx.env)}`);
    await client.deleteAlertRule(rule.id);
    ctx.log.info(`deleted alert rule ${spec.ruleName} (id ${rule.id})`);
  }
}

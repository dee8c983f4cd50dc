/**
 * Custom monitoring alert rules of the loopback DataWorks server (CreateAlertRule, UpdateAlertRule, GetAlertRule,
 * ListAlertRules, DeleteAlertRule of the 2024-05-18 API). Rules belong to the account, not to a workspace: the
 * requests carry no ProjectId. Every structure is checked field by field against the request models of the
 * generated SDK (`CreateAlertRuleRequest*` in aliyun/alibabacloud-typescript-sdk, dataworks-public-20240518):
 * an unknown key, a value outside its documented range, or a target that is not a deployed task is refused,
 * as DataWorks would refuse it or silently ignore it (which would leave the alert unarmed).
 */
import { SandboxApiError } from './state';

export interface SandboxAlertRule {
  readonly id: number;
  name: string;
  owner: string;
  enabled: boolean;
  /** Parsed TriggerCondition as stored (Type, Target, Extension). */
  triggerCondition: Record<string, unknown>;
  notification: Record<string, unknown>;
}

/** TriggerCondition.Type values the API reference lists. */
export const ALERT_TYPES = [
  'Finished', 'UnFinished', 'Error', 'CycleUnfinished', 'Timeout', 'InstanceTransferComplete', 'InstanceTransferFluctuate',
  'ExhaustedError', 'InstanceKeyword', 'InstanceErrorCount', 'InstanceErrorPercentage', 'ResourceGroupPercentage', 'ResourceGroupWaitCount',
] as const;

/** Notification.Channels values (listed by the sibling CreateDataQualityAlertRule reference; assumption for CreateAlertRule). */
export const ALERT_CHANNELS = ['Dingding', 'Weixin', 'Mail', 'Sms', 'Phone', 'Webhook', 'Feishu'] as const;

/** Receivers[].ReceiverType values of the request model. */
export const RECEIVER_TYPES = ['AliUid', 'Shift Schedules', 'TaskOwner', 'Owner', 'WebhookUrl', 'DingdingUrl', 'FeishuUrl', 'WeixinUrl'] as const;

const TARGET_TYPES = ['Task', 'Baseline', 'Project', 'BizProcess'];

function bad(field: string, problem: string): never {
  throw new SandboxApiError(400, `InvalidParameter.${field.split('.')[0]}`, `${field} ${problem}`);
}

function object(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad(field, 'must be a JSON object');
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!keys.includes(k)) bad(`${field}.${k}`, `is not a parameter of ${field} (known: ${keys.join(', ')})`);
  return o;
}

function parseJson(text: string | undefined, field: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return bad(field, 'is not JSON (the SDK sends it json-encoded)');
  }
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) bad(field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return value as number;
}

function hhmm(value: unknown, field: string): void {
  const m = typeof value === 'string' ? /^(\d{2}):(\d{2})$/.exec(value) : null;
  if (!m || Number(m[1]) > 47 || Number(m[2]) > 59) bad(field, `must be hh:mm with hh 00-47 and mm 00-59, got ${JSON.stringify(value)}`);
}

/** Checks a TriggerCondition against the request model; `isTask` says whether an id is a deployed scheduling task. */
export function checkTriggerCondition(value: unknown, isTask: (id: number) => boolean): Record<string, unknown> {
  const t = object(value, 'TriggerCondition', ['Type', 'Target', 'Extension']);
  if (!(ALERT_TYPES as readonly unknown[]).includes(t.Type)) bad('TriggerCondition.Type', `must be one of ${ALERT_TYPES.join(', ')}, got ${JSON.stringify(t.Type)}`);
  const target = object(t.Target, 'TriggerCondition.Target', ['Type', 'Ids', 'AllowTasks']);
  if (!TARGET_TYPES.includes(target.Type as string)) bad('TriggerCondition.Target.Type', `must be one of ${TARGET_TYPES.join(', ')}`);
  if (!Array.isArray(target.Ids) || target.Ids.length === 0) bad('TriggerCondition.Target.Ids', 'must list the monitored objects');
  for (const id of target.Ids as unknown[]) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) bad('TriggerCondition.Target.Ids', `holds ${JSON.stringify(id)}, not a numeric id`);
    if (target.Type === 'Task' && !isTask(id as number)) bad('TriggerCondition.Target.Ids', `holds ${id}, which is not a deployed scheduling task`);
  }
  const ext = t.Extension === undefined ? {} : object(t.Extension, 'TriggerCondition.Extension',
    ['CycleUnfinished', 'Error', 'InstanceErrorCount', 'InstanceErrorPercentage', 'InstanceTransferFluctuate', 'Timeout', 'UnFinished']);
  if (ext.Error !== undefined) {
    const e = object(ext.Error, 'TriggerCondition.Extension.Error', ['AutoRerunAlertEnabled', 'StreamTaskIds']);
    if (e.AutoRerunAlertEnabled !== undefined && typeof e.AutoRerunAlertEnabled !== 'boolean') bad('TriggerCondition.Extension.Error.AutoRerunAlertEnabled', 'must be a boolean');
  }
  if (t.Type === 'CycleUnfinished') {
    if (ext.CycleUnfinished === undefined) bad('TriggerCondition.Extension.CycleUnfinished', 'is required for a CycleUnfinished alert');
    const c = object(ext.CycleUnfinished, 'TriggerCondition.Extension.CycleUnfinished', ['CycleAndTime']);
    if (!Array.isArray(c.CycleAndTime) || c.CycleAndTime.length === 0) bad('TriggerCondition.Extension.CycleUnfinished.CycleAndTime', 'must list at least one cycle');
    const seen = new Set<number>();
    for (const [i, raw] of (c.CycleAndTime as unknown[]).entries()) {
      const f = `TriggerCondition.Extension.CycleUnfinished.CycleAndTime[${i}]`;
      const ct = object(raw, f, ['CycleId', 'Time']);
      const id = integer(ct.CycleId, `${f}.CycleId`, 1, 288);
      if (seen.has(id)) bad(`${f}.CycleId`, `${id} is listed twice`);
      seen.add(id);
      hhmm(ct.Time, `${f}.Time`);
    }
  }
  if (t.Type === 'Timeout') {
    const to = object(ext.Timeout, 'TriggerCondition.Extension.Timeout', ['TimeoutInMinutes']);
    integer(to.TimeoutInMinutes, 'TriggerCondition.Extension.Timeout.TimeoutInMinutes', 1, 21600);
  }
  if (t.Type === 'UnFinished') hhmm(object(ext.UnFinished, 'TriggerCondition.Extension.UnFinished', ['UnFinishedTime']).UnFinishedTime, 'TriggerCondition.Extension.UnFinished.UnFinishedTime');
  return t;
}

export function checkNotification(value: unknown): Record<string, unknown> {
  const n = object(value, 'Notification', ['Channels', 'IntervalInMinutes', 'Maximum', 'Receivers', 'SilenceEndTime', 'SilenceStartTime']);
  if (!Array.isArray(n.Channels) || n.Channels.length === 0) bad('Notification.Channels', 'is required and must not be empty');
  for (const c of n.Channels as unknown[]) if (!(ALERT_CHANNELS as readonly unknown[]).includes(c)) bad('Notification.Channels', `holds ${JSON.stringify(c)}, not one of ${ALERT_CHANNELS.join(', ')}`);
  if (n.IntervalInMinutes !== undefined) integer(n.IntervalInMinutes, 'Notification.IntervalInMinutes', 5, 10000);
  if (n.Maximum !== undefined) integer(n.Maximum, 'Notification.Maximum', 1, 10000);
  if (!Array.isArray(n.Receivers) || n.Receivers.length === 0) bad('Notification.Receivers', 'is required and must not be empty');
  for (const [i, raw] of (n.Receivers as unknown[]).entries()) {
    const f = `Notification.Receivers[${i}]`;
    const r = object(raw, f, ['ReceiverType', 'ReceiverValues', 'Extension']);
    if (!(RECEIVER_TYPES as readonly unknown[]).includes(r.ReceiverType)) bad(`${f}.ReceiverType`, `must be one of ${RECEIVER_TYPES.join(', ')}, got ${JSON.stringify(r.ReceiverType)}`);
    if (r.ReceiverValues !== undefined && (!Array.isArray(r.ReceiverValues) || r.ReceiverValues.some(v => typeof v !== 'string' || v === ''))) bad(`${f}.ReceiverValues`, 'must be a list of non-empty strings');
    if (/Url$/.test(String(r.ReceiverType))) {
      const urls = (r.ReceiverValues ?? []) as string[];
      if (urls.length === 0) bad(`${f}.ReceiverValues`, `must hold the ${String(r.ReceiverType)} webhook URL`);
      for (const u of urls) if (!/^https:\/\/\S+$/.test(u)) bad(`${f}.ReceiverValues`, 'must be https webhook URLs');
    }
    if (r.ReceiverType === 'AliUid' && (!Array.isArray(r.ReceiverValues) || r.ReceiverValues.length === 0)) bad(`${f}.ReceiverValues`, 'must list the account ids to notify');
    if (r.Extension !== undefined && typeof r.Extension !== 'string') bad(`${f}.Extension`, 'must be a string (e.g. {"atAll":true})');
  }
  if (n.SilenceStartTime !== undefined) hhmm(n.SilenceStartTime, 'Notification.SilenceStartTime');
  if (n.SilenceEndTime !== undefined) hhmm(n.SilenceEndTime, 'Notification.SilenceEndTime');
  return n;
}

function booleanParameter(value: string | undefined, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') bad(field, `must be true or false, got ${JSON.stringify(value)}`);
  return value === 'true';
}

const MAX_NAME = 128;

export class AlertRuleStore {
  readonly rules = new Map<number, SandboxAlertRule>();
  private nextId = 105412;

  constructor(private readonly isTask: (id: number) => boolean) {}

  private checkName(name: string | undefined, except?: number): string {
    if (name === undefined || name === '') bad('Name', 'is required');
    if ((name as string).length > MAX_NAME) bad('Name', `must be at most ${MAX_NAME} characters`);
    if ([...this.rules.values()].some(r => r.name === name && r.id !== except)) throw new SandboxApiError(400, 'AlertRule.NameExists', `an alert rule named ${name} already exists`);
    return name as string;
  }

  create(p: Readonly<Record<string, string>>): SandboxAlertRule {
    const name = this.checkName(p.Name);
    if (!p.Owner || !/^\d+$/.test(p.Owner)) bad('Owner', 'is required: the Alibaba Cloud account id (digits) owning the rule');
    const enabled = booleanParameter(p.Enabled, 'Enabled');
    if (enabled === undefined) bad('Enabled', 'is required');
    if (p.TriggerCondition === undefined) bad('TriggerCondition', 'is required');
    if (p.Notification === undefined) bad('Notification', 'is required for a rule that alerts anyone');
    const rule: SandboxAlertRule = {
      id: this.nextId++,
      name,
      owner: p.Owner,
      enabled: enabled as boolean,
      triggerCondition: checkTriggerCondition(parseJson(p.TriggerCondition, 'TriggerCondition'), this.isTask),
      notification: checkNotification(parseJson(p.Notification, 'Notification')),
    };
    this.rules.set(rule.id, rule);
    return rule;
  }

  get(idText: string | undefined): SandboxAlertRule {
    const id = Number(idText);
    if (!idText || !Number.isSafeInteger(id)) bad('Id', `${JSON.stringify(idText)} is not a rule id`);
    const rule = this.rules.get(id);
    if (!rule) throw new SandboxApiError(404, 'AlertRule.NotFound', `alert rule ${idText} does not exist`);
    return rule;
  }

  /** Fields present in the request replace the stored ones. */
  update(p: Readonly<Record<string, string>>): void {
    const rule = this.get(p.Id);
    const triggerCondition = p.TriggerCondition === undefined ? undefined : checkTriggerCondition(parseJson(p.TriggerCondition, 'TriggerCondition'), this.isTask);
    const notification = p.Notification === undefined ? undefined : checkNotification(parseJson(p.Notification, 'Notification'));
    const enabled = booleanParameter(p.Enabled, 'Enabled');
    if (p.Owner !== undefined && !/^\d+$/.test(p.Owner)) bad('Owner', 'must be an account id (digits)');
    if (p.Name !== undefined) rule.name = this.checkName(p.Name, rule.id);
    if (p.Owner !== undefined) rule.owner = p.Owner;
    if (enabled !== undefined) rule.enabled = enabled;
    if (triggerCondition) rule.triggerCondition = triggerCondition;
    if (notification) rule.notification = notification;
  }

  delete(idText: string | undefined): void {
    this.rules.delete(this.get(idText).id);
  }

  list(p: Readonly<Record<string, string>>): { rules: SandboxAlertRule[]; page: number; size: number; total: number } {
    const page = p.PageNumber === undefined ? NaN : Number(p.PageNumber);
    const size = p.PageSize === undefined ? NaN : Number(p.PageSize);
    if (!Number.isInteger(page) || page < 1) bad('PageNumber', 'is required and must be at least 1');
    if (!Number.isInteger(size) || size < 1 || size > 100) bad('PageSize', 'is required and must be 1 to 100');
    const taskIds = parseJson(p.TaskIds, 'TaskIds') as unknown;
    if (taskIds !== undefined && (!Array.isArray(taskIds) || taskIds.some(t => typeof t !== 'number'))) bad('TaskIds', 'must be a JSON array of task ids');
    const types = parseJson(p.Types, 'Types') as unknown;
    if (types !== undefined && (!Array.isArray(types) || types.some(t => !(ALERT_TYPES as readonly unknown[]).includes(t)))) bad('Types', `must be a JSON array of ${ALERT_TYPES.join(', ')}`);
    const all = [...this.rules.values()].filter(r =>
      (p.Name === undefined || r.name.includes(p.Name))
      && (p.Owner === undefined || r.owner === p.Owner)
      && (taskIds === undefined || ((r.triggerCondition.Target as { Ids: number[] }).Ids).some(id => (taskIds as number[]).includes(id)))
      && (types === undefined || (types as unknown[]).includes(r.triggerCondition.Type)));
    return { rules: all.slice((page - 1) * size, page * size), page, size, total: all.length };
  }
}

/** How the API answers a rule (GetAlertRule.AlertRule, ListAlertRules.PagingInfo.AlertRules[]). */
export function alertRuleView(r: SandboxAlertRule): Record<string, unknown> {
  return { Id: r.id, Name: r.name, Owner: r.owner, Enabled: r.enabled, TriggerCondition: r.triggerCondition, Notification: r.notification };
}

import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { AlertChannel, AlertReceiverConfig, AlertsConfig, EnvironmentConfig } from '../../config/types';
import { FlowSpecTrigger } from '../../dataworks/flowspec';
import { AlertReceiverSpec, AlertRuleSpec, AlertTriggerSpec } from '../../ops/specs';
import { runTimesBetween, parseWindowTime, formatWindowTime } from '../../schedule';
import { ManagedConstruct, ManagedObjectCommonProps } from './managed-object';
import { SyncNode } from './sync-node';
import { checkRegion, ConstructPropsError } from '../validate';

/** Owner, channels and receivers as the environment's `alerts` configures them. */
export interface AlertRuleProps extends ManagedObjectCommonProps, Pick<AlertsConfig, 'ownerAccountId' | 'channels' | 'receivers'> {
  /** Region of the DataWorks workspace (the environment's region). */
  readonly region: string;
  /** Workspace of the watched node: numeric id, or the id token of a workspace the same stack creates. */
  readonly projectId: string;
  /** The sync node whose scheduling task the rule watches; the rule is created once the node is deployed. */
  readonly nodeName: string;
  /** Rule name (the operations command appends its ownership marker). At most 60 characters. */
  readonly ruleName: string;
  /** What triggers the alert (TriggerCondition Type and Extension). */
  readonly trigger: AlertTriggerSpec;
  /** Minutes between repeated notifications, 5–10000. @default 30 */
  readonly intervalMinutes?: number;
  /** Notifications per day at most, 1–10000. @default 10 */
  readonly maximumPerDay?: number;
  /** @default true */
  readonly ruleEnabled?: boolean;
}

const CHANNELS: readonly AlertChannel[] = ['Mail', 'Sms', 'Phone', 'Dingding', 'Webhook', 'Feishu', 'Weixin'];
/** Which receiver type each webhook channel needs (CreateAlertRuleRequestNotificationReceivers ReceiverType). */
const URL_RECEIVER_OF_CHANNEL: Readonly<Partial<Record<AlertChannel, string>>> = { Dingding: 'DingdingUrl', Webhook: 'WebhookUrl', Feishu: 'FeishuUrl', Weixin: 'WeixinUrl' };

/**
 * A DataWorks custom alert rule on a sync node's scheduling task: created after the node is deployed, updated in
 * place when the configuration changes, deleted on destroy (refused where teardown is not allowed). Secrets (the
 * webhook URLs) stay out of the synthesized JSON: the spec names the environment variable the operations command
 * reads them from.
 */
export class AlertRule extends ManagedConstruct<AlertRuleSpec> {
  /**
   * The rules of each enabled sync node of an environment: `<node>_failed` (an instance fails) and `<node>_late`
   * (an instance has not finished `lateAfterMinutes` after its scheduled time). None when `alerts` is not configured.
   */
  static forSyncNodes(scope: Construct, env: EnvironmentConfig, nodes: readonly SyncNode[], options: { readonly opsCommand?: string } = {}): AlertRule[] {
    const alerts = env.alerts;
    if (!alerts) return [];
    return nodes.flatMap(node => {
      const spec = node.spec;
      const common = {
        environment: env.name,
        allowTeardown: env.allowTeardown,
        enabled: spec !== undefined,
        region: env.region,
        projectId: spec?.projectId ?? '0',
        nodeName: spec?.nodeName ?? 'absent',
        ownerAccountId: alerts.ownerAccountId,
        channels: alerts.channels,
        receivers: alerts.receivers,
        intervalMinutes: alerts.intervalMinutes,
        maximumPerDay: alerts.maximumPerDay,
        opsCommand: options.opsCommand,
        dependsOn: [node.object.resource] as ITerraformDependable[],
      };
      return [
        new AlertRule(scope, `${node.node.id}-alert-failed`, {
          ...common,
          ruleName: `${spec?.nodeName ?? 'absent'}_failed`,
          trigger: { Type: 'Error', Extension: { Error: { AutoRerunAlertEnabled: false } } },
        }),
        new AlertRule(scope, `${node.node.id}-alert-late`, {
          ...common,
          ruleName: `${spec?.nodeName ?? 'absent'}_late`,
          trigger: spec ? lateTrigger(`AlertRule ${node.node.path}-alert-late`, spec.flowSpec.spec.nodes[0].trigger, alerts) : { Type: 'CycleUnfinished' },
        }),
      ];
    });
  }

  constructor(scope: Construct, id: string, props: AlertRuleProps) {
    super(scope, id, 'AlertRule', 'alert-rule', props, where => {
      checkRegion(where, props.region);
      if (!/^[A-Za-z][A-Za-z0-9_]{0,59}$/.test(props.ruleName)) throw new ConstructPropsError(where, 'ruleName', `"${props.ruleName}" must be 1–60 letters, digits and underscores, starting with a letter`);
      if (!/^\d{6,20}$/.test(props.ownerAccountId)) throw new ConstructPropsError(where, 'ownerAccountId', `"${props.ownerAccountId}" is not an Alibaba Cloud account id (digits)`);
      const interval = props.intervalMinutes ?? 30;
      const maximum = props.maximumPerDay ?? 10;
      if (!Number.isInteger(interval) || interval < 5 || interval > 10000) throw new ConstructPropsError(where, 'intervalMinutes', `must be a whole number from 5 to 10000, got ${interval}`);
      if (!Number.isInteger(maximum) || maximum < 1 || maximum > 10000) throw new ConstructPropsError(where, 'maximumPerDay', `must be a whole number from 1 to 10000, got ${maximum}`);
      return {
        kind: 'alert-rule',
        region: props.region,
        projectId: props.projectId,
        nodeName: props.nodeName,
        ruleName: props.ruleName,
        owner: props.ownerAccountId,
        enabled: props.ruleEnabled ?? true,
        triggerCondition: props.trigger,
        notification: {
          Channels: checkChannels(where, props.channels, props.receivers),
          IntervalInMinutes: interval,
          Maximum: maximum,
          Receivers: props.receivers.map((r, i) => receiverSpec(where, i, r)),
        },
      };
    });
  }
}

function checkChannels(where: string, channels: readonly AlertChannel[], receivers: readonly AlertReceiverConfig[]): AlertChannel[] {
  if (channels.length === 0) throw new ConstructPropsError(where, 'channels', 'must name at least one channel');
  for (const c of channels) {
    if (!CHANNELS.includes(c)) throw new ConstructPropsError(where, 'channels', `"${c}" is not one of ${CHANNELS.join(', ')}`);
    const needs = URL_RECEIVER_OF_CHANNEL[c];
    if (needs && !receivers.some(r => r.type === needs)) throw new ConstructPropsError(where, 'receivers', `channel ${c} needs a ${needs} receiver`);
  }
  if (receivers.length === 0) throw new ConstructPropsError(where, 'receivers', 'must name at least one receiver');
  return [...new Set(channels)];
}

function receiverSpec(where: string, index: number, r: AlertReceiverConfig): AlertReceiverSpec {
  const prop = `receivers[${index}]`;
  switch (r.type) {
    case 'AliUid':
      if (r.accountIds.length === 0 || r.accountIds.some(a => !/^\d{6,20}$/.test(a))) throw new ConstructPropsError(where, prop, 'accountIds must list Alibaba Cloud account ids (digits)');
      return { ReceiverType: 'AliUid', ReceiverValues: [...r.accountIds] };
    case 'TaskOwner':
      return { ReceiverType: 'TaskOwner' };
    default:
      if (!/^[A-Z][A-Z0-9_]{2,63}$/.test(r.urlFromEnvironment)) {
        throw new ConstructPropsError(where, prop, `urlFromEnvironment "${r.urlFromEnvironment}" must be an environment variable name (upper case letters, digits, underscores)`);
      }
      return { ReceiverType: r.type, ReceiverValuesFromEnvironment: r.urlFromEnvironment, ...(r.atAll ? { Extension: '{"atAll":true}' } : {}) };
  }
}

/**
 * CycleUnfinished: for the i-th scheduled instance of a day (cycle i, 1-based, at most 288), the latest
 * completion time hh:mm (hh up to 47, i.e. the next day) is its scheduled time plus `lateAfterMinutes`. The
 * cycles come from the node's own trigger (its cron, in its time zone) on a reference day.
 */
function lateTrigger(where: string, trigger: FlowSpecTrigger, alerts: AlertsConfig): AlertTriggerSpec {
  const late = alerts.lateAfterMinutes;
  if (!Number.isInteger(late) || late < 1) throw new ConstructPropsError(where, 'lateAfterMinutes', `must be a whole number of minutes of at least 1, got ${late}`);
  const tz = trigger.timezone;
  const day = parseWindowTime('20240115000000', tz);
  const runs = runTimesBetween(trigger.cron, day, parseWindowTime('20240116000000', tz), tz);
  if (runs.length === 0 || runs.length > 288) throw new ConstructPropsError(where, 'schedule.cron', `runs ${runs.length} times a day; a CycleUnfinished alert takes 1 to 288 cycles`);
  const cycles = runs.map((run, i) => {
    const local = formatWindowTime(run, tz);
    const minutes = Number(local.slice(8, 10)) * 60 + Number(local.slice(10, 12)) + late;
    if (minutes > 47 * 60 + 59) throw new ConstructPropsError(where, 'lateAfterMinutes', `${late} minutes after the run at ${local.slice(8, 10)}:${local.slice(10, 12)} is past 47:59, the latest time DataWorks accepts`);
    return { CycleId: i + 1, Time: `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}` };
  });
  return { Type: 'CycleUnfinished', Extension: { CycleUnfinished: { CycleAndTime: cycles } } };
}

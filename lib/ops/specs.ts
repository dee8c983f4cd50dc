/**
 * The desired state of each managed object, as the CDKTF constructs store it in `terraform_data.triggers_replace`
 * and hand it to the operations command (environment variable OTSBK_OPS_SPEC, `jsonencode(self.triggers_replace)`),
 * plus the settings stored in `terraform_data.input` (OTSBK_OPS_SETTINGS).
 *
 * Every field of a spec is observable on the live object (node content, stream retention, table TTL), so a
 * replacement triggered by a spec change always leaves the live object differing from the old spec; the destroy
 * half of the replacement relies on that to know it must not delete (see the *-ops.ts files).
 */
import { describeUnknownField, findUnknownFields, ObjectShape, Shape } from '../common/known-keys';
import { FLOWSPEC_VERSION, NodeFlowSpec } from '../dataworks/flowspec';

export type ManagedKind = 'sync-node' | 'table-stream' | 'timeseries-table' | 'alert-rule';
export const MANAGED_KINDS: readonly ManagedKind[] = ['sync-node', 'table-stream', 'timeseries-table', 'alert-rule'];

export interface SyncNodeSpec {
  readonly kind: 'sync-node';
  readonly region: string;
  /** DataWorks workspace id (digits). */
  readonly projectId: string;
  readonly nodeName: string;
  readonly flowSpec: NodeFlowSpec;
}

export interface TableStreamSpec {
  readonly kind: 'table-stream';
  readonly region: string;
  readonly instanceName: string;
  readonly tableName: string;
  /** Stream retention in hours (1–168). */
  readonly retentionHours: number;
}

export interface TimeseriesTableSpec {
  readonly kind: 'timeseries-table';
  readonly region: string;
  readonly instanceName: string;
  readonly tableName: string;
  /** Data TTL in seconds; -1 keeps data forever. */
  readonly timeToLiveSeconds: number;
}

/**
 * One receiver of an alert (CreateAlertRule Notification.Receivers[]). Webhook URLs carry an access token, so a
 * URL receiver never holds its values here: it names the environment variable the operations command reads.
 */
export interface AlertReceiverSpec {
  readonly ReceiverType: string;
  readonly ReceiverValues?: readonly string[];
  readonly ReceiverValuesFromEnvironment?: string;
  readonly Extension?: string;
}

/** TriggerCondition without its Target: the target is the watched node's scheduling task, found at apply time. */
export interface AlertTriggerSpec {
  readonly Type: 'Error' | 'CycleUnfinished' | 'Timeout';
  readonly Extension?: Readonly<Record<string, unknown>>;
}

export interface AlertRuleSpec {
  readonly kind: 'alert-rule';
  readonly region: string;
  /** Workspace of the watched node. */
  readonly projectId: string;
  readonly nodeName: string;
  /** Rule name without the ownership marker. */
  readonly ruleName: string;
  /** Account id owning the rule (CreateAlertRule Owner). */
  readonly owner: string;
  readonly enabled: boolean;
  readonly triggerCondition: AlertTriggerSpec;
  readonly notification: {
    readonly Channels: readonly string[];
    readonly IntervalInMinutes: number;
    readonly Maximum: number;
    readonly Receivers: readonly AlertReceiverSpec[];
  };
}

export type ManagedSpec = SyncNodeSpec | TableStreamSpec | TimeseriesTableSpec | AlertRuleSpec;

/** Operational settings: not part of the object's state, so changing them updates Terraform state in place. */
export interface OperationSettings {
  /** Environment name, checked against OTSBK_ALLOW_TEARDOWN. */
  readonly environment: string;
  /** EnvironmentConfig.allowTeardown: whether destroy may delete the object without an explicit override. */
  readonly allowTeardown: boolean;
  /** Tablestore endpoint set in the configuration (`endpoints.operations`), table kinds. */
  readonly tablestoreEndpoint?: string;
  /**
   * Table Stream: the instance's table where the stack records which Streams it enabled (see table-stream-ops).
   * Required to enable a Stream; without it, destroy never disables one.
   */
  readonly streamOwnersTable?: string;
  /** The instance's `network_type_acl` (table kinds); absent: every network. */
  readonly tablestoreNetworkTypeAcl?: readonly string[];
}

/** The fields of each spec and of the settings; anything else is refused, so a renamed field cannot be ignored. */
const SPEC_SHAPES: { readonly [K in ManagedKind]: Shape<Extract<ManagedSpec, { kind: K }>> } = {
  // The FlowSpec is checked as a FlowSpec below and by DataWorks; this level only owns the spec's own fields.
  'sync-node': { kind: 'value', region: 'value', projectId: 'value', nodeName: 'value', flowSpec: 'value' },
  'table-stream': { kind: 'value', region: 'value', instanceName: 'value', tableName: 'value', retentionHours: 'value' },
  'timeseries-table': { kind: 'value', region: 'value', instanceName: 'value', tableName: 'value', timeToLiveSeconds: 'value' },
  // TriggerCondition.Extension is checked by DataWorks (and the sandbox) field by field.
  'alert-rule': {
    kind: 'value', region: 'value', projectId: 'value', nodeName: 'value', ruleName: 'value', owner: 'value', enabled: 'value',
    triggerCondition: { Type: 'value', Extension: 'map' },
    notification: {
      Channels: 'value', IntervalInMinutes: 'value', Maximum: 'value',
      Receivers: [{ ReceiverType: 'value', ReceiverValues: 'value', ReceiverValuesFromEnvironment: 'value', Extension: 'value' }],
    },
  },
};
const SETTINGS_SHAPE: Shape<OperationSettings> = { environment: 'value', allowTeardown: 'value', tablestoreEndpoint: 'value', tablestoreNetworkTypeAcl: 'value', streamOwnersTable: 'value' };

function rejectUnknownFields(o: Record<string, unknown>, shape: ObjectShape, name: string): void {
  const unknown = findUnknownFields(o, shape).map(describeUnknownField);
  if (unknown.length > 0) throw new SpecError(`${name}: ${unknown.join('; ')}`);
}

export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

export function parseManagedSpec(text: string | undefined, expected: ManagedKind): ManagedSpec {
  const o = parseObject(text, 'OTSBK_OPS_SPEC');
  const field = fieldReader(o, 'OTSBK_OPS_SPEC');
  const kind = field.string('kind');
  if (kind !== expected) throw new SpecError(`OTSBK_OPS_SPEC.kind is "${kind}" but the command was asked to handle "${expected}"`);
  rejectUnknownFields(o, SPEC_SHAPES[expected], 'OTSBK_OPS_SPEC');
  const region = field.pattern('region', /^[a-z]{2,}-[a-z0-9-]+$/, 'a region id such as cn-hangzhou');
  switch (kind) {
    case 'sync-node': {
      const flowSpec = o.flowSpec as NodeFlowSpec | undefined;
      if (!flowSpec || flowSpec.kind !== 'Node' || flowSpec.version !== FLOWSPEC_VERSION || !Array.isArray(flowSpec.spec?.nodes) || flowSpec.spec.nodes.length !== 1) {
        throw new SpecError(`OTSBK_OPS_SPEC.flowSpec must be a FlowSpec ${FLOWSPEC_VERSION} of kind Node with exactly one node`);
      }
      const nodeName = field.pattern('nodeName', /^[A-Za-z][A-Za-z0-9_]{0,127}$/, 'a node name of letters, digits and underscores');
      if (flowSpec.spec.nodes[0].name !== nodeName) throw new SpecError(`OTSBK_OPS_SPEC.flowSpec names node "${flowSpec.spec.nodes[0].name}", not "${nodeName}"`);
      return { kind, region, projectId: field.pattern('projectId', /^\d+$/, 'a numeric DataWorks workspace id'), nodeName, flowSpec };
    }
    case 'table-stream': {
      const retentionHours = field.integer('retentionHours');
      if (retentionHours < 1 || retentionHours > 168) throw new SpecError(`OTSBK_OPS_SPEC.retentionHours must be 1 to 168, got ${retentionHours}`);
      return { kind, region, instanceName: field.string('instanceName'), tableName: field.string('tableName'), retentionHours };
    }
    case 'timeseries-table': {
      const ttl = field.integer('timeToLiveSeconds');
      if (ttl !== -1 && ttl < 86400) throw new SpecError(`OTSBK_OPS_SPEC.timeToLiveSeconds must be -1 or at least 86400, got ${ttl}`);
      return { kind, region, instanceName: field.string('instanceName'), tableName: field.string('tableName'), timeToLiveSeconds: ttl };
    }
    case 'alert-rule':
      return parseAlertRuleSpec(o, field, region);
    default:
      throw new SpecError(`OTSBK_OPS_SPEC.kind "${kind}" is not one of ${MANAGED_KINDS.join(', ')}`);
  }
}

const ALERT_TRIGGER_TYPES = ['Error', 'CycleUnfinished', 'Timeout'];

function parseAlertRuleSpec(o: Record<string, unknown>, field: ReturnType<typeof fieldReader>, region: string): AlertRuleSpec {
  const trigger = o.triggerCondition as AlertTriggerSpec | undefined;
  if (!trigger || !ALERT_TRIGGER_TYPES.includes(trigger.Type)) throw new SpecError(`OTSBK_OPS_SPEC.triggerCondition.Type must be one of ${ALERT_TRIGGER_TYPES.join(', ')}`);
  if (typeof o.enabled !== 'boolean') throw new SpecError('OTSBK_OPS_SPEC.enabled must be true or false');
  const n = o.notification as AlertRuleSpec['notification'] | undefined;
  if (!n || !Array.isArray(n.Channels) || n.Channels.length === 0 || !Array.isArray(n.Receivers) || n.Receivers.length === 0) {
    throw new SpecError('OTSBK_OPS_SPEC.notification must name Channels and Receivers');
  }
  for (const [i, r] of n.Receivers.entries()) {
    if (typeof r.ReceiverType !== 'string') throw new SpecError(`OTSBK_OPS_SPEC.notification.Receivers[${i}].ReceiverType must be a string`);
    if (/Url$/.test(r.ReceiverType) && (r.ReceiverValues !== undefined || !/^[A-Z][A-Z0-9_]*$/.test(r.ReceiverValuesFromEnvironment ?? ''))) {
      throw new SpecError(`OTSBK_OPS_SPEC.notification.Receivers[${i}]: a ${r.ReceiverType} receiver names the environment variable holding its URL (ReceiverValuesFromEnvironment), never the URL`);
    }
  }
  return {
    kind: 'alert-rule',
    region,
    projectId: field.pattern('projectId', /^\d+$/, 'a numeric DataWorks workspace id'),
    nodeName: field.pattern('nodeName', /^[A-Za-z][A-Za-z0-9_]{0,127}$/, 'a node name of letters, digits and underscores'),
    ruleName: field.pattern('ruleName', /^[A-Za-z][A-Za-z0-9_]{0,59}$/, '1 to 60 letters, digits and underscores'),
    owner: field.pattern('owner', /^\d+$/, 'an Alibaba Cloud account id'),
    enabled: o.enabled,
    triggerCondition: trigger,
    notification: n,
  };
}

export function parseOperationSettings(text: string | undefined): OperationSettings {
  const o = parseObject(text, 'OTSBK_OPS_SETTINGS');
  const field = fieldReader(o, 'OTSBK_OPS_SETTINGS');
  rejectUnknownFields(o, SETTINGS_SHAPE, 'OTSBK_OPS_SETTINGS');
  const allow = o.allowTeardown;
  if (typeof allow !== 'boolean') throw new SpecError('OTSBK_OPS_SETTINGS.allowTeardown must be true or false');
  const endpoint = o.tablestoreEndpoint;
  if (endpoint !== undefined && endpoint !== null && typeof endpoint !== 'string') throw new SpecError('OTSBK_OPS_SETTINGS.tablestoreEndpoint must be a string');
  const acl = o.tablestoreNetworkTypeAcl;
  if (acl !== undefined && acl !== null && (typeof acl !== 'string' || !/^(VPC|INTERNET|CLASSIC)(,(VPC|INTERNET|CLASSIC))*$/.test(acl))) {
    throw new SpecError('OTSBK_OPS_SETTINGS.tablestoreNetworkTypeAcl must be a comma-separated list of VPC, INTERNET, CLASSIC');
  }
  const owners = o.streamOwnersTable;
  if (owners !== undefined && owners !== null && (typeof owners !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_]{0,254}$/.test(owners))) {
    throw new SpecError('OTSBK_OPS_SETTINGS.streamOwnersTable must be a Tablestore table name');
  }
  return {
    environment: field.string('environment'),
    allowTeardown: allow,
    tablestoreEndpoint: typeof endpoint === 'string' && endpoint !== '' ? endpoint : undefined,
    ...(typeof acl === 'string' ? { tablestoreNetworkTypeAcl: acl.split(',') } : {}),
    ...(typeof owners === 'string' ? { streamOwnersTable: owners } : {}),
  };
}

function parseObject(text: string | undefined, name: string): Record<string, unknown> {
  if (text === undefined || text.trim() === '') throw new SpecError(`${name} is not set; the operations command is run by the Terraform provisioners, which set it`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SpecError(`${name} is not JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SpecError(`${name} must be a JSON object`);
  return value as Record<string, unknown>;
}

function fieldReader(o: Record<string, unknown>, name: string) {
  return {
    string(key: string): string {
      const v = o[key];
      if (typeof v !== 'string' || v === '') throw new SpecError(`${name}.${key} must be a non-empty string`);
      return v;
    },
    pattern(key: string, re: RegExp, what: string): string {
      const v = this.string(key);
      if (!re.test(v)) throw new SpecError(`${name}.${key} "${v}" must be ${what}`);
      return v;
    },
    integer(key: string): number {
      const v = o[key];
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new SpecError(`${name}.${key} must be an integer`);
      return v;
    },
  };
}

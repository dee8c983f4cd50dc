/**
 * The desired state of each managed object, as the CDKTF constructs store it in `terraform_data.triggers_replace`
 * and hand it to the operations command (environment variable OTSBK_OPS_SPEC, `jsonencode(self.triggers_replace)`),
 * plus the settings stored in `terraform_data.input` (OTSBK_OPS_SETTINGS).
 *
 * Every field of a spec is observable on the live object (node content, stream retention, table TTL), so a
 * replacement triggered by a spec change always leaves the live object differing from the old spec; the destroy
 * half of the replacement relies on that to know it must not delete (see the *-ops.ts files).
 */
import { describeUnknownField, findUnknownFields, ObjectShape, Shape } from '../config/known-keys';
import { FLOWSPEC_VERSION, NodeFlowSpec } from '../dataworks/flowspec';

export type ManagedKind = 'sync-node' | 'table-stream' | 'timeseries-table';
export const MANAGED_KINDS: readonly ManagedKind[] = ['sync-node', 'table-stream', 'timeseries-table'];

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

export type ManagedSpec = SyncNodeSpec | TableStreamSpec | TimeseriesTableSpec;

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
    default:
      throw new SpecError(`OTSBK_OPS_SPEC.kind "${kind}" is not one of ${MANAGED_KINDS.join(', ')}`);
  }
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

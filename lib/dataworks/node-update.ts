/**
 * The Spec of an UpdateNode that brings a live node to the desired FlowSpec by sending only what differs.
 *
 * UpdateNode is incremental (SDK client.ts updateNode: "This API operation performs an incremental update"); the
 * DataWorks skills documentation (aliyun/alibabacloud-aiops-skills, datastudio skill, api/UpdateNode.md) adds: send
 * the node `id` and the fields to change only, never unchanged fields such as `datasource` or `runtimeResource`,
 * whose stored values the service may have corrected, and its example updates `script.content` alone, i.e. nested
 * objects are merged. So objects are compared key by key (only the keys this project sets: keys DataWorks added
 * are left alone) and sent as the keys that differ; lists and scalars are sent whole when they differ.
 * Dependencies (`spec.flow`) are sent only when the node's upstream outputs differ.
 */
import { canonicalJson, JsonValue, parseJsonPreservingLargeIntegers } from './json';
import { FlowSpecFlowDepend, NodeFlowSpec } from './flowspec';

export interface NodeUpdateSpec {
  readonly version: NodeFlowSpec['version'];
  readonly kind: 'Node';
  readonly spec: {
    readonly nodes: readonly [{ readonly id: string } & Record<string, unknown>];
    readonly flow?: readonly FlowSpecFlowDepend[];
  };
}

/**
 * The incremental UpdateNode spec, or undefined when the live node already matches the desired one.
 * `liveSpecText` is the FlowSpec GetNode returned; `nodeId` the node's numeric id, which the update addresses
 * (UpdateNodeRequest example: `spec.nodes[0].id` and `flow[0].nodeId` are the node id).
 */
export function nodeUpdateSpec(liveSpecText: string, desired: NodeFlowSpec, nodeId: string): NodeUpdateSpec | undefined {
  const live = parseLive(liveSpecText);
  const liveNode = (live.spec?.nodes?.[0] ?? {}) as Record<string, unknown>;
  const [desiredNode] = desired.spec.nodes;
  const { id: _id, name: _name, ...fields } = desiredNode as unknown as Record<string, JsonValue>;
  const changes = changedFields(liveNode, fields);

  const liveFlow = (live.spec?.flow ?? []).find(f => f.nodeId === nodeId || f.nodeId === liveNode.id || f.nodeId === desiredNode.name);
  const desiredDepends = desired.spec.flow.flatMap(f => f.depends);
  const flowChanged = canonicalJson(upstreams(liveFlow?.depends ?? [])) !== canonicalJson(upstreams(desiredDepends));

  if (Object.keys(changes).length === 0 && !flowChanged) return undefined;
  return {
    version: desired.version,
    kind: 'Node',
    spec: {
      nodes: [{ id: nodeId, ...changes }],
      ...(flowChanged ? { flow: [{ nodeId, depends: desiredDepends }] } : {}),
    },
  };
}

/** The desired fields that differ from the live ones; for objects, only the differing keys. */
function changedFields(live: Record<string, unknown>, desired: Record<string, JsonValue>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, want] of Object.entries(desired)) {
    const have = live[key];
    if (isPlainObject(want) && isPlainObject(have)) {
      const nested = changedFields(have, want);
      if (Object.keys(nested).length > 0) out[key] = nested;
    } else if (have === undefined || canonicalJson(have) !== canonicalJson(want)) {
      out[key] = want;
    }
  }
  return out;
}

/** The upstream outputs and dependency types, in a stable order, as the comparison key of a node's dependencies. */
function upstreams(depends: readonly { type?: unknown; output?: unknown }[]): string[] {
  return depends.map(d => `${String(d.type)} ${String(d.output)}`).sort();
}

function isPlainObject(v: unknown): v is Record<string, JsonValue> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function parseLive(text: string): { spec?: { nodes?: unknown[]; flow?: Array<{ nodeId?: unknown; depends?: Array<{ type?: unknown; output?: unknown }> }> } } {
  try {
    const parsed = parseJsonPreservingLargeIntegers(text);
    return isPlainObject(parsed) ? parsed as never : {};
  } catch {
    return {};
  }
}

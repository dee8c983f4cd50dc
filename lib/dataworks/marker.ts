/**
 * The ownership marker the operations command writes into the node description:
 * `[otsbk spec=<16 hex> owner=<terraform_data id>]`.
 *
 * - `spec` is a hash of the desired FlowSpec (without the marker): a live node whose marker carries the desired
 *   hash needs no UpdateNode, and a deployment package carrying it deploys the desired version.
 * - `owner` is the id of the Terraform object that last applied the node. Terraform replaces the managed object when
 *   the desired spec changes, creating the new one before destroying the old: the new create rewrites the owner,
 *   so the old object's destroy finds a different owner and leaves the node alone, while a real destroy (owner
 *   unchanged) deletes it.
 */
import { specHash } from './json';
import { NodeFlowSpec } from './flowspec';

export interface NodeMarker {
  readonly spec: string;
  readonly owner: string;
}

const MARKER = /\s*\[otsbk spec=([0-9a-f]{16}) owner=([A-Za-z0-9-]+)\]\s*$/;

export function flowSpecHash(flowSpec: NodeFlowSpec): string {
  return specHash(flowSpec).slice(0, 16);
}

export function readMarker(description: string | undefined): NodeMarker | undefined {
  const m = description ? MARKER.exec(description) : null;
  return m ? { spec: m[1], owner: m[2] } : undefined;
}

/** The FlowSpec to send: the desired one with the marker appended to the node description. */
export function markedFlowSpec(flowSpec: NodeFlowSpec, owner: string): NodeFlowSpec {
  if (!/^[A-Za-z0-9-]+$/.test(owner)) throw new Error(`owner "${owner}" is not a Terraform object id`);
  const [node] = flowSpec.spec.nodes;
  const description = `${node.description.replace(MARKER, '')} [otsbk spec=${flowSpecHash(flowSpec)} owner=${owner}]`;
  return { ...flowSpec, spec: { ...flowSpec.spec, nodes: [{ ...node, description }] } };
}

/** The marker inside a FlowSpec text as DataWorks returns it (GetNode, ListPipelineRunItems). */
export function markerOfSpecText(specText: string | undefined): NodeMarker | undefined {
  if (!specText) return undefined;
  try {
    const parsed = JSON.parse(specText) as { spec?: { nodes?: Array<{ description?: unknown }> } };
    const description = parsed.spec?.nodes?.[0]?.description;
    return typeof description === 'string' ? readMarker(description) : undefined;
  } catch {
    return undefined;
  }
}

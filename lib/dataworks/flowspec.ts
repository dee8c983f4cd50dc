/**
 * Typed model and builder of the FlowSpec (version 1.1.0, kind Node) that CreateNode / UpdateNode take, limited to
 * the fields the sync node sets.
 *
 * Sources, most authoritative first: the API reference schema of CreateNode / UpdateNode (the `Spec` examples of the
 * generated 2024-05-18 SDK, models/CreateNodeRequest.ts and UpdateNodeRequest.ts: version "1.1.0", dependencies in
 * `spec.flow`, `timeout` a bare number) and the FlowSpec model Alibaba publishes, aliyun/dataworks-spec (SpecVersion
 * 1.0.0 / 1.1.0 / 1.2.0; DataWorksWorkflowSpec.flow; SpecNode.timeout an Integer, schema/node.schema.json "单位为秒",
 * seconds; no `timeoutUnit`, no trigger `cycleType`). The DataWorks skills documentation
 * (aliyun/alibabacloud-aiops-skills, flowspec-guide.md) writes version "2.0.0", `spec.dependencies` and a
 * `timeoutUnit`; neither the API schema nor the spec model has those, so they are not used here.
 */
import { evaluateSchedulingExpression, parseCron, parseSchedulingExpression } from '../schedule';
import { SyncDefinitionError } from './errors';
import type { ScheduleConfig } from '../config/types';

export interface FlowSpecParameter {
  readonly name: string;
  readonly scope: 'NodeParameter';
  readonly type: 'System';
  readonly value: string;
  readonly artifactType: 'Variable';
}

export interface FlowSpecScript {
  readonly path: string;
  /** Only Data Integration jobs are scheduled (the runtime is not: RUNTIME_NOT_SCHEDULABLE in sync-definition.ts). */
  readonly language: 'di';
  readonly runtime: { readonly command: 'DI' };
  readonly content: string;
  readonly parameters: readonly FlowSpecParameter[];
}

export interface FlowSpecTrigger {
  readonly type: 'Scheduler';
  /** 6 fields: second minute hour day month weekday. */
  readonly cron: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly timezone: string;
}

export interface FlowSpecNode {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly recurrence: 'Normal';
  readonly instanceMode: 'T+1' | 'Immediately';
  readonly rerunMode: 'Allowed' | 'Denied' | 'FailureAllowed';
  readonly rerunTimes: number;
  /** Milliseconds between automatic reruns. */
  readonly rerunInterval: number;
  /** Seconds (dataworks-spec node.schema.json; GetTask's Timeout is documented in seconds too). */
  readonly timeout: number;
  readonly script: FlowSpecScript;
  readonly trigger: FlowSpecTrigger;
  readonly runtimeResource: { readonly resourceGroup: string };
  readonly outputs: { readonly nodeOutputs: readonly { readonly data: string; readonly artifactType: 'NodeOutput' }[] };
}

/** One entry of `spec.flow` (dataworks-spec SpecFlowDepend / SpecDepend). */
export interface FlowSpecFlowDepend {
  /** The node that has the dependencies: its name at creation, its numeric id in an UpdateNode (API reference example). */
  readonly nodeId: string;
  readonly depends: readonly { readonly type: 'Normal'; readonly output: string }[];
}

export const FLOWSPEC_VERSION = '1.1.0';

export interface NodeFlowSpec {
  readonly version: typeof FLOWSPEC_VERSION;
  readonly kind: 'Node';
  readonly spec: { readonly nodes: readonly [FlowSpecNode]; readonly flow: readonly FlowSpecFlowDepend[] };
}

/** The node-level part of an environment's schedule (the stream lag only concerns the reader). */
export type NodeScheduleProps = Omit<ScheduleConfig, 'streamLagMinutes'>;

export interface SyncNodeFlowSpecProps {
  /** Node name; also its id, its script path and its output name. */
  readonly name: string;
  readonly description: string;
  /** Workspace identifier: the node depends on `<identifier>_root` and outputs `<identifier>.<name>`. */
  readonly projectIdentifier: string;
  readonly resourceGroup: string;
  readonly schedule: NodeScheduleProps;
  /** Names of the window parameters; the job reads them as `${startTime}` / `${endTime}`. */
  readonly parameterNames: { readonly start: string; readonly end: string };
  /** The Data Integration job (JSON text). */
  readonly script: { readonly language: 'di'; readonly content: string };
}

/** DataWorks node names: the console accepts letters, digits and underscores; keep to that. */
export const NODE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;

/** A reference instant for checking that the window expressions evaluate to a sane window (any hour works). */
const SAMPLE_RUN_TIME = Date.UTC(2024, 0, 15, 4, 0, 0);

export function buildSyncNodeFlowSpec(props: SyncNodeFlowSpecProps): NodeFlowSpec {
  const fail = (field: string, problem: string): never => {
    throw new SyncDefinitionError(props.name, field, problem);
  };
  if (!NODE_NAME_PATTERN.test(props.name)) fail('name', `"${props.name}" must start with a letter and hold at most 128 letters, digits and underscores`);
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(props.projectIdentifier)) fail('projectIdentifier', `"${props.projectIdentifier}" is not a workspace identifier`);
  if (props.resourceGroup.trim() === '') fail('runtimeResource.resourceGroup', 'must name a resource group');
  if (props.parameterNames.start === props.parameterNames.end) fail('script.parameters', 'the start and end parameters need different names');
  const s = props.schedule;
  checkSchedule(s, fail);
  if (props.script.content.trim() === '') fail('script.content', 'is empty');

  const parameter = (name: string, value: string): FlowSpecParameter => ({ name, scope: 'NodeParameter', type: 'System', value, artifactType: 'Variable' });
  const node: FlowSpecNode = {
    id: props.name,
    name: props.name,
    description: props.description,
    recurrence: 'Normal',
    instanceMode: 'T+1',
    rerunMode: s.rerunMode,
    rerunTimes: s.rerunTimes,
    rerunInterval: s.rerunIntervalMinutes * 60_000,
    timeout: s.timeoutHours * 3600,
    script: {
      path: props.name,
      language: 'di',
      runtime: { command: 'DI' },
      content: props.script.content,
      parameters: [parameter(props.parameterNames.start, s.startTimeExpression), parameter(props.parameterNames.end, s.endTimeExpression)],
    },
    trigger: {
      type: 'Scheduler',
      cron: s.cron,
      startTime: '1970-01-01 00:00:00',
      endTime: '9999-01-01 00:00:00',
      timezone: s.timezone,
    },
    runtimeResource: { resourceGroup: props.resourceGroup },
    outputs: { nodeOutputs: [{ data: `${props.projectIdentifier}.${props.name}`, artifactType: 'NodeOutput' }] },
  };
  return {
    version: FLOWSPEC_VERSION,
    kind: 'Node',
    spec: {
      nodes: [node],
      flow: [{ nodeId: props.name, depends: [{ type: 'Normal', output: `${props.projectIdentifier}_root` }] }],
    },
  };
}

function checkSchedule(s: NodeScheduleProps, fail: (field: string, problem: string) => never): void {
  try {
    parseCron(s.cron);
  } catch (e) {
    fail('trigger.cron', (e as Error).message);
  }
  const samples: string[] = [];
  for (const [field, text] of [['startTimeExpression', s.startTimeExpression], ['endTimeExpression', s.endTimeExpression]] as const) {
    try {
      parseSchedulingExpression(text);
      samples.push(evaluateSchedulingExpression(text, SAMPLE_RUN_TIME, s.timezone));
    } catch (e) {
      fail(`script.parameters.${field}`, (e as Error).message);
    }
  }
  // The stream reader reads startTimeString/endTimeString as yyyymmddhh24miss.
  samples.forEach((v, i) => {
    if (!/^\d{14}$/.test(v)) fail(`script.parameters.${i === 0 ? 'startTimeExpression' : 'endTimeExpression'}`, `evaluates to "${v}", not the 14-digit yyyymmddhh24miss the stream reader needs`);
  });
  if (samples[0] >= samples[1]) fail('script.parameters', `the window is empty or reversed: start evaluates to ${samples[0]}, end to ${samples[1]}`);
  if (!Number.isInteger(s.rerunTimes) || s.rerunTimes < 0) fail('rerunTimes', `must be a non-negative integer, got ${s.rerunTimes}`);
  if (!Number.isInteger(s.rerunIntervalMinutes) || s.rerunIntervalMinutes < 1) fail('rerunInterval', `must be a whole number of minutes ≥ 1, got ${s.rerunIntervalMinutes}`);
  if (!Number.isInteger(s.timeoutHours) || s.timeoutHours < 1) fail('timeout', `must be a whole number of hours ≥ 1, got ${s.timeoutHours}`);
}

/**
 * Field-by-field check of the FlowSpec that CreateNode / UpdateNode take, against the FlowSpec model Alibaba
 * publishes: aliyun/dataworks-spec (snapshot b5d8136, `spec/src/main/java/com/aliyun/dataworks/common/spec/domain`),
 * whose JSON field names are the Java field names (plus the hyphenated keys its writers use: `do-while`,
 * `for-each`, `param-hub`), and whose enums give the allowed values. Every entity carries `metadata`
 * (SpecEntity), referable ones also `id` and `isRef` (SpecRefEntity).
 *
 * Only kind `Node` is accepted (the CreateNode / UpdateNode `Spec` examples of the 2024-05-18 API reference).
 * Versions are SpecVersion's: 1.0.0, 1.1.0, 1.2.0. Dependencies are `spec.flow` (DataWorksWorkflowSpec.flow); a
 * `spec.dependencies` is not a field of the model and is refused.
 *
 * A spec that breaks the model is answered as DataWorks answers an invalid FlowSpec: HTTP 400, code 58014884415,
 * "Spec JSON parse failed" (aliyun/alibabacloud-aiops-skills, dataworks datastudio skill, troubleshooting.md "Invalid
 * FlowSpec Format"; the HTTP status is an assumption, the status DataWorks gives its other 400 errors there).
 */

export const FLOWSPEC_ERROR = { status: 400, code: '58014884415' } as const;

export class FlowSpecViolation extends Error {
  readonly status = FLOWSPEC_ERROR.status;
  readonly code = FLOWSPEC_ERROR.code;
  constructor(readonly path: string, problem: string) {
    super(`Spec JSON parse failed: ${path} ${problem}`);
  }
}

type Rule =
  | { readonly kind: 'string'; readonly pattern?: RegExp; readonly patternName?: string }
  | { readonly kind: 'integer'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly source: string }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Rule>>; readonly required?: readonly string[] }
  | { readonly kind: 'array'; readonly items: Rule }
  /** A model field this sandbox does not model deeply (e.g. a branch node's settings): any JSON object. */
  | { readonly kind: 'opaque-object' }
  /** A map-typed model field (`Map<String, Object>`). */
  | { readonly kind: 'map' };

const str: Rule = { kind: 'string' };
const int = (min?: number, max?: number): Rule => ({ kind: 'integer', min, max });
const bool: Rule = { kind: 'boolean' };
const oneOf = (source: string, ...values: string[]): Rule => ({ kind: 'enum', values, source });
const obj = (fields: Record<string, Rule>, required?: string[]): Rule => ({ kind: 'object', fields: { metadata: { kind: 'map' }, ...fields }, required });
/** SpecRefEntity: id and isRef besides metadata. */
const ref = (fields: Record<string, Rule>, required?: string[]): Rule => obj({ id: str, isRef: bool, ...fields }, required);
const list = (items: Rule): Rule => ({ kind: 'array', items });
const opaque: Rule = { kind: 'opaque-object' };
const map: Rule = { kind: 'map' };

// enums/*.java
const SPEC_VERSIONS = ['1.0.0', '1.1.0', '1.2.0'];
const ARTIFACT_TYPE = oneOf('ArtifactType', 'Table', 'File', 'NodeOutput', 'Variable');
const RECURRENCE = oneOf('NodeRecurrenceType', 'Normal', 'Pause', 'Skip');

/** ref/SpecNodeOutput.java (+ SpecArtifact.artifactType). */
const NODE_OUTPUT = ref({ artifactType: ARTIFACT_TYPE, data: str, refTableName: str, isDefault: bool });

/** ref/SpecVariable.java (+ SpecArtifact.artifactType); referenceVariable and node are references, kept opaque. */
const VARIABLE = ref({
  artifactType: ARTIFACT_TYPE,
  name: str,
  scope: oneOf('VariableScopeType', 'Tenant', 'Workspace', 'Workflow', 'NodeParameter', 'NodeContext'),
  type: oneOf('VariableType', 'NoKvVariableExpression', 'System', 'Constant', 'NodeOutput', 'PassThrough'),
  value: str,
  description: str,
  referenceVariable: opaque,
  node: opaque,
});

/** A node's inputs / outputs as SpecNodeWriter writes them: grouped by artifact class. */
const NODE_IO = obj({ nodeOutputs: list(NODE_OUTPUT), tables: list(opaque), variables: list(VARIABLE) });

/** `yyyy-MM-dd HH:mm:ss`, the trigger's start and end time (SDK CreateNode example, trigger.schema.json). */
const DATE_TIME: Rule = { kind: 'string', pattern: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, patternName: 'yyyy-MM-dd HH:mm:ss' };

export const FLOWSPEC_NODE_MODEL: Rule = ref({
  // ref/SpecNode.java
  name: str,
  owner: str,
  description: str,
  recurrence: RECURRENCE,
  priority: int(1, 8),
  /** Seconds (schema/node.schema.json). */
  timeout: int(0),
  instanceMode: oneOf('NodeInstanceModeType', 'T+1', 'Immediately'),
  rerunMode: oneOf('NodeRerunModeType', 'Allowed', 'Denied', 'FailureAllowed'),
  rerunTimes: int(0),
  /** Milliseconds (SDK CreateNode example: 180000). */
  rerunInterval: int(0),
  ignoreBranchConditionSkip: bool,
  // ref/SpecDatasource.java
  datasource: ref({ name: str, type: str, subType: str, config: str }),
  // ref/SpecScript.java, extends SpecFile (path, extension)
  script: ref({
    path: str,
    extension: str,
    language: str,
    content: str,
    parameters: list(VARIABLE),
    // ref/runtime/SpecScriptRuntime.java (SpecNoRefEntity)
    runtime: obj({
      engine: str, command: str, commandTypeId: int(), template: map, emrJobConfig: map, cdhJobConfig: map, sparkConf: map,
      flinkConf: map, streamJobConfig: map, container: opaque, cu: str,
    }),
  }),
  // ref/SpecTrigger.java
  trigger: ref({
    type: oneOf('TriggerType', 'Scheduler', 'Manual', 'Streaming'),
    cron: str,
    recurrence: RECURRENCE,
    startTime: DATE_TIME,
    endTime: DATE_TIME,
    timezone: str,
    delaySeconds: int(0),
  }),
  // ref/SpecRuntimeResource.java
  runtimeResource: ref({ resourceGroup: str, resourceGroupId: str, cu: str }),
  fileResources: list(opaque),
  functions: list(opaque),
  inputs: NODE_IO,
  outputs: NODE_IO,
  reference: opaque,
  branch: opaque,
  join: opaque,
  'do-while': opaque,
  'for-each': opaque,
  combined: opaque,
  'param-hub': opaque,
  component: opaque,
  strategy: opaque,
  subflow: opaque,
});

/** noref/SpecFlowDepend.java and noref/SpecDepend.java; nodeId and output are references written as strings. */
const FLOW_DEPEND: Rule = obj({
  nodeId: str,
  depends: list(obj({ nodeId: str, type: oneOf('DependencyType', 'Normal', 'CrossCycleDependsOnSelf', 'CrossCycleDependsOnChildren', 'CrossCycleDependsOnOtherNode'), output: str })),
}, ['nodeId']);

/** DataWorksWorkflowSpec.java (a SpecRefEntity); the lists a Node spec does not use are kept opaque. */
const WORKFLOW_SPEC: Rule = ref({
  name: str, type: str, owner: str, description: str,
  variables: list(opaque), triggers: list(opaque), scripts: list(opaque), files: list(opaque), artifacts: opaque,
  datasources: list(opaque), dqcRules: list(opaque), runtimeResources: list(opaque), fileResources: list(opaque),
  functions: list(opaque), workflows: list(opaque), components: list(opaque),
  nodes: list(FLOWSPEC_NODE_MODEL),
  flow: list(FLOW_DEPEND),
}, ['nodes']);

/** Specification.java: version, kind, spec (+ metadata). */
const SPECIFICATION: Rule = obj({ version: oneOf('SpecVersion', ...SPEC_VERSIONS), kind: oneOf('CreateNode/UpdateNode kind', 'Node'), spec: WORKFLOW_SPEC }, ['version', 'kind', 'spec']);

/** Checks a parsed Spec against the model; throws FlowSpecViolation naming the first offending path. */
export function checkFlowSpecModel(spec: unknown): void {
  check(SPECIFICATION, spec, '$');
}

function check(rule: Rule, value: unknown, path: string): void {
  const fail = (problem: string): never => {
    throw new FlowSpecViolation(path, problem);
  };
  switch (rule.kind) {
    case 'string':
      if (typeof value !== 'string') fail(`must be a string, got ${JSON.stringify(value)}`);
      if (rule.pattern && !rule.pattern.test(value as string)) fail(`"${String(value)}" is not ${rule.patternName}`);
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) fail(`must be an integer, got ${JSON.stringify(value)}`);
      if (rule.min !== undefined && (value as number) < rule.min) fail(`must be at least ${rule.min}, got ${String(value)}`);
      if (rule.max !== undefined && (value as number) > rule.max) fail(`must be at most ${rule.max}, got ${String(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail(`must be true or false, got ${JSON.stringify(value)}`);
      return;
    case 'enum':
      if (typeof value !== 'string' || !rule.values.includes(value)) fail(`${JSON.stringify(value)} is not a ${rule.source} value (${rule.values.join(', ')})`);
      return;
    case 'array':
      if (!Array.isArray(value)) fail(`must be a list, got ${JSON.stringify(value)}`);
      (value as unknown[]).forEach((item, i) => check(rule.items, item, `${path}[${i}]`));
      return;
    case 'opaque-object':
    case 'map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`must be an object, got ${JSON.stringify(value)}`);
      return;
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`must be an object, got ${JSON.stringify(value)}`);
      const o = value as Record<string, unknown>;
      for (const [key, v] of Object.entries(o)) {
        if (!Object.prototype.hasOwnProperty.call(rule.fields, key)) fail(`has unknown field "${key}" (the dataworks-spec model has ${Object.keys(rule.fields).join(', ')})`);
        if (v !== null) check(rule.fields[key], v, `${path}.${key}`);
      }
      for (const key of rule.required ?? []) if (o[key] === undefined || o[key] === null) fail(`needs field "${key}"`);
      return;
    }
  }
}

/**
 * What a node needs besides well-formed fields, checked on the node as created or as an UpdateNode leaves it:
 * a name, `script.path` and `script.runtime.command` (troubleshooting.md lists their absence among the invalid
 * FlowSpec causes), a 6-field cron and a known time zone for a Scheduler trigger (dataworks-spec trigger cron;
 * timezone an IANA name such as Asia/Shanghai in every example).
 */
export function checkCompleteNode(node: Record<string, unknown>, path = '$.spec.nodes[0]'): void {
  const script = (node.script ?? {}) as { path?: unknown; runtime?: { command?: unknown } };
  if (typeof node.name !== 'string' || node.name === '') throw new FlowSpecViolation(`${path}.name`, 'is required');
  if (typeof script.path !== 'string' || script.path === '') throw new FlowSpecViolation(`${path}.script.path`, 'is required');
  if (typeof script.runtime?.command !== 'string' || script.runtime.command === '') throw new FlowSpecViolation(`${path}.script.runtime.command`, 'is required');
  const trigger = node.trigger as { type?: unknown; cron?: unknown; timezone?: unknown } | undefined;
  if (trigger?.type === 'Scheduler' && (typeof trigger.cron !== 'string' || trigger.cron.trim().split(/\s+/).length !== 6)) {
    throw new FlowSpecViolation(`${path}.trigger.cron`, 'must be a 6-field cron (second minute hour day month weekday) for a Scheduler trigger');
  }
  if (typeof trigger?.timezone === 'string') {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: trigger.timezone });
    } catch {
      throw new FlowSpecViolation(`${path}.trigger.timezone`, `"${trigger.timezone}" is not a time zone`);
    }
  }
}

/**
 * In-memory DataWorks workspace for the loopback server: DataStudio nodes with versions, and deployment processes
 * (pipeline runs) whose stages move as DataWorks documents them (aiops-skills deploy-guide.md):
 *
 *   Online:  BUILD_PACKAGE (Build, runs by itself) → PROD_CHECK (Check) → PROD (Deploy)
 *   Offline: OfflineCheck (Check, runs by itself) → PROD_CHECK (Check) → PROD (Offline)
 *
 * A stage that is advanced with ExecPipelineRunStage (or that runs by itself) is Running until the next read of
 * the process, then Success: advancing is asynchronous, as in DataWorks.
 *
 * Rules the documentation does not state and this model assumes, so that clients are written defensively:
 * one active deployment process per node; DeleteNode refuses a node that is still deployed (undeploy first);
 * CreateNode refuses a duplicate name.
 */
import { sortKeys } from '../../common/sort-keys';
import { checkCompleteNode, checkFlowSpecModel, FLOWSPEC_ERROR, FlowSpecViolation } from './flowspec-model';
import { validateDiJobPlugins } from './di-plugins';

export class SandboxApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export type RunStatus = 'Init' | 'Running' | 'Success' | 'Fail' | 'Termination' | 'Cancel';

export interface SandboxNode {
  readonly id: bigint;
  readonly projectId: string;
  name: string;
  /** Stored FlowSpec (object), ids rewritten to the numeric node id as DataWorks does. */
  spec: Record<string, unknown>;
  version: number;
  createTime: number;
  modifyTime: number;
  /** Set once deployed; cleared by an Offline process. */
  taskId?: bigint;
  deployedVersion?: number;
}

export interface SandboxStage {
  readonly code: string;
  readonly name: string;
  readonly type: 'Build' | 'Check' | 'Deploy' | 'Offline';
  readonly step: number;
  readonly automatic: boolean;
  status: RunStatus;
  message?: string;
}

export interface SandboxRun {
  readonly id: string;
  readonly projectId: string;
  readonly type: 'Online' | 'Offline';
  readonly nodeId: bigint;
  readonly nodeName: string;
  /** The node spec and version the process packaged when it was created. */
  readonly packagedSpec: string;
  readonly packagedVersion: number;
  readonly description: string;
  readonly createTime: number;
  status: RunStatus;
  message?: string;
  readonly stages: SandboxStage[];
}

export interface SandboxProject {
  readonly id: string;
  readonly identifier: string;
}

/** Hooks that let a test make a stage fail, as a production check would. */
export interface StageOutcome {
  /** Make this stage code fail with this message the next time it would succeed. */
  readonly failStage?: { readonly code: string; readonly message: string };
}

export class DataWorksState {
  readonly nodes = new Map<bigint, SandboxNode>();
  readonly runs: SandboxRun[] = [];
  private nextNodeId = 8604388726201130001n;
  private nextTaskId = 700006680527001n;
  private runCounter = 0;
  private pendingStageFailure?: { code: string; message: string };

  constructor(readonly projects: readonly SandboxProject[], private readonly clock: () => number = Date.now) {}

  project(projectId: string | undefined): SandboxProject {
    const p = this.projects.find(x => x.id === projectId);
    if (!p) throw new SandboxApiError(403, 'Forbidden.Access', `workspace ${projectId ?? '(missing ProjectId)'} does not exist or you have no access to it`);
    return p;
  }

  failNextStage(code: string, message: string): void {
    this.pendingStageFailure = { code, message };
  }

  nodeByName(projectId: string, name: string): SandboxNode | undefined {
    return [...this.nodes.values()].find(n => n.projectId === projectId && n.name === name);
  }

  node(projectId: string, id: string | undefined): SandboxNode {
    let key: bigint;
    try {
      key = BigInt(id ?? '');
    } catch {
      throw new SandboxApiError(400, 'InvalidParameter.Id', `Id "${id}" is not a node id`);
    }
    const n = this.nodes.get(key);
    if (!n || n.projectId !== projectId) throw new SandboxApiError(404, 'Invalid.Node.NotFound', `node ${id} does not exist in workspace ${projectId}`);
    return n;
  }

  createNode(projectId: string, specText: string | undefined): SandboxNode {
    const project = this.project(projectId);
    const spec = parseNodeSpec(specText);
    const nodes = (spec.spec as { nodes: Array<Record<string, unknown>> }).nodes;
    const first = nodes[0];
    const name = first.name as string;
    asServiceError(() => checkCompleteNode(first));
    if (this.nodeByName(projectId, name)) throw new SandboxApiError(400, 'Node.NameExists', `a node named ${name} already exists in workspace ${project.identifier}`);
    validateNode(first);
    const id = this.nextNodeId++;
    // aiops-skills flowspec-guide.md: without id equal to name, CreateNode may silently drop the dependencies.
    const deps = (spec.spec as { flow?: unknown[] }).flow;
    const keepDeps = first.id === name ? deps : [];
    const stored = { ...spec, spec: { nodes: [{ ...completed(first), id: String(id) }], flow: (keepDeps ?? []).map(d => ({ ...(d as object), nodeId: String(id) })) } };
    const now = this.clock();
    const node: SandboxNode = { id, projectId, name, spec: stored, version: 1, createTime: now, modifyTime: now };
    this.nodes.set(id, node);
    return node;
  }

  /**
   * Incremental update (SDK: "This API operation performs an incremental update"; skills api/UpdateNode.md: send
   * the node id and the fields to change). Objects present in the request are merged into the stored ones key by
   * key (the skills example changes `script.content` alone), lists and scalars replace. `runtimeResource` or
   * `datasource` sent back unchanged is refused: the skills documentation warns that resending them "can cause
   * errors" because DataWorks corrects their stored values; this sandbox always refuses (Assumption).
   */
  updateNode(projectId: string, id: string | undefined, specText: string | undefined): void {
    this.project(projectId);
    const node = this.node(projectId, id);
    const spec = parseNodeSpec(specText);
    const incoming = (spec.spec as { nodes: Array<Record<string, unknown>> }).nodes[0];
    const specError = (message: string) => new SandboxApiError(FLOWSPEC_ERROR.status, FLOWSPEC_ERROR.code, `Spec JSON parse failed: ${message}`);
    if (incoming.id === undefined) throw specError('$.spec.nodes[0].id is required: UpdateNode addresses the node by its id');
    if (String(incoming.id) !== String(node.id) && incoming.id !== node.name) throw specError(`$.spec.nodes[0].id ${String(incoming.id)} is not node ${node.id}`);
    if (incoming.name !== undefined && incoming.name !== node.name) throw specError('$.spec.nodes[0].name differs: UpdateNode cannot rename a node (RenameNode does)');
    const storedNodes = (node.spec.spec as { nodes: Array<Record<string, unknown>> }).nodes;
    for (const field of ['runtimeResource', 'datasource']) {
      if (incoming[field] !== undefined && sameJson(mergeIncremental(storedNodes[0][field], incoming[field]), storedNodes[0][field])) {
        throw specError(`$.spec.nodes[0].${field} is sent unchanged; UpdateNode is incremental: send only the fields that change`);
      }
    }
    let merged: Record<string, unknown> = { ...(mergeIncremental(storedNodes[0], incoming) as Record<string, unknown>), id: String(node.id) };
    const newGroup = (incoming.runtimeResource as { resourceGroup?: unknown; resourceGroupId?: unknown } | undefined);
    if (newGroup?.resourceGroup !== undefined && newGroup.resourceGroupId === undefined) {
      const { resourceGroupId: _stale, ...rest } = merged.runtimeResource as Record<string, unknown>;
      merged = completed({ ...merged, runtimeResource: rest });
    }
    asServiceError(() => checkCompleteNode(merged));
    validateNode(merged);
    const deps = (spec.spec as { flow?: unknown[] }).flow;
    const storedDeps = (node.spec.spec as { flow?: unknown[] }).flow ?? [];
    node.spec = {
      ...node.spec,
      spec: { nodes: [merged], flow: deps ? deps.map(d => ({ ...(d as object), nodeId: String(node.id) })) : storedDeps },
    };
    node.version++;
    node.modifyTime = this.clock();
  }

  deleteNode(projectId: string, id: string | undefined): void {
    this.project(projectId);
    const node = this.node(projectId, id);
    if (node.taskId !== undefined) {
      throw new SandboxApiError(400, 'Node.Deployed', `node ${node.name} is deployed to production; undeploy it (an Offline deployment process) before deleting it`);
    }
    if (this.activeRunFor(node.id)) throw new SandboxApiError(400, 'Node.InDeployment', `node ${node.name} has a deployment process in progress`);
    this.nodes.delete(node.id);
  }

  activeRunFor(nodeId: bigint): SandboxRun | undefined {
    return this.runs.find(r => r.nodeId === nodeId && (r.status === 'Init' || r.status === 'Running'));
  }

  createRun(projectId: string, type: string | undefined, objectIdsText: string | undefined, description: string | undefined): SandboxRun {
    this.project(projectId);
    if (type !== 'Online' && type !== 'Offline') throw new SandboxApiError(400, 'InvalidParameter.Type', `Type must be Online or Offline, got ${type}`);
    let ids: unknown;
    try {
      ids = JSON.parse(objectIdsText ?? '');
    } catch {
      throw new SandboxApiError(400, 'InvalidParameter.ObjectIds', `ObjectIds must be a JSON array of ids, got ${objectIdsText}`);
    }
    if (!Array.isArray(ids) || ids.length === 0) throw new SandboxApiError(400, 'InvalidParameter.ObjectIds', '未找到发布对象: ObjectIds is empty');
    // Only the first entity is deployed (CreatePipelineRun reference).
    const node = this.nodes.get(BigInt(String(ids[0])));
    if (!node || node.projectId !== projectId) throw new SandboxApiError(400, 'InvalidParameter.ObjectIds', `未找到发布对象: ${String(ids[0])}`);
    if (this.activeRunFor(node.id)) throw new SandboxApiError(400, 'PipelineRun.Conflict', `node ${node.name} already has a deployment process in progress`);
    if (type === 'Offline' && node.taskId === undefined) throw new SandboxApiError(400, 'PipelineRun.NothingToUndeploy', `node ${node.name} is not deployed`);
    const stage = (code: string, name: string, t: SandboxStage['type'], step: number, automatic: boolean): SandboxStage => ({ code, name, type: t, step, automatic, status: automatic ? 'Running' : 'Init' });
    const stages = type === 'Online'
      ? [stage('BUILD_PACKAGE', 'Build package', 'Build', 1, true), stage('PROD_CHECK', 'Production check', 'Check', 2, false), stage('PROD', 'Deploy to production', 'Deploy', 3, false)]
      : [stage('OfflineCheck', 'Undeploy check', 'Check', 1, true), stage('PROD_CHECK', 'Production check', 'Check', 2, false), stage('PROD', 'Undeploy from production', 'Offline', 3, false)];
    const run: SandboxRun = {
      id: `a7ef0634-20ec-4a7c-a214-${String(++this.runCounter).padStart(12, '0')}`,
      projectId,
      type,
      nodeId: node.id,
      nodeName: node.name,
      packagedSpec: JSON.stringify(node.spec),
      packagedVersion: node.version,
      description: description ?? '',
      createTime: this.clock(),
      status: 'Running',
      stages,
    };
    this.runs.push(run);
    return run;
  }

  run(projectId: string, id: string | undefined): SandboxRun {
    this.project(projectId);
    const r = this.runs.find(x => x.id === id && x.projectId === projectId);
    if (!r) throw new SandboxApiError(404, 'Invalid.PipelineRun.NotFound', `deployment process ${id} does not exist`);
    return r;
  }

  /** Reading a process lets its Running stages finish, and a finished last stage finish the process. */
  settle(run: SandboxRun): void {
    if (run.status !== 'Running') return;
    for (const s of run.stages) {
      if (s.status !== 'Running') continue;
      if (this.pendingStageFailure && this.pendingStageFailure.code === s.code) {
        s.status = 'Fail';
        s.message = this.pendingStageFailure.message;
        run.status = 'Fail';
        run.message = this.pendingStageFailure.message;
        this.pendingStageFailure = undefined;
        return;
      }
      s.status = 'Success';
    }
    if (run.stages.every(s => s.status === 'Success')) {
      run.status = 'Success';
      const node = this.nodes.get(run.nodeId);
      if (node) {
        if (run.type === 'Online') {
          node.taskId ??= this.nextTaskId++;
          node.deployedVersion = run.packagedVersion;
        } else {
          node.taskId = undefined;
          node.deployedVersion = undefined;
        }
      }
    }
  }

  execStage(projectId: string, id: string | undefined, code: string | undefined): void {
    const run = this.run(projectId, id);
    if (run.status !== 'Running') throw new SandboxApiError(400, 'PipelineRun.NotRunning', '流水线不是正在运行 (the deployment process is not running)');
    const index = run.stages.findIndex(s => s.code === code);
    if (index < 0) throw new SandboxApiError(400, 'InvalidParameter.Code', `stage ${code} is not part of process ${run.id}`);
    const stage = run.stages[index];
    if (stage.status !== 'Init') throw new SandboxApiError(400, 'PipelineRun.StageNotInit', `stage ${code} is ${stage.status}, not Init`);
    if (!run.stages.slice(0, index).every(s => s.status === 'Success')) throw new SandboxApiError(400, 'PipelineRun.PreviousStageNotDone', `the stages before ${code} have not all succeeded`);
    stage.status = 'Running';
  }

  abolish(projectId: string, id: string | undefined): void {
    const run = this.run(projectId, id);
    if (run.status !== 'Init' && run.status !== 'Running') throw new SandboxApiError(400, 'PipelineRun.NotRunning', `deployment process ${run.id} is ${run.status}`);
    run.status = 'Cancel';
  }
}

/** Objects merge key by key, anything else replaces. */
function mergeIncremental(stored: unknown, incoming: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(stored) || !isObject(incoming)) return incoming;
  const out: Record<string, unknown> = { ...stored };
  for (const [k, v] of Object.entries(incoming)) out[k] = mergeIncremental(stored[k], v);
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

/**
 * The node as DataWorks stores it: the resource group is completed with its id (ListNodes and GetTask return
 * `runtimeResource.resourceGroupId` beside `resourceGroup`), so the stored value differs from the one sent.
 */
function completed(node: Record<string, unknown>): Record<string, unknown> {
  const rr = node.runtimeResource as { resourceGroup?: unknown; resourceGroupId?: unknown } | undefined;
  if (!rr || typeof rr.resourceGroup !== 'string' || rr.resourceGroupId !== undefined) return node;
  const digits = [...rr.resourceGroup].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000, 7);
  return { ...node, runtimeResource: { ...rr, resourceGroupId: String(57_000_000 + digits) } };
}

/** A FlowSpec model violation as the answer DataWorks gives (flowspec-model.ts). */
function asServiceError(check: () => void): void {
  try {
    check();
  } catch (e) {
    if (e instanceof FlowSpecViolation) throw new SandboxApiError(e.status, e.code, e.message);
    throw e;
  }
}

function parseNodeSpec(text: string | undefined): Record<string, unknown> {
  let spec: unknown;
  try {
    spec = JSON.parse(text ?? '');
  } catch {
    throw new SandboxApiError(FLOWSPEC_ERROR.status, FLOWSPEC_ERROR.code, 'Spec JSON parse failed: Spec is not JSON');
  }
  asServiceError(() => checkFlowSpecModel(spec));
  const s = spec as { spec: { nodes: unknown[] } };
  if (s.spec.nodes.length === 0) throw new SandboxApiError(FLOWSPEC_ERROR.status, FLOWSPEC_ERROR.code, 'Spec JSON parse failed: $.spec.nodes must hold the node');
  return spec as Record<string, unknown>;
}

/** What DataWorks needs to schedule a node; a DI node's content must be a DIJob (type job, reader, writer, extend). */
function validateNode(node: Record<string, unknown>): void {
  const script = node.script as { runtime?: { command?: unknown }; content?: unknown; language?: unknown } | undefined;
  const command = script?.runtime?.command;
  if (typeof command !== 'string') throw new SandboxApiError(400, 'InvalidParameter.Spec', 'script.runtime.command is required');
  const trigger = node.trigger as { type?: unknown; cron?: unknown } | undefined;
  if (trigger?.type === 'Scheduler' && (typeof trigger.cron !== 'string' || trigger.cron.trim().split(/\s+/).length !== 6)) {
    throw new SandboxApiError(400, 'InvalidParameter.Spec', 'a Scheduler trigger needs a 6-field cron');
  }
  if (command === 'DI') {
    let job: { type?: unknown; steps?: Array<{ category?: unknown }>; extend?: unknown };
    try {
      job = JSON.parse(String(script?.content ?? ''));
    } catch {
      throw new SandboxApiError(400, 'InvalidParameter.Spec', 'DI script.content is not JSON');
    }
    if (job.type !== 'job' || !Array.isArray(job.steps) || !job.steps.some(s => s.category === 'reader') || !job.steps.some(s => s.category === 'writer') || !job.extend) {
      throw new SandboxApiError(400, 'InvalidParameter.Spec', 'DI script.content must be a DIJob with a reader, a writer and an extend block');
    }
    validateDiJobPlugins(job as Parameters<typeof validateDiJobPlugins>[0]);
  }
}

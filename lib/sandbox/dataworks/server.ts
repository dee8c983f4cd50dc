/**
 * Loopback DataWorks OpenAPI (2024-05-18) server for tests: the RPC actions the sync node needs, answered from
 * an in-memory workspace (state.ts), behind the V3 signature check DataWorks applies (signature.ts) and the
 * request contract the SDK declares for each action (api-contract.ts: method, query vs form body, names, types),
 * with FlowSpecs checked against the dataworks-spec model (flowspec-model.ts), and fault injection (throttling,
 * 5xx, connections dropped before or after the action took effect).
 *
 * Responses follow the field names of the DataWorks API reference; node and task ids are 19/15-digit integers
 * written as JSON numbers, as DataWorks writes them, so clients that lose digits to `JSON.parse` fail here too.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { closeServer, listenOnLoopback } from '../loopback';
import { AlertRuleStore, alertRuleView } from './alert-rules';
import { checkAgainstContract, ContractViolation } from './api-contract';
import { SandboxCredential, SignatureError, verifyV3Signature } from './signature';
import { DataWorksState, SandboxApiError, SandboxNode, SandboxProject, SandboxRun } from './state';

export type DataWorksAction =
  | 'CreateNode' | 'UpdateNode' | 'GetNode' | 'DeleteNode' | 'ListNodes'
  | 'CreatePipelineRun' | 'GetPipelineRun' | 'ExecPipelineRunStage' | 'ListPipelineRuns' | 'ListPipelineRunItems' | 'AbolishPipelineRun'
  | 'CreateAlertRule' | 'UpdateAlertRule' | 'GetAlertRule' | 'ListAlertRules' | 'DeleteAlertRule';

export type DataWorksFault =
  /** Answer 400 Throttling.User without acting. */
  | { readonly kind: 'throttle' }
  /** Answer with this 5xx status without acting. */
  | { readonly kind: 'server-error'; readonly status?: number }
  /** Answer with this error without acting (e.g. a stage that needs approval in the console). */
  | { readonly kind: 'error'; readonly status: number; readonly code: string; readonly message: string }
  /** Close the connection without acting and without answering. */
  | { readonly kind: 'drop-before' }
  /** Act, then close the connection without answering: the client cannot know the action took effect. */
  | { readonly kind: 'drop-after' };

export interface DataWorksFaultRule {
  readonly action: DataWorksAction | '*';
  /** How many matching requests the rule affects; default 1. */
  readonly count?: number;
  readonly fault: DataWorksFault;
}

export interface DataWorksRequestRecord {
  readonly action: string;
  /** HTTP method the request came with. */
  readonly method: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** HTTP status answered, or 'dropped'. */
  readonly outcome: number | 'dropped';
  readonly code?: string;
}

export interface DataWorksSandboxOptions {
  readonly credentials: readonly SandboxCredential[];
  readonly projects: readonly SandboxProject[];
}

export interface DataWorksSandbox {
  /** `http://127.0.0.1:<port>`: the value for OTSBK_DATAWORKS_ENDPOINT. */
  readonly endpoint: string;
  readonly state: DataWorksState;
  /** The account's custom alert rules. */
  readonly alertRules: AlertRuleStore;
  readonly requests: DataWorksRequestRecord[];
  inject(rule: DataWorksFaultRule): void;
  /** Called for every signed request before it is handled (e.g. to kill a client process at a chosen moment). */
  onRequest(listener: ((action: string, parameters: Readonly<Record<string, string>>) => void) | undefined): void;
  close(): Promise<void>;
}

export async function startDataWorksSandbox(options: DataWorksSandboxOptions): Promise<DataWorksSandbox> {
  const state = new DataWorksState(options.projects);
  // A rule may only watch a deployed node's scheduling task.
  const alertRules = new AlertRuleStore(id => [...state.nodes.values()].some(n => n.taskId !== undefined && n.taskId === BigInt(id)));
  const rules: Array<{ rule: DataWorksFaultRule; remaining: number }> = [];
  const requests: DataWorksRequestRecord[] = [];
  const nonces = new Set<string>();
  let listener: ((action: string, parameters: Readonly<Record<string, string>>) => void) | undefined;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const requestId = randomUUID().toUpperCase();
      const answer = (status: number, payload: Record<string, unknown>, parameters: Record<string, string>, action: string): void => {
        requests.push({ action, method: req.method ?? '', parameters, outcome: status, code: typeof payload.Code === 'string' ? payload.Code : undefined });
        const text = encodeWithIntegers({ RequestId: requestId, ...payload });
        res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-acs-request-id': requestId });
        res.end(text);
      };
      const action = String(req.headers['x-acs-action'] ?? '');
      let parameters: Record<string, string> = {};
      try {
        verifyV3Signature({ method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body }, options.credentials, nonces);
        if (req.headers['x-acs-version'] !== '2024-05-18') throw new SandboxApiError(400, 'InvalidVersion', `version ${String(req.headers['x-acs-version'])} is not 2024-05-18`);
        const contentType = String(req.headers['content-type'] ?? '');
        if (body.length > 0 && !/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
          throw new SandboxApiError(400, 'InvalidParameter', `the body must be application/x-www-form-urlencoded (the SDK's reqBodyType formData), not "${contentType}"`);
        }
        const query = new URL(req.url ?? '/', 'http://x').searchParams;
        parameters = checkAgainstContract(action, req.method ?? '', query, new URLSearchParams(body.toString('utf8')));
        listener?.(action, parameters);
        const fault = takeFault(rules, action);
        if (fault?.kind === 'throttle') throw new SandboxApiError(400, 'Throttling.User', 'Request was denied due to user flow control.');
        if (fault?.kind === 'server-error') throw new SandboxApiError(fault.status ?? 503, fault.status === 500 ? 'InternalError' : 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
        if (fault?.kind === 'error') throw new SandboxApiError(fault.status, fault.code, fault.message);
        if (fault?.kind === 'drop-before') {
          requests.push({ action, method: req.method ?? '', parameters, outcome: 'dropped' });
          req.socket.destroy();
          return;
        }
        const payload = handleAlertRule(alertRules, action, parameters) ?? handle(state, action, parameters);
        if (fault?.kind === 'drop-after') {
          requests.push({ action, method: req.method ?? '', parameters, outcome: 'dropped' });
          req.socket.destroy();
          return;
        }
        answer(200, payload, parameters, action);
      } catch (e) {
        if (e instanceof SignatureError || e instanceof ContractViolation) answer(e.status, { Code: e.code, Message: e.message }, parameters, action);
        else if (e instanceof SandboxApiError) answer(e.status, { Code: e.code, Message: e.message }, parameters, action);
        else answer(500, { Code: 'InternalError', Message: (e as Error).message }, parameters, action);
      }
    });
  });
  const endpoint = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  return {
    endpoint,
    state,
    alertRules,
    requests,
    inject: rule => rules.push({ rule, remaining: rule.count ?? 1 }),
    onRequest: l => {
      listener = l;
    },
    close: () => closeServer(server),
  };
}

function takeFault(rules: Array<{ rule: DataWorksFaultRule; remaining: number }>, action: string): DataWorksFault | undefined {
  const active = rules.find(r => r.remaining > 0 && (r.rule.action === '*' || r.rule.action === action));
  if (!active) return undefined;
  active.remaining--;
  return active.rule.fault;
}

/** Marks a value to be written as a bare JSON integer however many digits it has. */
class JsonInteger {
  constructor(readonly digits: string) {}
}

function encodeWithIntegers(value: unknown): string {
  const marker = '\u0000int:';
  const text = JSON.stringify(value, (_k, v) => (v instanceof JsonInteger ? `${marker}${v.digits}` : typeof v === 'bigint' ? `${marker}${v}` : v));
  return text.replace(/"\\u0000int:(-?\d+)"/g, '$1');
}

/** The alert rule actions, or undefined for any other action. */
function handleAlertRule(rules: AlertRuleStore, action: string, p: Record<string, string>): Record<string, unknown> | undefined {
  switch (action) {
    case 'CreateAlertRule':
      return { Id: rules.create(p).id };
    case 'UpdateAlertRule':
      rules.update(p);
      return { Success: true };
    case 'GetAlertRule':
      return { AlertRule: alertRuleView(rules.get(p.Id)) };
    case 'ListAlertRules': {
      const { rules: page, size, total } = rules.list(p);
      return { PagingInfo: { AlertRules: page.map(alertRuleView), PageNumber: Number(p.PageNumber), PageSize: size, TotalCount: total } };
    }
    case 'DeleteAlertRule':
      rules.delete(p.Id);
      return { Success: true };
    default:
      return undefined;
  }
}

function handle(state: DataWorksState, action: string, p: Record<string, string>): Record<string, unknown> {
  const projectId = p.ProjectId;
  switch (action) {
    case 'CreateNode': {
      // The manual scenes and containers (workflows) are not modelled: refused rather than silently ignored.
      if (p.Scene !== 'DATAWORKS_PROJECT') throw new SandboxApiError(400, 'InvalidParameter', `this sandbox models Scene DATAWORKS_PROJECT only, not ${p.Scene}`);
      if (p.ContainerId !== undefined) throw new SandboxApiError(400, 'InvalidParameter', 'this sandbox models no containers (ContainerId)');
      const node = state.createNode(projectId, p.Spec);
      return { Id: node.id };
    }
    case 'UpdateNode':
      state.updateNode(projectId, p.Id, p.Spec);
      return { Success: true };
    case 'GetNode': {
      state.project(projectId);
      const n = state.node(projectId, p.Id);
      return { Node: nodeView(n, true) };
    }
    case 'DeleteNode':
      state.deleteNode(projectId, p.Id);
      return { Success: true };
    case 'ListNodes': {
      state.project(projectId);
      // Every node here lives in the project folder (CreateNode Scene DATAWORKS_PROJECT), in no container; Name is a
      // fuzzy match; Recurrence and RerunMode filter on the node's fields.
      const inScene = (p.Scene === undefined || p.Scene === 'DataworksProject') && p.ContainerId === undefined;
      const field = (n: SandboxNode, key: string) => (n.spec.spec as { nodes: Array<Record<string, unknown>> }).nodes[0][key];
      const all = [...state.nodes.values()]
        .filter(n => inScene && n.projectId === projectId && (p.Name === undefined || n.name.includes(p.Name)))
        .filter(n => (p.Recurrence === undefined || (field(n, 'recurrence') ?? 'Normal') === p.Recurrence) && (p.RerunMode === undefined || field(n, 'rerunMode') === p.RerunMode))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      const { items, page, size, total } = pageOf(p, all);
      return { PagingInfo: { Nodes: items.map(n => nodeView(n, false)), PageNumber: String(page), PageSize: String(size), TotalCount: String(total) } };
    }
    case 'CreatePipelineRun':
      // RunMode Auto (drive the process to AutoRunUntilStage by itself) is not modelled: refused rather than ignored.
      if ((p.RunMode !== undefined && p.RunMode !== 'Normal') || p.AutoRunUntilStage !== undefined) throw new SandboxApiError(400, 'InvalidParameter', 'this sandbox models RunMode Normal only');
      return { Id: state.createRun(projectId, p.Type, p.ObjectIds, p.Description).id };
    case 'GetPipelineRun': {
      const run = state.run(projectId, p.Id);
      state.settle(run);
      return { Pipeline: runView(run) };
    }
    case 'ExecPipelineRunStage':
      state.execStage(projectId, p.Id, p.Code);
      return { Success: true };
    case 'AbolishPipelineRun':
      state.abolish(projectId, p.Id);
      return { Success: true };
    case 'ListPipelineRuns': {
      state.project(projectId);
      const all = state.runs
        .filter(r => r.projectId === projectId && (p.Status === undefined || r.status === p.Status) && (p.ObjectId === undefined || r.nodeId.toString() === p.ObjectId))
        .filter(r => p.Creator === undefined || p.Creator === RUN_CREATOR)
        .slice().reverse();
      const { items, page, size, total } = pageOf(p, all);
      return { PagingInfo: { PipelineRuns: items.map(runView), PageNumber: page, PageSize: size, TotalCount: total } };
    }
    case 'ListPipelineRunItems': {
      const run = state.run(projectId, p.PipelineRunId);
      const item = { Id: run.nodeId, Name: run.nodeName, Spec: run.packagedSpec, Status: run.status, Type: 'Node', Version: run.packagedVersion, CreateTime: run.createTime, ModifyTime: run.createTime };
      return { PagingInfo: { PipelineRunItems: [item], PageNumber: 1, PageSize: 100, TotalCount: 1 } };
    }
    default:
      throw new SandboxApiError(404, 'InvalidAction.NotFound', `action ${action} is not supported`);
  }
}

/** The page PageNumber (default 1) and PageSize (default 10, at most 100) select from `all`. */
function pageOf<T>(p: Record<string, string>, all: readonly T[]): { items: T[]; page: number; size: number; total: number } {
  const page = Number(p.PageNumber ?? 1);
  const size = Number(p.PageSize ?? 10);
  if (!Number.isInteger(page) || page < 1) throw new SandboxApiError(400, 'InvalidParameter.PageNumber', `PageNumber ${p.PageNumber} is invalid`);
  if (!Number.isInteger(size) || size < 1 || size > 100) throw new SandboxApiError(400, 'InvalidParameter.PageSize', `PageSize ${p.PageSize} must be 1 to 100`);
  return { items: all.slice((page - 1) * size, page * size), page, size, total: all.length };
}

function nodeView(n: SandboxNode, withSpec: boolean): Record<string, unknown> {
  const node = (n.spec.spec as { nodes: Array<Record<string, unknown>> }).nodes[0];
  const view: Record<string, unknown> = {
    Id: n.id,
    Name: n.name,
    ProjectId: new JsonInteger(n.projectId),
    CreateTime: n.createTime,
    ModifyTime: n.modifyTime,
    Description: typeof node.description === 'string' ? node.description : undefined,
    TaskId: n.taskId,
  };
  if (withSpec) {
    view.Spec = JSON.stringify(n.spec);
    delete view.Description;
  }
  return view;
}

/** The account that creates every deployment process here (the SDK's example creator id). */
const RUN_CREATOR = '110755000425XXXX';

function runView(r: SandboxRun): Record<string, unknown> {
  return {
    Id: r.id,
    ProjectId: new JsonInteger(r.projectId),
    Status: r.status,
    Message: r.message,
    CreateTime: r.createTime,
    ModifyTime: r.createTime,
    Creator: RUN_CREATOR,
    Stages: r.stages.map(s => ({ Code: s.code, Name: s.name, Type: s.type, Step: s.step, Status: s.status, Message: s.message, Description: s.name })),
  };
}

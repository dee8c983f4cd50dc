/**
 * DataWorks 2024-05-18 OpenAPI client for the node and deployment calls the sync node needs. Requests go through
 * `@alicloud/openapi-client` (RPC style, ACS3-HMAC-SHA256 signature) with the HTTP method and parameter placement
 * the generated SDK declares for each action (actions.ts); responses are parsed here so that 19-digit node ids keep
 * every digit (see json.ts).
 */
import type OpenApiClient from '@alicloud/openapi-client';
import type { CredentialProvider } from '../common/credentials';
import { ActionValue, DataWorksActionName, placeParameters } from './actions';
import { parseJsonPreservingLargeIntegers } from './json';
import { FailureKind, realSleep, retryLine, RetryPolicy, Sleep, withRetry } from '../common/retry';

export const DATAWORKS_API_VERSION = '2024-05-18';

/**
 * `@alicloud/openapi-client`, loaded on the first client constructed: it brings @alicloud/credentials, xml2js and
 * the Tea runtime, which a process that never calls DataWorks (a Tablestore operation of dist/ops.js) need not load.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const openApi = (): typeof import('@alicloud/openapi-client') => require('@alicloud/openapi-client');

/** DataWorks calls: 6 tries, from 0.5 s doubling up to 15 s. */
export const DATAWORKS_RETRY_POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 15_000 };

export interface DataWorksClientOptions {
  /** `dataworks.<region>.aliyuncs.com`, or `http://127.0.0.1:<port>` for a loopback server. */
  readonly endpoint: string;
  readonly regionId: string;
  /** The standard chain (lib/common/credentials.ts) or fixed test keys. */
  readonly credentials: CredentialProvider;
  readonly retryPolicy?: RetryPolicy;
  readonly sleep?: Sleep;
  readonly onRetry?: (message: string) => void;
  readonly readTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

/** A DataWorks error answer, or a transport failure while talking to DataWorks. */
export class DataWorksApiError extends Error {
  constructor(
    readonly action: string,
    readonly code: string,
    readonly statusCode: number | undefined,
    readonly requestId: string | undefined,
    message: string,
  ) {
    super(`DataWorks ${action} failed: ${code}${statusCode ? ` (HTTP ${statusCode})` : ''}: ${message}${requestId ? ` [RequestId ${requestId}]` : ''}`);
    this.name = 'DataWorksApiError';
  }
}

/** Transport error codes after which the request may or may not have reached DataWorks. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN', 'ENOTFOUND', 'ReadTimeout', 'ConnectTimeout']);

export function classifyDataWorksError(error: unknown): FailureKind {
  if (error instanceof DataWorksApiError) {
    if (/^Throttling|^ServiceUnavailable|^Flow[Cc]ontrol/.test(error.code) || error.statusCode === 429) return 'throttled';
    if (error.statusCode !== undefined && error.statusCode >= 500) return 'server';
    if (NETWORK_CODES.has(error.code)) return 'network';
    return 'fatal';
  }
  return 'fatal';
}

export interface NodeSummary {
  /** Node id, as a string: ids exceed 2^53. */
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  /** Scheduling task id once the node has been deployed. */
  readonly taskId?: string;
}

export interface NodeDetail extends NodeSummary {
  /** The FlowSpec DataWorks holds for the node, as JSON text. */
  readonly spec: string;
}

export type PipelineStatus = 'Init' | 'Running' | 'Success' | 'Fail' | 'Termination' | 'Cancel';

export interface PipelineStage {
  readonly code: string;
  readonly name?: string;
  readonly type?: string;
  readonly status: PipelineStatus;
  readonly step: number;
  readonly message?: string;
}

export interface PipelineRun {
  readonly id: string;
  readonly status: PipelineStatus;
  /** Creation time (ms since epoch), when DataWorks reports it. */
  readonly createTime?: number;
  readonly message?: string;
  readonly stages: readonly PipelineStage[];
}

export interface PipelineRunItem {
  /** The deployed object's id (the node id). */
  readonly id: string;
  readonly name: string;
  /** The object's FlowSpec as packaged by this process. */
  readonly spec?: string;
}

type Parameters = Readonly<Record<string, ActionValue | undefined>>;

/** A custom alert rule as CreateAlertRule / UpdateAlertRule take it (CreateAlertRuleRequest, with the SDK's field names). */
export interface AlertRuleInput {
  readonly Name: string;
  /** Account id owning the rule. */
  readonly Owner: string;
  readonly Enabled: boolean;
  /** Type, Target {Type, Ids}, Extension. */
  readonly TriggerCondition: Readonly<Record<string, unknown>>;
  /** Channels, IntervalInMinutes, Maximum, Receivers [{ReceiverType, ReceiverValues, Extension}]. */
  readonly Notification: Readonly<Record<string, unknown>>;
}

/** A rule as GetAlertRule / ListAlertRules report it (GetAlertRuleResponseBodyAlertRule). */
export interface AlertRule {
  /** Rule id, as a string. */
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly enabled: boolean;
  readonly triggerCondition: Readonly<Record<string, unknown>>;
  readonly notification: Readonly<Record<string, unknown>>;
}

/** ListNodes `Scene` of the DataStudio project folder, where CreateNode with Scene DATAWORKS_PROJECT puts a node (ListNodesRequest.scene). */
const LIST_NODES_PROJECT_SCENE = 'DataworksProject';

export class DataWorksClient {
  private readonly api: OpenApiClient;
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;

  constructor(private readonly options: DataWorksClientOptions) {
    const { protocol, host } = splitEndpoint(options.endpoint);
    const { default: Client, Config } = openApi();
    this.api = new Client(new Config({
      // The shape `@alicloud/openapi-client` signs with: getCredential() and a type (`sts` with a token).
      credential: {
        getCredential: async () => {
          const c = await options.credentials();
          return { ...c, type: c.securityToken ? 'sts' : 'access_key' };
        },
      } as never,
      endpoint: host,
      protocol,
      regionId: options.regionId,
      readTimeout: options.readTimeoutMs ?? 30_000,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
    }));
    this.policy = options.retryPolicy ?? DATAWORKS_RETRY_POLICY;
    this.sleep = options.sleep ?? realSleep;
  }

  /** One signed call, no retry, sent as the action's row in actions.ts says. Returns the parsed JSON body. */
  async call(action: DataWorksActionName, parameters: Parameters): Promise<Record<string, unknown>> {
    const placed = placeParameters(action, parameters);
    const { Params, OpenApiRequest } = openApi();
    const params = new Params({
      action,
      version: DATAWORKS_API_VERSION,
      protocol: 'HTTPS',
      pathname: '/',
      method: placed.method,
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'string',
    });
    const request = new OpenApiRequest({
      ...(Object.keys(placed.query).length > 0 ? { query: placed.query } : {}),
      ...(Object.keys(placed.body).length > 0 ? { body: placed.body } : {}),
    });
    let text: string;
    try {
      const response = await this.api.callApi(params, request, { autoretry: false } as never);
      text = String((response as { body?: unknown }).body ?? '');
    } catch (error) {
      throw toApiError(action, error);
    }
    let parsed: unknown;
    try {
      parsed = parseJsonPreservingLargeIntegers(text);
    } catch {
      throw new DataWorksApiError(action, 'InvalidResponse', undefined, undefined, `response is not JSON: ${text.slice(0, 200)}`);
    }
    if (parsed === null || typeof parsed !== 'object') throw new DataWorksApiError(action, 'InvalidResponse', undefined, undefined, 'response is not a JSON object');
    return parsed as Record<string, unknown>;
  }

  /**
   * A call retried on throttling, 5xx and dropped connections. Only for calls that are safe to send twice
   * (reads, and writes that set an absolute state); `recover` handles the others.
   */
  async callWithRetry(action: DataWorksActionName, parameters: Parameters, recover?: () => Promise<Record<string, unknown> | undefined>): Promise<Record<string, unknown>> {
    return withRetry(() => this.call(action, parameters), {
      policy: this.policy,
      classify: classifyDataWorksError,
      sleep: this.sleep,
      onRetry: event => this.options.onRetry?.(retryLine(`DataWorks ${action}`, this.policy, event)),
      recover,
    });
  }

  /** Nodes of the project folder; `name` filters by a fuzzy match (ListNodesRequest.name), so callers compare names exactly. */
  async listNodes(projectId: string, pageNumber: number, pageSize: number, name?: string): Promise<{ nodes: NodeSummary[]; totalCount: number }> {
    const body = await this.callWithRetry('ListNodes', { ProjectId: projectId, Scene: LIST_NODES_PROJECT_SCENE, Name: name, PageNumber: pageNumber, PageSize: pageSize });
    const paging = objectField(body, 'PagingInfo', 'ListNodes');
    const nodes = (Array.isArray(paging.Nodes) ? paging.Nodes : []).map(n => toNodeSummary(n as Record<string, unknown>));
    return { nodes, totalCount: Number(paging.TotalCount ?? nodes.length) };
  }

  /** The node with this name in the project's DataStudio root, or undefined. Names are unique per project. */
  async findNodeByName(projectId: string, name: string): Promise<NodeSummary | undefined> {
    const pageSize = 100;
    for (let page = 1; ; page++) {
      const { nodes, totalCount } = await this.listNodes(projectId, page, pageSize, name);
      const match = nodes.find(n => n.name === name);
      if (match) return match;
      if (nodes.length < pageSize || page * pageSize >= totalCount) return undefined;
    }
  }

  async getNode(projectId: string, id: string): Promise<NodeDetail> {
    const body = await this.callWithRetry('GetNode', { ProjectId: projectId, Id: id });
    const node = objectField(body, 'Node', 'GetNode');
    return { ...toNodeSummary(node), spec: String(node.Spec ?? '') };
  }

  /**
   * CreateNode has no client token: after an ambiguous failure the node may exist. Before resending, look it up
   * by name and adopt it if it is there, so one deploy never makes two nodes.
   */
  async createNode(projectId: string, name: string, spec: string): Promise<string> {
    const body = await this.callWithRetry('CreateNode', { ProjectId: projectId, Scene: 'DATAWORKS_PROJECT', Spec: spec }, async () => {
      const existing = await this.findNodeByName(projectId, name);
      return existing ? { Id: existing.id } : undefined;
    });
    return requiredId(body.Id, 'CreateNode');
  }

  /**
   * UpdateNode with an incremental spec (node-update.ts). Resending it after it took effect would resend fields
   * that are then unchanged, so after an ambiguous failure `applied` is asked first whether the node already
   * holds the update.
   */
  async updateNode(projectId: string, id: string, spec: string, applied: () => Promise<boolean>): Promise<void> {
    await this.callWithRetry('UpdateNode', { ProjectId: projectId, Id: id, Spec: spec }, async () => ((await applied()) ? { Success: true } : undefined));
  }

  /** After an ambiguous failure the node may be gone already; a retry that finds it missing is success. */
  async deleteNode(projectId: string, id: string): Promise<void> {
    await this.callWithRetry('DeleteNode', { ProjectId: projectId, Id: id }, async () => {
      const { nodes } = await this.listNodesAll(projectId);
      return nodes.some(n => n.id === id) ? undefined : { Success: true };
    });
  }

  async listNodesAll(projectId: string): Promise<{ nodes: NodeSummary[] }> {
    const all: NodeSummary[] = [];
    for (let page = 1; ; page++) {
      const { nodes, totalCount } = await this.listNodes(projectId, page, 100);
      all.push(...nodes);
      if (nodes.length < 100 || all.length >= totalCount) return { nodes: all };
    }
  }

  /** Not retried here: a second deployment process for the same node is avoided by the publisher's own recovery. */
  async createPipelineRun(projectId: string, type: 'Online' | 'Offline', objectId: string, description: string): Promise<string> {
    const body = await this.call('CreatePipelineRun', { ProjectId: projectId, Type: type, ObjectIds: [objectId], Description: description });
    return requiredId(body.Id, 'CreatePipelineRun');
  }

  async getPipelineRun(projectId: string, id: string): Promise<PipelineRun> {
    const body = await this.callWithRetry('GetPipelineRun', { ProjectId: projectId, Id: id });
    return toPipelineRun(objectField(body, 'Pipeline', 'GetPipelineRun'));
  }

  /** Not retried here: advancing is asynchronous, the publisher re-reads the run instead of resending. */
  async execPipelineRunStage(projectId: string, id: string, code: string): Promise<void> {
    await this.call('ExecPipelineRunStage', { ProjectId: projectId, Id: id, Code: code });
  }

  /** Cancels a deployment process that is no longer wanted. */
  async abolishPipelineRun(projectId: string, id: string): Promise<void> {
    await this.callWithRetry('AbolishPipelineRun', { ProjectId: projectId, Id: id });
  }

  /** The objects a deployment process carries, with the spec each was packaged with. */
  async listPipelineRunItems(projectId: string, pipelineRunId: string): Promise<PipelineRunItem[]> {
    const items: PipelineRunItem[] = [];
    for (let page = 1; ; page++) {
      const body = await this.callWithRetry('ListPipelineRunItems', { ProjectId: projectId, PipelineRunId: pipelineRunId, PageNumber: page, PageSize: 100 });
      const paging = objectField(body, 'PagingInfo', 'ListPipelineRunItems');
      const batch = (Array.isArray(paging.PipelineRunItems) ? paging.PipelineRunItems : []).map(raw => {
        const r = raw as Record<string, unknown>;
        return { id: requiredId(r.Id, 'ListPipelineRunItems'), name: String(r.Name ?? ''), spec: typeof r.Spec === 'string' ? r.Spec : undefined };
      });
      items.push(...batch);
      if (batch.length < 100 || items.length >= Number(paging.TotalCount ?? items.length)) return items;
    }
  }

  /** Deployment processes of the workspace, newest first; `objectId` keeps those that carry that node (ListPipelineRunsRequest.objectId). */
  async listPipelineRuns(projectId: string, filter: { status?: PipelineStatus; objectId?: string }, pageNumber: number, pageSize: number): Promise<{ runs: PipelineRun[]; totalCount: number }> {
    const body = await this.callWithRetry('ListPipelineRuns', { ProjectId: projectId, Status: filter.status, ObjectId: filter.objectId, PageNumber: pageNumber, PageSize: pageSize });
    const paging = objectField(body, 'PagingInfo', 'ListPipelineRuns');
    const runs = (Array.isArray(paging.PipelineRuns) ? paging.PipelineRuns : []).map(r => toPipelineRun(r as Record<string, unknown>));
    return { runs, totalCount: Number(paging.TotalCount ?? runs.length) };
  }

  // ---- Custom monitoring alert rules (account-wide: no ProjectId). Methods and parameter locations as the
  // generated SDK sends them (ALERT_RULE_ACTIONS); structures are json-encoded query parameters ("shrink" style).

  /** CreateAlertRule has no client token: after an ambiguous failure, look the rule up by its (marked) name before resending. */
  async createAlertRule(rule: AlertRuleInput): Promise<string> {
    const body = await this.callWithRetry('CreateAlertRule', alertRuleParameters(rule), async () => {
      const existing = (await this.listAlertRulesAll({ name: rule.Name })).find(r => r.name === rule.Name);
      return existing ? { Id: existing.id } : undefined;
    });
    return requiredId(body.Id, 'CreateAlertRule');
  }

  /** UpdateAlertRule sends the whole desired rule: sending it twice leaves the same rule. */
  async updateAlertRule(id: string, rule: AlertRuleInput): Promise<void> {
    await this.callWithRetry('UpdateAlertRule', { Id: id, ...alertRuleParameters(rule) });
  }

  async getAlertRule(id: string): Promise<AlertRule> {
    const body = await this.callWithRetry('GetAlertRule', { Id: id });
    return toAlertRule(objectField(body, 'AlertRule', 'GetAlertRule'), 'GetAlertRule');
  }

  async listAlertRules(filter: { name?: string; taskIds?: readonly number[] }, pageNumber: number, pageSize: number): Promise<{ rules: AlertRule[]; totalCount: number }> {
    const body = await this.callWithRetry('ListAlertRules', {
      Name: filter.name, TaskIds: filter.taskIds ? JSON.stringify(filter.taskIds) : undefined, PageNumber: pageNumber, PageSize: pageSize,
    });
    const paging = objectField(body, 'PagingInfo', 'ListAlertRules');
    const rules = (Array.isArray(paging.AlertRules) ? paging.AlertRules : []).map(r => toAlertRule(r as Record<string, unknown>, 'ListAlertRules'));
    return { rules, totalCount: Number(paging.TotalCount ?? rules.length) };
  }

  async listAlertRulesAll(filter: { name?: string; taskIds?: readonly number[] }): Promise<AlertRule[]> {
    const all: AlertRule[] = [];
    for (let page = 1; ; page++) {
      const { rules, totalCount } = await this.listAlertRules(filter, page, 100);
      all.push(...rules);
      if (rules.length < 100 || all.length >= totalCount) return all;
    }
  }

  /** After an ambiguous failure the rule may be gone already; a retry that finds it missing is success. */
  async deleteAlertRule(id: string): Promise<void> {
    await this.callWithRetry('DeleteAlertRule', { Id: id }, async () => {
      try {
        await this.getAlertRule(id);
        return undefined;
      } catch (e) {
        if (e instanceof DataWorksApiError && e.statusCode === 404) return { Success: true };
        throw e;
      }
    });
  }
}

function splitEndpoint(endpoint: string): { protocol: string; host: string } {
  const m = /^(https?):\/\/([^/]+)\/?$/i.exec(endpoint);
  if (m) return { protocol: m[1].toUpperCase(), host: m[2] };
  if (/^[A-Za-z0-9.-]+(:\d+)?$/.test(endpoint)) return { protocol: 'HTTPS', host: endpoint };
  throw new Error(`DataWorks endpoint "${endpoint}" is neither a host name nor an http(s) URL without a path`);
}

function toApiError(action: string, error: unknown): DataWorksApiError {
  const e = error as { code?: unknown; message?: unknown; data?: Record<string, unknown>; name?: unknown };
  const data = e.data ?? {};
  const statusCode = typeof data.statusCode === 'number' ? data.statusCode : undefined;
  const requestId = typeof data.RequestId === 'string' ? data.RequestId : undefined;
  if (statusCode !== undefined) {
    const code = String(data.Code ?? data.code ?? e.code ?? 'Unknown');
    const message = String(data.Message ?? data.message ?? '');
    return new DataWorksApiError(action, code, statusCode, requestId, message);
  }
  // Transport failure: node error codes (ECONNRESET...), or the HTTP client's timeout names.
  const code = typeof e.code === 'string' ? e.code : typeof e.name === 'string' && /Timeout/.test(e.name) ? e.name : 'TransportError';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const normalized = NETWORK_CODES.has(code) ? code : /socket hang up|ECONNRESET/i.test(message) ? 'ECONNRESET' : /timeout/i.test(message) ? 'ReadTimeout' : code;
  return new DataWorksApiError(action, normalized, undefined, undefined, message);
}

function objectField(body: Record<string, unknown>, field: string, action: string): Record<string, unknown> {
  const v = body[field];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new DataWorksApiError(action, 'InvalidResponse', undefined, String(body.RequestId ?? ''), `response has no ${field} object`);
  }
  return v as Record<string, unknown>;
}

function requiredId(value: unknown, action: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new DataWorksApiError(action, 'InvalidResponse', undefined, undefined, `response has no usable Id (${JSON.stringify(value)})`);
}

function optionalId(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function toNodeSummary(n: Record<string, unknown>): NodeSummary {
  return {
    id: requiredId(n.Id, 'ListNodes'),
    name: String(n.Name ?? ''),
    description: typeof n.Description === 'string' ? n.Description : undefined,
    taskId: optionalId(n.TaskId),
  };
}

const STATUSES: readonly PipelineStatus[] = ['Init', 'Running', 'Success', 'Fail', 'Termination', 'Cancel'];

function toStatus(value: unknown): PipelineStatus {
  const s = String(value);
  if ((STATUSES as readonly string[]).includes(s)) return s as PipelineStatus;
  throw new DataWorksApiError('GetPipelineRun', 'InvalidResponse', undefined, undefined, `unknown status "${s}"`);
}

function toPipelineRun(p: Record<string, unknown>): PipelineRun {
  const stages = (Array.isArray(p.Stages) ? p.Stages : []).map(raw => {
    const s = raw as Record<string, unknown>;
    return {
      code: String(s.Code ?? ''),
      name: typeof s.Name === 'string' ? s.Name : undefined,
      type: typeof s.Type === 'string' ? s.Type : undefined,
      status: toStatus(s.Status),
      step: Number(s.Step ?? 0),
      message: typeof s.Message === 'string' ? s.Message : undefined,
    };
  }).sort((a, b) => a.step - b.step);
  return { id: String(p.Id ?? ''), status: toStatus(p.Status), createTime: typeof p.CreateTime === 'number' ? p.CreateTime : undefined, message: typeof p.Message === 'string' ? p.Message : undefined, stages };
}

function alertRuleParameters(rule: AlertRuleInput): Parameters {
  return { Name: rule.Name, Owner: rule.Owner, Enabled: rule.Enabled, TriggerCondition: rule.TriggerCondition, Notification: rule.Notification };
}

function toAlertRule(r: Record<string, unknown>, action: string): AlertRule {
  const object = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {});
  return {
    id: requiredId(r.Id, action),
    name: String(r.Name ?? ''),
    owner: String(r.Owner ?? ''),
    enabled: r.Enabled === true || r.Enabled === 'true',
    triggerCondition: object(r.TriggerCondition),
    notification: object(r.Notification),
  };
}

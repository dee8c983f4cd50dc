/**
 * How the DataWorks 2024-05-18 OpenAPI takes each action this project calls: the HTTP method, and for each
 * parameter where it travels (query string or form body) and how its value is written. The client sends exactly
 * what a row says and refuses a parameter no row declares.
 *
 * Every row is transcribed from the generated SDK, aliyun/alibabacloud-typescript-sdk
 * `dataworks-public-20240518/src/client.ts` (`<action>WithOptions`: `method`, `query[...]` / `body[...]`,
 * `reqBodyType: "formData"`, `arrayToStringWithSpecifiedStyle(..., "json")`) and `src/models/<Action>Request.ts`
 * (`names()` and `types()`). The loopback server holds its own transcription (lib/sandbox/dataworks/api-contract.ts);
 * a test compares the two. To add an action: add its row here and there, from the SDK.
 */

/**
 * `integer`: an SDK `number` (Long), written in decimal; `boolean`: an SDK `boolean`, written `true`/`false`;
 * `json-array`: an SDK array of strings with `style: json`; `json-integer-array`: the same with numbers;
 * `json-object`: an SDK model shrunk with `style: json` (a JSON object string).
 */
export type ActionParameterType = 'string' | 'integer' | 'boolean' | 'json-array' | 'json-integer-array' | 'json-object';

export interface ActionParameter {
  /** `query`: URL query string; `body`: `application/x-www-form-urlencoded` body. */
  readonly in: 'query' | 'body';
  readonly type: ActionParameterType;
}

export interface ActionDescriptor {
  readonly method: 'GET' | 'POST';
  readonly parameters: Readonly<Record<string, ActionParameter>>;
}

const query = (type: ActionParameterType): ActionParameter => ({ in: 'query', type });
const body = (type: ActionParameterType): ActionParameter => ({ in: 'body', type });

/** An action whose parameters all travel in one place (`where`), each with its type. */
function allIn(method: ActionDescriptor['method'], where: ActionParameter['in'], types: Readonly<Record<string, ActionParameterType>>): ActionDescriptor {
  return { method, parameters: Object.fromEntries(Object.entries(types).map(([name, type]) => [name, { in: where, type }])) };
}
/** GET with `query = request.toMap()`: every parameter in the query string. */
const get = (types: Readonly<Record<string, ActionParameterType>>): ActionDescriptor => allIn('GET', 'query', types);
/** POST with every parameter in the form body. */
const postBody = (types: Readonly<Record<string, ActionParameterType>>): ActionDescriptor => allIn('POST', 'body', types);
/** POST with every parameter in the query string. */
const postQuery = (types: Readonly<Record<string, ActionParameterType>>): ActionDescriptor => allIn('POST', 'query', types);

export const DATAWORKS_ACTIONS = {
  // createNodeWithOptions: POST, body ContainerId, ProjectId, Scene, Spec.
  CreateNode: postBody({ ContainerId: 'string', ProjectId: 'integer', Scene: 'string', Spec: 'string' }),
  // updateNodeWithOptions: POST, body Id, ProjectId, Spec.
  UpdateNode: postBody({ Id: 'string', ProjectId: 'integer', Spec: 'string' }),
  // getNodeWithOptions: GET, query = request.toMap().
  GetNode: get({ Id: 'string', ProjectId: 'integer' }),
  // listNodesWithOptions: GET, query = request.toMap().
  ListNodes: get({
    ContainerId: 'string', Name: 'string', PageNumber: 'integer', PageSize: 'integer',
    ProjectId: 'integer', Recurrence: 'string', RerunMode: 'string', Scene: 'string',
  }),
  // deleteNodeWithOptions: POST, body Id, ProjectId.
  DeleteNode: postBody({ Id: 'string', ProjectId: 'integer' }),
  // createPipelineRunWithOptions: POST, body; ObjectIds is shrunk to a JSON array string.
  CreatePipelineRun: postBody({
    AutoRunUntilStage: 'string', Description: 'string', ObjectIds: 'json-array', ProjectId: 'integer',
    RunMode: 'string', Type: 'string',
  }),
  // getPipelineRunWithOptions: GET, query = request.toMap().
  GetPipelineRun: get({ Id: 'string', ProjectId: 'integer' }),
  // execPipelineRunStageWithOptions: POST, ProjectId in the query, Code and Id in the body.
  ExecPipelineRunStage: { method: 'POST', parameters: { ProjectId: query('integer'), Code: body('string'), Id: body('string') } },
  // abolishPipelineRunWithOptions: POST, body Id, ProjectId.
  AbolishPipelineRun: postBody({ Id: 'string', ProjectId: 'integer' }),
  // listPipelineRunsWithOptions: GET, query = request.toMap().
  ListPipelineRuns: get({
    Creator: 'string', ObjectId: 'string', PageNumber: 'integer', PageSize: 'integer',
    ProjectId: 'integer', Status: 'string',
  }),
  // listPipelineRunItemsWithOptions: GET, query = request.toMap().
  ListPipelineRunItems: get({ PageNumber: 'integer', PageSize: 'integer', PipelineRunId: 'string', ProjectId: 'integer' }),
  // Custom monitoring alert rules (account-wide, no ProjectId). createAlertRuleWithOptions / updateAlertRuleWithOptions:
  // POST, every parameter in the query, Notification and TriggerCondition shrunk to JSON (CreateAlertRuleShrinkRequest).
  CreateAlertRule: postQuery({ Enabled: 'boolean', Name: 'string', Notification: 'json-object', Owner: 'string', TriggerCondition: 'json-object' }),
  UpdateAlertRule: postQuery({
    Enabled: 'boolean', Id: 'integer', Name: 'string', Notification: 'json-object', Owner: 'string',
    TriggerCondition: 'json-object',
  }),
  // getAlertRuleWithOptions: GET, query = request.toMap() (Id).
  GetAlertRule: get({ Id: 'string' }),
  // listAlertRulesWithOptions: POST, query Name, Owner, PageNumber, PageSize, Receiver, TaskIds and Types shrunk to JSON.
  ListAlertRules: postQuery({
    Name: 'string', Owner: 'string', PageNumber: 'integer', PageSize: 'integer', Receiver: 'string',
    TaskIds: 'json-integer-array', Types: 'json-array',
  }),
  // deleteAlertRuleWithOptions: POST, body Id.
  DeleteAlertRule: postBody({ Id: 'integer' }),
} as const satisfies Record<string, ActionDescriptor>;

export type DataWorksActionName = keyof typeof DATAWORKS_ACTIONS;

export type ActionValue = string | number | boolean | readonly string[] | readonly number[] | Readonly<Record<string, unknown>>;

/** Where each parameter goes and how it is written, as the action's row says; a parameter no row declares is an error. */
export function placeParameters(action: DataWorksActionName, parameters: Readonly<Record<string, ActionValue | undefined>>): { method: 'GET' | 'POST'; query: Record<string, string>; body: Record<string, string> } {
  const descriptor: ActionDescriptor = DATAWORKS_ACTIONS[action];
  const placed = { method: descriptor.method, query: {} as Record<string, string>, body: {} as Record<string, string> };
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined) continue;
    const declared = Object.prototype.hasOwnProperty.call(descriptor.parameters, name) ? descriptor.parameters[name] : undefined;
    if (!declared) throw new Error(`DataWorks ${action} has no parameter ${name} (declared: ${Object.keys(descriptor.parameters).join(', ')})`);
    placed[declared.in][name] = encodeValue(action, name, declared.type, value);
  }
  return placed;
}

function encodeValue(action: string, name: string, type: ActionParameterType, value: ActionValue): string {
  const wrong = (): never => {
    const what: Record<ActionParameterType, string> = {
    string: 'a string', integer: 'an integer', boolean: 'a boolean', 'json-array': 'an array of strings', 'json-integer-array': 'an array of integers', 'json-object': 'an object',
    };
    throw new Error(`DataWorks ${action} parameter ${name} must be ${what[type]}, got ${JSON.stringify(value)}`);
  };
  switch (type) {
    case 'boolean':
    return typeof value === 'boolean' ? String(value) : wrong();
    case 'json-integer-array':
    return Array.isArray(value) && value.every(v => typeof v === 'number' && Number.isSafeInteger(v)) ? JSON.stringify(value) : wrong();
    case 'json-object':
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : wrong();
    case 'json-array':
    return Array.isArray(value) && value.every(v => typeof v === 'string') ? JSON.stringify(value) : wrong();
    case 'integer':
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    return typeof value === 'string' && /^-?\d+$/.test(value) ? value : wrong();
    default:
    return typeof value === 'string' ? value : wrong();
  }
}

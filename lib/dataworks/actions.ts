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

export const DATAWORKS_ACTIONS = {
  // createNodeWithOptions: POST, body ContainerId, ProjectId, Scene, Spec.
  CreateNode: { method: 'POST', parameters: { ContainerId: body('string'), ProjectId: body('integer'), Scene: body('string'), Spec: body('string') } },
  // updateNodeWithOptions: POST, body Id, ProjectId, Spec.
  UpdateNode: { method: 'POST', parameters: { Id: body('string'), ProjectId: body('integer'), Spec: body('string') } },
  // getNodeWithOptions: GET, query = request.toMap().
  GetNode: { method: 'GET', parameters: { Id: query('string'), ProjectId: query('integer') } },
  // listNodesWithOptions: GET, query = request.toMap().
  ListNodes: {
    method: 'GET',
    parameters: {
      ContainerId: query('string'), Name: query('string'), PageNumber: query('integer'), PageSize: query('integer'),
      ProjectId: query('integer'), Recurrence: query('string'), RerunMode: query('string'), Scene: query('string'),
    },
  },
  // deleteNodeWithOptions: POST, body Id, ProjectId.
  DeleteNode: { method: 'POST', parameters: { Id: body('string'), ProjectId: body('integer') } },
  // createPipelineRunWithOptions: POST, body; ObjectIds is shrunk to a JSON array string.
  CreatePipelineRun: {
    method: 'POST',
    parameters: {
      AutoRunUntilStage: body('string'), Description: body('string'), ObjectIds: body('json-array'), ProjectId: body('integer'),
      RunMode: body('string'), Type: body('string'),
    },
  },
  // getPipelineRunWithOptions: GET, query = request.toMap().
  GetPipelineRun: { method: 'GET', parameters: { Id: query('string'), ProjectId: query('integer') } },
  // execPipelineRunStageWithOptions: POST, ProjectId in the query, Code and Id in the body.
  ExecPipelineRunStage: { method: 'POST', parameters: { ProjectId: query('integer'), Code: body('string'), Id: body('string') } },
  // abolishPipelineRunWithOptions: POST, body Id, ProjectId.
  AbolishPipelineRun: { method: 'POST', parameters: { Id: body('string'), ProjectId: body('integer') } },
  // listPipelineRunsWithOptions: GET, query = request.toMap().
  ListPipelineRuns: {
    method: 'GET',
    parameters: {
      Creator: query('string'), ObjectId: query('string'), PageNumber: query('integer'), PageSize: query('integer'),
      ProjectId: query('integer'), Status: query('string'),
    },
  },
  // listPipelineRunItemsWithOptions: GET, query = request.toMap().
  ListPipelineRunItems: { method: 'GET', parameters: { PageNumber: query('integer'), PageSize: query('integer'), PipelineRunId: query('string'), ProjectId: query('integer') } },
  // Custom monitoring alert rules (account-wide, no ProjectId). createAlertRuleWithOptions / updateAlertRuleWithOptions:
  // POST, every parameter in the query, Notification and TriggerCondition shrunk to JSON (CreateAlertRuleShrinkRequest).
  CreateAlertRule: {
    method: 'POST',
    parameters: { Enabled: query('boolean'), Name: query('string'), Notification: query('json-object'), Owner: query('string'), TriggerCondition: query('json-object') },
  },
  UpdateAlertRule: {
    method: 'POST',
    parameters: {
      Enabled: query('boolean'), Id: query('integer'), Name: query('string'), Notification: query('json-object'), Owner: query('string'),
      TriggerCondition: query('json-object'),
    },
  },
  // getAlertRuleWithOptions: GET, query = request.toMap() (Id).
  GetAlertRule: { method: 'GET', parameters: { Id: query('string') } },
  // listAlertRulesWithOptions: POST, query Name, Owner, PageNumber, PageSize, Receiver, TaskIds and Types shrunk to JSON.
  ListAlertRules: {
    method: 'POST',
    parameters: {
      Name: query('string'), Owner: query('string'), PageNumber: query('integer'), PageSize: query('integer'), Receiver: query('string'),
      TaskIds: query('json-integer-array'), Types: query('json-array'),
    },
  },
  // deleteAlertRuleWithOptions: POST, body Id.
  DeleteAlertRule: { method: 'POST', parameters: { Id: body('integer') } },
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

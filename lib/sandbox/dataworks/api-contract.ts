/**
 * The request contract of each DataWorks 2024-05-18 action the loopback server answers, as the generated SDK
 * declares it (aliyun/alibabacloud-typescript-sdk, dataworks-public-20240518): the HTTP method and where each
 * parameter travels from `src/client.ts` (`<action>WithOptions`), wire types from `src/models/<Action>Request.ts`
 * `types()` (`number` → Long), "This parameter is required." and "Valid values" from the same model's comments.
 *
 * Written by hand from the SDK, separately from the client's table (lib/dataworks/actions.ts), so that a client
 * mistake is not mirrored here; a test compares the two.
 *
 * How the gateway answers a request that breaks the contract:
 * - a method the action does not declare: 404 `InvalidAction.NotFound`, "Specified api is not found, please check
 *   your url and method." (the Alibaba Cloud API gateway's answer, quoted in many public SDK tests and issues);
 * - a required parameter missing: 400 `Missing<Name>`, "<Name> is mandatory for this action." (same gateway);
 * - a parameter the action does not declare, or declared in the other place (query vs form body), or a value of
 *   the wrong type or outside the documented values: 400 `InvalidParameter`. Assumption: the gateway may ignore an
 *   undeclared parameter; the sandbox refuses it so that a misnamed or misplaced parameter cannot go unnoticed.
 */

export type WireType = 'Long' | 'String' | 'Boolean' | 'Array<String> as JSON' | 'Array<Long> as JSON' | 'Object as JSON';

export interface ContractParameter {
  readonly type: WireType;
  readonly required?: true;
  /** The documented values ("Valid values" in the SDK model); absent when any value is accepted. */
  readonly values?: readonly string[];
}

export interface ActionContract {
  readonly method: 'GET' | 'POST';
  /** Parameters the SDK puts in the URL query string. */
  readonly query: Readonly<Record<string, ContractParameter>>;
  /** Parameters the SDK puts in the `application/x-www-form-urlencoded` body (`reqBodyType: formData`). */
  readonly form: Readonly<Record<string, ContractParameter>>;
}

const long = { type: 'Long' } as const;
const text = { type: 'String' } as const;
const bool = { type: 'Boolean' } as const;
const object = { type: 'Object as JSON' } as const;
const required = <T extends ContractParameter>(p: T): T & { required: true } => ({ ...p, required: true });
const oneOf = (...values: string[]): ContractParameter => ({ type: 'String', values });

const PIPELINE_STATUSES = ['Init', 'Running', 'Success', 'Fail', 'Termination', 'Cancel'];

export const DATAWORKS_API_CONTRACT: Readonly<Record<string, ActionContract>> = {
  CreateNode: {
    method: 'POST',
    query: {},
    form: {
      ProjectId: required(long),
      // CreateNodeRequest.scene: DATAWORKS_PROJECT, DATAWORKS_MANUAL_WORKFLOW, DATAWORKS_MANUAL_TASK.
      Scene: required(oneOf('DATAWORKS_PROJECT', 'DATAWORKS_MANUAL_WORKFLOW', 'DATAWORKS_MANUAL_TASK')),
      Spec: required(text),
      ContainerId: text,
    },
  },
  UpdateNode: { method: 'POST', query: {}, form: { ProjectId: required(long), Id: required(text), Spec: required(text) } },
  DeleteNode: { method: 'POST', query: {}, form: { ProjectId: required(long), Id: required(text) } },
  // GetNodeRequest: Id is required; ProjectId carries no "required" note.
  GetNode: { method: 'GET', query: { ProjectId: long, Id: required(text) }, form: {} },
  ListNodes: {
    method: 'GET',
    query: {
      ProjectId: required(long),
      // ListNodesRequest.scene: DataworksProject, DataworksManualWorkflow, DataworksManualTask (not CreateNode's spelling).
      Scene: oneOf('DataworksProject', 'DataworksManualWorkflow', 'DataworksManualTask'),
      ContainerId: text,
      Name: text,
      Recurrence: oneOf('Normal', 'Pause', 'Skip'),
      RerunMode: oneOf('Allowed', 'FailureAllowed', 'Denied'),
      PageNumber: long,
      PageSize: long,
    },
    form: {},
  },
  CreatePipelineRun: {
    method: 'POST',
    query: {},
    form: {
      ProjectId: required(long),
      Type: required(oneOf('Online', 'Offline')),
      ObjectIds: required({ type: 'Array<String> as JSON' }),
      Description: text,
      RunMode: oneOf('Normal', 'Auto'),
      AutoRunUntilStage: text,
    },
  },
  GetPipelineRun: { method: 'GET', query: { ProjectId: required(long), Id: required(text) }, form: {} },
  // The one action here that splits its parameters: ProjectId in the query, Code and Id in the body.
  ExecPipelineRunStage: { method: 'POST', query: { ProjectId: required(long) }, form: { Id: required(text), Code: required(text) } },
  AbolishPipelineRun: { method: 'POST', query: {}, form: { ProjectId: required(long), Id: required(text) } },
  ListPipelineRuns: {
    method: 'GET',
    query: { ProjectId: required(long), Status: oneOf(...PIPELINE_STATUSES), ObjectId: text, Creator: text, PageNumber: long, PageSize: long },
    form: {},
  },
  ListPipelineRunItems: { method: 'GET', query: { ProjectId: required(long), PipelineRunId: required(text), PageNumber: long, PageSize: long }, form: {} },
  // Alert rules: CreateAlertRuleRequest marks Enabled, Name, Owner and TriggerCondition required; the SDK sends every
  // parameter of Create/Update/ListAlertRules in the query (POST), GetAlertRule as GET, DeleteAlertRule's Id in the body.
  CreateAlertRule: {
    method: 'POST',
    query: { Enabled: required(bool), Name: required(text), Owner: required(text), TriggerCondition: required(object), Notification: object },
    form: {},
  },
  UpdateAlertRule: {
    method: 'POST',
    query: { Id: required(long), Enabled: bool, Name: text, Owner: text, TriggerCondition: object, Notification: object },
    form: {},
  },
  GetAlertRule: { method: 'GET', query: { Id: required(text) }, form: {} },
  ListAlertRules: {
    method: 'POST',
    query: {
      PageNumber: required(long), PageSize: required(long), Name: text, Owner: text, Receiver: text,
      TaskIds: { type: 'Array<Long> as JSON' }, Types: { type: 'Array<String> as JSON' },
    },
    form: {},
  },
  DeleteAlertRule: { method: 'POST', query: {}, form: { Id: required(long) } },
};

/** A request that breaks the contract, with the status and code the gateway answers. */
export class ContractViolation extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * Checks one request against its action's contract and returns its parameters (query and form together, each from
 * the one place it may come from).
 */
export function checkAgainstContract(action: string, method: string, query: URLSearchParams, form: URLSearchParams): Record<string, string> {
  const contract = Object.prototype.hasOwnProperty.call(DATAWORKS_API_CONTRACT, action) ? DATAWORKS_API_CONTRACT[action] : undefined;
  if (!contract) throw new ContractViolation(404, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method. (action ${action})`);
  if (method !== contract.method) throw new ContractViolation(404, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method. (${action} is ${contract.method}, not ${method})`);
  const parameters: Record<string, string> = {};
  const take = (source: URLSearchParams, place: 'query' | 'form'): void => {
    const declared = contract[place];
    const other = contract[place === 'query' ? 'form' : 'query'];
    for (const name of new Set(source.keys())) {
      if (!Object.prototype.hasOwnProperty.call(declared, name)) {
        const where = Object.prototype.hasOwnProperty.call(other, name) ? `belongs in the ${place === 'query' ? 'form body' : 'query string'}, not the ${place === 'query' ? 'query string' : 'form body'}` : 'is not a parameter of this action';
        throw new ContractViolation(400, 'InvalidParameter', `The specified parameter ${name} ${where} (${action}).`);
      }
      const values = source.getAll(name);
      if (values.length > 1) throw new ContractViolation(400, 'InvalidParameter', `The specified parameter ${name} is given ${values.length} times (${action}).`);
      checkValue(action, name, declared[name], values[0]);
      parameters[name] = values[0];
    }
  };
  take(query, 'query');
  take(form, 'form');
  for (const [name, p] of [...Object.entries(contract.query), ...Object.entries(contract.form)]) {
    if (p.required && parameters[name] === undefined) throw new ContractViolation(400, `Missing${name}`, `${name} is mandatory for this action.`);
  }
  return parameters;
}

function checkValue(action: string, name: string, p: ContractParameter, value: string): void {
  const invalid = (why: string): never => {
    throw new ContractViolation(400, 'InvalidParameter', `The specified parameter ${name} is not valid: ${why} (${action}).`);
  };
  if (p.type === 'Long' && !/^-?\d{1,19}$/.test(value)) invalid(`"${value}" is not a Long`);
  if (p.type === 'Boolean' && value !== 'true' && value !== 'false') invalid(`"${value}" is not true or false`);
  if (p.type === 'Object as JSON' || p.type === 'Array<Long> as JSON') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      invalid(`"${value.slice(0, 80)}" is not JSON`);
    }
    if (p.type === 'Object as JSON' && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) invalid('it is not a JSON object');
    if (p.type === 'Array<Long> as JSON' && (!Array.isArray(parsed) || !parsed.every(x => Number.isSafeInteger(x)))) invalid(`"${value}" is not a JSON array of integers`);
  }
  if (p.type === 'Array<String> as JSON') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      invalid(`"${value}" is not a JSON array`);
    }
    if (!Array.isArray(parsed) || !parsed.every(x => typeof x === 'string')) invalid(`"${value}" is not a JSON array of strings`);
  }
  if (p.values && !p.values.includes(value)) invalid(`"${value}" is not one of ${p.values.join(', ')}`);
}

/**
 * RAM in the Tablestore sandbox: which resource each served API is authorized on, and the per-identity decision.
 *
 * Tablestore "Custom RAM policy": the action is `ots:<API name>`; a table's resource is
 * `acs:ots:<region>:<account>:instance/<instance, lower case>/table/<table>`, an instance's
 * `acs:ots:<region>:<account>:instance/<instance>` (the page's "an instance and all its tables" example lists both).
 * Calls that name no table (ListTable, ListTimeseriesTable, ListStream without a table) are authorized on the
 * instance (Assumption, see README); Stream calls on the table whose stream they read. A RAM identity is allowed
 * only what its policies allow (explicit Deny wins); the account's own AccessKey is allowed everything.
 */
import { decodeMessage } from '../../tablestore/protocol/messages';
import { Decision, evaluateIdentityPolicies, ParsedPolicy } from '../ram-policy';
import { SandboxState } from './state';
import { decodeIterator } from './stream-handlers';

/** Where a request names the tables it touches. */
type ResourceRule =
  /** `table_name`. */
  | 'table'
  /** `table_meta.table_name` (creation). */
  | 'table-meta'
  /** `tables[].table_name` (batches). */
  | 'tables'
  /** None: the instance. */
  | 'instance'
  /** `table_name` when given, else the instance (ListStream). */
  | 'table-or-instance'
  /** The table of `stream_id`. */
  | 'stream'
  /** The table of the stream `shard_iterator` points into. */
  | 'iterator';

/** Every API the sandbox serves, and where its resource comes from. */
export const OTS_RESOURCE_RULES: Readonly<Record<string, ResourceRule>> = {
  CreateTable: 'table-meta',
  DescribeTable: 'table',
  UpdateTable: 'table',
  DeleteTable: 'table',
  ListTable: 'instance',
  ComputeSplitPointsBySize: 'table',
  PutRow: 'table',
  UpdateRow: 'table',
  DeleteRow: 'table',
  GetRow: 'table',
  GetRange: 'table',
  BatchWriteRow: 'tables',
  ListStream: 'table-or-instance',
  DescribeStream: 'stream',
  GetShardIterator: 'stream',
  GetStreamRecord: 'iterator',
  CreateTimeseriesTable: 'table-meta',
  DescribeTimeseriesTable: 'table',
  UpdateTimeseriesTable: 'table',
  DeleteTimeseriesTable: 'table',
  ListTimeseriesTable: 'instance',
  PutTimeseriesData: 'table',
  SplitTimeseriesScanTask: 'table',
  ScanTimeseriesData: 'table',
};

interface NamedRequest {
  table_name?: string;
  table_meta?: { table_name?: string };
  tables?: Array<{ table_name?: string }>;
  stream_id?: string;
  shard_iterator?: string;
}

/** A RAM user of the sandbox's account. */
export interface TablestoreIdentity {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** RAM user id, shown in denials. Default: derived from the AccessKey id. */
  readonly userId?: string;
  /** RAM policy documents (JSON text, no `Principal`), as attached to the user. */
  readonly policies: readonly string[];
}

/** A denial, in the shape the service answers it (403 OTSNoPermissionAccess with an access_denied_detail). */
export interface OtsDenial {
  readonly action: string;
  readonly resource: string;
  readonly reason: string;
  readonly explicit: boolean;
}

/**
 * The RAM side of one sandbox: identities by AccessKey id and a decision cache per (key, action, resource), so a
 * request costs a map lookup once its resource is known.
 */
export class TablestoreAccess {
  private readonly identities = new Map<string, { readonly userId: string; readonly policies: readonly ParsedPolicy[] }>();
  private readonly decisions = new Map<string, Decision>();
  private readonly instancePath: string;

  constructor(readonly region: string, readonly accountId: string, instanceName: string) {
    this.instancePath = `acs:ots:${region}:${accountId}:instance/${instanceName.toLowerCase()}`;
  }

  addIdentity(accessKeyId: string, userId: string, policies: readonly ParsedPolicy[]): void {
    this.identities.set(accessKeyId, { userId, policies });
  }

  /** Whether requests signed with this key are RAM-checked (false for the account's own key). */
  isRamIdentity(accessKeyId: string): boolean {
    return this.identities.has(accessKeyId);
  }

  userIdOf(accessKeyId: string): string | undefined {
    return this.identities.get(accessKeyId)?.userId;
  }

  tableArn(table: string): string {
    return `${this.instancePath}/table/${table}`;
  }

  /**
   * The first denial of this RAM identity's request, or undefined when allowed. A request whose resource cannot be
   * read (malformed body, unknown stream or iterator) is left to its handler, which answers the error the service
   * gives for it.
   */
  check(accessKeyId: string, operation: string, body: Buffer, state: SandboxState): OtsDenial | undefined {
    const identity = this.identities.get(accessKeyId);
    if (!identity) return undefined;
    const rule = OTS_RESOURCE_RULES[operation];
    if (rule === undefined) throw new Error(`the Tablestore sandbox has no RAM resource rule for ${operation}`);
    const resources = this.resourcesOf(rule, operation, body, state);
    if (resources === undefined) return undefined;
    const action = `ots:${operation}`;
    for (const resource of resources) {
      const cacheKey = `${accessKeyId}\n${action}\n${resource}`;
      let decision = this.decisions.get(cacheKey);
      if (decision === undefined) {
        decision = evaluateIdentityPolicies({ action, resource, secureTransport: false }, identity.policies);
        this.decisions.set(cacheKey, decision);
      }
      if (!decision.allowed) return { action, resource, reason: decision.reason, explicit: decision.explicit === true };
    }
    return undefined;
  }

  private resourcesOf(rule: ResourceRule, operation: string, body: Buffer, state: SandboxState): string[] | undefined {
    if (rule === 'instance') return [this.instancePath];
    let req: NamedRequest;
    try {
      req = decodeMessage<NamedRequest>(`${operation}Request`, body);
    } catch {
      return undefined;
    }
    const table = (name: string | undefined) => (name === undefined ? undefined : [this.tableArn(name)]);
    switch (rule) {
      case 'table': return table(req.table_name);
      case 'table-meta': return table(req.table_meta?.table_name);
      case 'tables': return (req.tables ?? []).map(t => this.tableArn(t.table_name ?? ''));
      case 'table-or-instance': return table(req.table_name) ?? [this.instancePath];
      case 'stream': return table(this.streamTable(state, req.stream_id));
      case 'iterator': {
        if (req.shard_iterator === undefined) return undefined;
        try {
          return table(this.streamTable(state, decodeIterator(req.shard_iterator).streamId));
        } catch {
          return undefined;
        }
      }
    }
  }

  private streamTable(state: SandboxState, streamId: string | undefined): string | undefined {
    if (streamId === undefined) return undefined;
    try {
      return state.streamById(streamId).table.name;
    } catch {
      return undefined;
    }
  }
}

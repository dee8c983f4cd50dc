/**
 * Loopback Tablestore server for tests and benchmarks.
 *
 * Speaks the wire protocol of the real service closely enough for the official
 * `tablestore` Node SDK and for TablestoreStreamClient: signed POST /<Operation>
 * requests with protobuf bodies, protobuf Error bodies on failure. Every write
 * is kept as its stream record (encoded PlainBuffer) in a compact log; streams
 * are served from it. Test hooks: a controllable clock, fault injection, shard
 * split/merge and stream trimming.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { closeServer, listenOnLoopback } from '../loopback';
import { encodeMessage } from '../../tablestore/protocol/messages';
import { HEADER_REQUEST_ID, verifyRequest } from '../../tablestore/signing';
import { parseIdentityPolicies } from '../ram-policy';
import { OTS_RESOURCE_RULES, TablestoreAccess, TablestoreIdentity } from './access';
import { SandboxClock } from './clock';
import { FaultInjector } from './faults';
import { ServiceError } from './service-error';
import { SandboxSettings, SandboxState } from './state';
import { HashedBody, STREAM_HANDLERS } from './stream-handlers';
import { TABLE_HANDLERS } from './table-handlers';
import { TIMESERIES_HANDLERS } from './timeseries-handlers';

export interface TablestoreSandboxOptions {
  /** Default "sandbox". */
  readonly instanceName?: string;
  /** Default "sandbox-access-key-id". */
  readonly accessKeyId?: string;
  /** Default: random per sandbox. */
  readonly accessKeySecret?: string;
  /** When set, every request must carry this x-ots-ststoken. */
  readonly securityToken?: string;
  /** Fix the clock at this instant (µs) instead of following real time. */
  readonly startMicros?: number;
  /** Shards of a newly enabled stream (default 4). */
  readonly shardCount?: number;
  /**
   * GetStreamRecord page size when the request sets no limit (default 100).
   * The public API reference documents neither the default nor a maximum.
   */
  readonly defaultStreamRecordLimit?: number;
  /** Largest limit honoured; larger limits are capped (default 10000). */
  readonly maxStreamRecordLimit?: number;
  /** Soft cap of record bytes per GetStreamRecord response (default 8 MiB). */
  readonly maxStreamRecordBytes?: number;
  /** Shards per DescribeStream page without shard_limit (default 100). */
  readonly describeStreamPageSize?: number;
  /** next_token rounds GetShardIterator(timestamp) answers before the iterator (default 0). */
  readonly shardIteratorTokenRounds?: number;
  /**
   * Coarse positioning: GetShardIterator(timestamp) lands up to this many µs before the requested time (at the
   * first record written at or after timestamp - slack), never after it. No reference promises an exact position,
   * so the default is coarse: 3 minutes. 0 = exact.
   */
  readonly seekSlackMicros?: number;
  /**
   * Silent trim mode: a timestamp or iterator before the trim point is served from the oldest surviving record,
   * with no OTSTrimmedDataAccess. Default false (the error).
   */
  readonly silentTrim?: boolean;
  /** Stream retention of time series tables, hours (default 168). */
  readonly timeseriesStreamExpirationHours?: number;
  /** Allowed x-ots-date skew against real time in ms (default 15 min); null = unchecked. */
  readonly maxClockSkewMs?: number | null;
  /** Request body cap in bytes (default 16 MiB); larger gets OTSRequestBodyTooLarge. */
  readonly maxRequestBytes?: number;
  /** Region and account the instance's RAM resources name (`acs:ots:<region>:<account>:instance/...`). Default `cn-hangzhou`. */
  readonly region?: string;
  /** Account that owns the instance; `accessKeyId` is this account's own key (allowed everything). Default `1000000000000001`. */
  readonly ownerAccountId?: string;
  /**
   * RAM users of the owner's account: requests signed with their keys are allowed only what their policies allow
   * (403 OTSNoPermissionAccess otherwise). Default none: every request is the owner's, RAM is not evaluated.
   */
  readonly identities?: readonly TablestoreIdentity[];
}

export interface TablestoreSandboxStats {
  /** Requests that passed authentication, by operation. */
  readonly requests: Record<string, number>;
  /** Requests rejected by authentication. */
  authFailures: number;
  /** Requests of RAM identities their policies did not allow. */
  accessDenials: number;
}

export interface ShardView {
  readonly shardId: string;
  readonly parentId: string | null;
  readonly parentSiblingId: string | null;
  readonly closed: boolean;
  readonly recordCount: number;
}

export interface TablestoreSandbox {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly instanceName: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string | undefined;
  /** Controls write timestamps: set()/advance() fix it, useRealTime() releases it. */
  readonly clock: SandboxClock;
  /** Arms failures for the next matching requests. */
  readonly faults: FaultInjector;
  readonly stats: TablestoreSandboxStats;
  /** Closes an open shard (default: the first open one) and opens two children; returns their ids. */
  splitShard(tableName: string, shardId?: string): [string, string];
  /** Closes two adjacent open shards and opens their merged child; returns its id. */
  mergeShards(tableName: string, shardIdA: string, shardIdB: string): string;
  /** Expires stream records written before `beforeMicros` (OTSTrimmedDataAccess afterwards). */
  trimStream(tableName: string, beforeMicros: number): void;
  /** Shards of the table's current stream, in creation order. */
  shards(tableName: string): ShardView[];
  /** Writes recorded for a table (all of them, streamed or not). */
  writeCount(tableName: string): number;
  close(): Promise<void>;
}

/** A response body, whole or in parts with their MD5 (GetStreamRecord pages: slices of the log, hashed once). */
type ResponseBody = Buffer | HashedBody;

const HANDLERS: Readonly<Record<string, (state: SandboxState, body: Buffer) => ResponseBody>> = {
  ...TABLE_HANDLERS,
  ...STREAM_HANDLERS,
  ...TIMESERIES_HANDLERS,
};

/** The AccessKeys the sandbox accepts (the owner's and its RAM users') and their RAM evaluation. */
function ramAccess(options: TablestoreSandboxOptions, instanceName: string, accessKeyId: string, accessKeySecret: string): { secrets: Map<string, string>; rules: TablestoreAccess } {
  const rules = new TablestoreAccess(options.region ?? 'cn-hangzhou', options.ownerAccountId ?? '1000000000000001', instanceName);
  const secrets = new Map([[accessKeyId, accessKeySecret]]);
  if ((options.identities ?? []).length > 0) {
    const unruled = Object.keys(HANDLERS).filter((op) => OTS_RESOURCE_RULES[op] === undefined);
    if (unruled.length > 0) throw new Error(`The Tablestore sandbox has no RAM resource rule for ${unruled.join(', ')} (lib/sandbox/tablestore/access.ts)`);
  }
  for (const identity of options.identities ?? []) {
    if (secrets.has(identity.accessKeyId)) throw new Error(`The Tablestore sandbox already has an identity with AccessKey ${identity.accessKeyId}`);
    const policies = parseIdentityPolicies(identity.accessKeyId, identity.policies);
    secrets.set(identity.accessKeyId, identity.accessKeySecret);
    rules.addIdentity(identity.accessKeyId, identity.userId ?? `ram-${identity.accessKeyId}`, policies);
  }
  return { secrets, rules };
}

function positiveInt(name: string, v: number | undefined, dflt: number, min = 1): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${x}`);
  return x;
}

export async function startTablestoreSandbox(options: TablestoreSandboxOptions = {}): Promise<TablestoreSandbox> {
  const instanceName = options.instanceName ?? 'sandbox';
  const accessKeyId = options.accessKeyId ?? 'sandbox-access-key-id';
  const accessKeySecret = options.accessKeySecret ?? randomBytes(18).toString('base64url');
  const settings: SandboxSettings = {
    shardCount: positiveInt('shardCount', options.shardCount, 4),
    defaultStreamRecordLimit: positiveInt('defaultStreamRecordLimit', options.defaultStreamRecordLimit, 100),
    maxStreamRecordLimit: positiveInt('maxStreamRecordLimit', options.maxStreamRecordLimit, 10_000),
    maxStreamRecordBytes: positiveInt('maxStreamRecordBytes', options.maxStreamRecordBytes, 8 * 1024 * 1024),
    describeStreamPageSize: positiveInt('describeStreamPageSize', options.describeStreamPageSize, 100),
    shardIteratorTokenRounds: positiveInt('shardIteratorTokenRounds', options.shardIteratorTokenRounds, 0, 0),
    seekSlackMicros: positiveInt('seekSlackMicros', options.seekSlackMicros, 180_000_000, 0),
    silentTrim: options.silentTrim === true,
    timeseriesStreamExpirationHours: positiveInt('timeseriesStreamExpirationHours', options.timeseriesStreamExpirationHours, 168),
  };
  const maxRequestBytes = positiveInt('maxRequestBytes', options.maxRequestBytes, 16 * 1024 * 1024);
  const maxClockSkewMs = options.maxClockSkewMs === undefined ? 15 * 60 * 1000 : options.maxClockSkewMs;
  const clock = new SandboxClock(options.startMicros);
  const state = new SandboxState(settings, clock);
  const faults = new FaultInjector();
  const stats: TablestoreSandboxStats = { requests: {}, authFailures: 0, accessDenials: 0 };
  const access = ramAccess(options, instanceName, accessKeyId, accessKeySecret);
  let requestCounter = 0;
  const requestIdPrefix = randomBytes(4).toString('hex');

  const send = (res: http.ServerResponse, status: number, out: ResponseBody, dropMidway = false): void => {
    const requestId = `${requestIdPrefix}-${(++requestCounter).toString(16).padStart(8, '0')}`;
    const parts = Buffer.isBuffer(out) ? [out] : out.parts;
    let length = 0;
    for (const p of parts) length += p.length;
    res.writeHead(status, {
      'content-length': length,
      'content-type': 'application/x-protobuf',
      [HEADER_REQUEST_ID]: requestId,
      // The service's own time (the sandbox clock), which clients may compare with their own.
      'x-ots-date': new Date(Math.floor(clock.nowMicros() / 1000)).toISOString(),
      'x-ots-contentmd5': Buffer.isBuffer(out) ? createHash('md5').update(out).digest('base64') : out.md5,
      'x-ots-contenttype': 'protocol buffer',
    });
    if (!dropMidway) {
      for (let i = 0; i < parts.length - 1; i++) res.write(parts[i]);
      res.end(parts[parts.length - 1]);
      return;
    }
    res.write(Buffer.concat(parts).subarray(0, Math.floor(length / 2)));
    // Let the partial body reach the socket, then cut the connection.
    setImmediate(() => res.socket?.destroy());
  };

  const sendError = (res: http.ServerResponse, status: number, code: string, message: string): void => {
    send(res, status, encodeMessage('Error', { code, message }));
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST') {
      sendError(res, 405, 'OTSMethodNotAllowed', 'Only POST method for requests is supported.');
      return;
    }
    const auth = verifyRequest({
      path,
      method: req.method,
      headers: req.headers,
      body,
      instanceName,
      secretFor: (id) => access.secrets.get(id),
      securityToken: options.securityToken,
      maxClockSkewMs: maxClockSkewMs ?? undefined,
    });
    if (!auth.ok) {
      stats.authFailures++;
      sendError(res, auth.status, auth.code, auth.message);
      return;
    }
    const operation = path.slice(1);
    const handler = Object.prototype.hasOwnProperty.call(HANDLERS, operation) ? HANDLERS[operation] : undefined;
    if (!handler) {
      sendError(res, 400, 'OTSParameterInvalid', `Unsupported operation: ${operation}.`);
      return;
    }
    stats.requests[operation] = (stats.requests[operation] ?? 0) + 1;
    const denial = access.rules.check(auth.accessKeyId, operation, body, state);
    if (denial) {
      stats.accessDenials++;
      // Tablestore error codes: 403 OTSNoPermissionAccess; the Java SDK reads access_denied_detail from the Error.
      send(res, 403, encodeMessage('Error', {
        code: 'OTSNoPermissionAccess',
        message: `You have no permission to access the requested resource, please contact the resource owner. (${denial.action} on ${denial.resource}: ${denial.reason})`,
        access_denied_detail: {
          auth_action: denial.action,
          auth_principal_type: 'SubUser',
          auth_principal_owner_id: access.rules.accountId,
          auth_principal_display_name: access.rules.userIdOf(auth.accessKeyId) ?? auth.accessKeyId,
          policy_type: 'AccountLevelIdentityBasedPolicy',
          no_permission_type: denial.explicit ? 'ExplicitDeny' : 'ImplicitDeny',
        },
      }));
      return;
    }
    const fault = faults.take(operation);
    if (fault && fault.kind !== 'dropConnection') {
      sendError(res, fault.status ?? 500, fault.code ?? 'OTSInternalServerError', fault.message ?? '');
      return;
    }
    let out: ResponseBody;
    try {
      out = handler(state, body);
    } catch (err) {
      if (err instanceof ServiceError) sendError(res, err.status, err.code, err.message);
      else sendError(res, 500, 'OTSInternalServerError', `sandbox failure in ${operation}: ${(err as Error).stack ?? String(err)}`);
      return;
    }
    send(res, 200, out, fault?.kind === 'dropConnection');
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        sendError(res, 413, 'OTSRequestBodyTooLarge', `The size of POST data is too large: ${size} bytes, limit ${maxRequestBytes}.`);
        return;
      }
      handle(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 30_000;
  const endpoint = `http://127.0.0.1:${await listenOnLoopback(server)}`;

  return {
    endpoint,
    instanceName,
    accessKeyId,
    accessKeySecret,
    securityToken: options.securityToken,
    clock,
    faults,
    stats,
    splitShard(tableName, shardId) {
      const table = state.table(tableName);
      const stream = table.requireStream();
      const target = shardId ?? stream.shards.find((s) => !s.closed)?.id;
      if (target === undefined) throw new RangeError(`table ${tableName} has no open shard`);
      return table.splitShard(target);
    },
    mergeShards(tableName, a, b) {
      return state.table(tableName).mergeShards(a, b);
    },
    trimStream(tableName, beforeMicros) {
      state.table(tableName).trimStream(beforeMicros);
    },
    shards(tableName) {
      const stream = state.table(tableName).requireStream();
      return stream.shards.map((s) => ({
        shardId: s.id,
        parentId: s.parentId,
        parentSiblingId: s.parentSiblingId,
        closed: s.closed,
        recordCount: s.records.count - s.trimmedCount,
      }));
    },
    writeCount(tableName) {
      return state.table(tableName).log.count;
    },
    close: () => closeServer(server),
  };
}

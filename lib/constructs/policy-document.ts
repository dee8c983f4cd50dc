/**
 * RAM policy documents built from what a principal needs. Every statement names explicit actions and explicit
 * resources: a bare `*` or an action wildcard is refused at construction time.
 */

export interface PolicyStatementProps {
  readonly effect?: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export class PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: PolicyStatementProps['condition'];

  constructor(props: PolicyStatementProps) {
    if (props.actions.length === 0) throw new Error('PolicyStatement: at least one action is required');
    if (props.resources.length === 0) throw new Error('PolicyStatement: at least one resource is required');
    for (const action of props.actions) {
      if (!/^[a-z]+:[A-Za-z]+$/.test(action)) {
        throw new Error(`PolicyStatement: action "${action}" must be one explicit "service:Operation" (no wildcards)`);
      }
    }
    for (const resource of props.resources) {
      if (resource === '*' || !resource.startsWith('acs:')) {
        throw new Error(`PolicyStatement: resource "${resource}" must be an explicit acs: ARN, never "*"`);
      }
    }
    this.effect = props.effect ?? 'Allow';
    this.actions = [...new Set(props.actions)].sort();
    this.resources = [...new Set(props.resources)];
    this.condition = props.condition;
  }

  toJSON(): Record<string, unknown> {
    return {
      Effect: this.effect,
      Action: this.actions,
      Resource: this.resources,
      ...(this.condition ? { Condition: this.condition } : {}),
    };
  }
}

export class PolicyDocument {
  private readonly statements: PolicyStatement[] = [];

  constructor(statements: readonly PolicyStatement[] = []) {
    this.statements.push(...statements);
  }

  addStatements(...statements: PolicyStatement[]): this {
    this.statements.push(...statements);
    return this;
  }

  get statementCount(): number {
    return this.statements.length;
  }

  /** The JSON text RAM and OSS expect (`Version` "1"). */
  toJsonString(): string {
    if (this.statements.length === 0) throw new Error('PolicyDocument: a policy needs at least one statement');
    return JSON.stringify({ Version: '1', Statement: this.statements.map(s => s.toJSON()) });
  }
}

/** ARNs for the resources this project grants access to. `accountId` may be a Terraform token. */
export const Arn = {
  ossBucket: (accountId: string, bucket: string) => `acs:oss:*:${accountId}:${bucket}`,
  ossObjects: (accountId: string, bucket: string, prefix: string) => `acs:oss:*:${accountId}:${bucket}/${prefix}/*`,
  otsInstance: (region: string, accountId: string, instance: string) => `acs:ots:${region}:${accountId}:instance/${instance}`,
  otsTable: (region: string, accountId: string, instance: string, table: string) =>
    `acs:ots:${region}:${accountId}:instance/${instance}/table/${table}`,
};

/** What the Tablestore Stream reader does: discover the stream, walk its shards and read records. */
export const TABLESTORE_STREAM_READ_ACTIONS = [
  'ots:DescribeTable',
  'ots:ListStream',
  'ots:DescribeStream',
  'ots:GetShardIterator',
  'ots:GetStreamRecord',
] as const;

/** What the stream reader does with its status (checkpoint) table. */
export const TABLESTORE_CHECKPOINT_ACTIONS = [
  'ots:DescribeTable',
  'ots:GetRow',
  'ots:GetRange',
  'ots:PutRow',
  'ots:UpdateRow',
  'ots:DeleteRow',
  'ots:BatchWriteRow',
] as const;

/** What the OSS writer does under its export prefix: multipart uploads, overwrite on rerun, stale-part cleanup. */
export const OSS_EXPORT_WRITE_ACTIONS = [
  'oss:PutObject',
  'oss:GetObject',
  'oss:DeleteObject',
  'oss:AbortMultipartUpload',
  'oss:ListParts',
] as const;

/** Bucket-level calls the writer needs to list a window's objects and its pending uploads. */
export const OSS_EXPORT_BUCKET_ACTIONS = ['oss:ListObjects', 'oss:ListMultipartUploads', 'oss:GetBucketInfo'] as const;

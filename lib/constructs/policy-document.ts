// Token from the module cdktf's index re-exports it from, and Fn only when a name is a token: policies are built
// outside stacks too (the runtime tests' sandbox identities), and cdktf's index or Fn module loads all of cdktf
// (~370 modules, about 0.5 s in each Jest test file).
import type { Fn as FnType } from 'cdktf';
import { Token } from 'cdktf/lib/tokens';

/**
 * Policy documents (RAM policies and OSS bucket policies) built from what a principal needs. An Allow statement names
 * explicit actions and explicit resources: a bare `*` or an action wildcard is refused at construction time. A Deny
 * statement may deny a whole service (`oss:*`), which only ever takes access away.
 */

export interface PolicyStatementProps {
  /** @default 'Allow' */
  readonly effect?: 'Allow' | 'Deny';
  /** Explicit `service:Operation` actions (a Deny may name `service:*`). */
  readonly actions: readonly string[];
  /** Explicit `acs:` ARNs, never `*`. */
  readonly resources: readonly string[];
  /**
   * Who the statement applies to. Bucket policies require it (OSS "Policy syntax and elements": `Principal` is
   * required for bucket policies, `["*"]` is everyone); RAM policies must not carry it.
   * @default none (a RAM policy statement)
   */
  readonly principals?: readonly string[];
  /** @default no condition */
  readonly condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export class PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly principals?: readonly string[];
  readonly condition?: PolicyStatementProps['condition'];

  constructor(props: PolicyStatementProps) {
    const effect = props.effect ?? 'Allow';
    if (props.actions.length === 0) throw new Error('PolicyStatement: at least one action is required');
    if (props.resources.length === 0) throw new Error('PolicyStatement: at least one resource is required');
    if (props.principals !== undefined && props.principals.length === 0) {
      throw new Error('PolicyStatement: principals, when given, must name at least one principal (["*"] for everyone)');
    }
    for (const action of props.actions) {
      const wholeService = /^[a-z]+:\*$/.test(action);
      if (wholeService && effect === 'Deny') continue;
      if (!/^[a-z]+:[A-Za-z]+$/.test(action)) {
        throw new Error(`PolicyStatement: action "${action}" must be one explicit "service:Operation" (no wildcards${effect === 'Allow' ? ' in an Allow statement' : ''})`);
      }
    }
    for (const resource of props.resources) {
      if (resource === '*' || !resource.startsWith('acs:')) {
        throw new Error(`PolicyStatement: resource "${resource}" must be an explicit acs: ARN, never "*"`);
      }
    }
    this.effect = effect;
    this.actions = [...new Set(props.actions)].sort();
    this.resources = [...new Set(props.resources)];
    this.principals = props.principals ? [...new Set(props.principals)] : undefined;
    this.condition = props.condition;
  }

  toJSON(): Record<string, unknown> {
    return {
      Effect: this.effect,
      ...(this.principals ? { Principal: this.principals } : {}),
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
  // Tablestore ARNs take the instance name in lower case (Tablestore "Custom RAM policy": instance names are not
  // case-sensitive and the Resource element must use lower case); a name from a resource is lowered by Terraform.
  otsInstance: (region: string, accountId: string, instance: string) => `acs:ots:${region}:${accountId}:instance/${lowerCase(instance)}`,
  otsTable: (region: string, accountId: string, instance: string, table: string) =>
    `acs:ots:${region}:${accountId}:instance/${lowerCase(instance)}/table/${table}`,
  kmsKey: (region: string, accountId: string, keyId: string) => `acs:kms:${region}:${accountId}:key/${keyId}`,
};

function lowerCase(value: string): string {
  if (!Token.isUnresolved(value)) return value.toLowerCase();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Fn } = require('cdktf/lib/terraform-functions') as { Fn: typeof FnType };
  return Fn.lower(value);
}

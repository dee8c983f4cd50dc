import { Construct } from 'constructs';
import { ITerraformDependable, Token } from 'cdktf';
import { resolvedTables } from '../../config/tables';
import { EnvironmentConfig } from '../../config/types';
import { DeclaredDataSource } from '../../dataworks/di-job';
import { SyncDefinition, syncDefinitionsForEnvironment, SyncTableSource } from '../../dataworks/sync-definition';
import { SyncNodeSpec } from '../../ops/specs';
import { ManagedConstruct, ManagedObjectCommonProps } from './managed-object';
import { checkRegion, ConstructPropsError } from '../validate';

export interface SyncNodeProps extends ManagedObjectCommonProps {
  /** Region of the DataWorks workspace (the environment's region). */
  readonly region: string;
  /** Numeric workspace id, or the id token of a workspace the same stack creates. */
  readonly workspaceId: string | number;
  /**
   * The node: name, FlowSpec, DI job (see syncDefinitionsForEnvironment). Required unless `enabled` is false.
   * @default - none (only valid for a disabled node)
   */
  readonly definition?: SyncDefinition;
}

export interface SyncNodesForEnvironmentOptions {
  /** Numeric workspace id, or the id token of a workspace the same stack creates (DataWorksDataSources.workspaceId). */
  readonly workspaceId: string | number;
  /** Data sources the stack declares; default: the two the configuration names. */
  readonly declaredDataSources?: readonly DeclaredDataSource[];
  /** What every node needs to exist first: the data sources. */
  readonly dependsOn?: ITerraformDependable[];
  /** What one table's node needs besides: its table, its Stream or time series table. */
  readonly dependsOnTable?: (table: SyncTableSource) => ITerraformDependable[];
  readonly opsCommand?: string;
}

/**
 * A DataWorks scheduled sync node, created with CreateNode, changed with UpdateNode and deployed through a
 * deployment process on every change; undeployed and deleted on destroy (refused where teardown is not allowed).
 */
export class SyncNode extends ManagedConstruct<SyncNodeSpec> {
  /**
   * One node per exported table of the environment, by backup name; construct id `sync-node-<backupName>`, so
   * nodes stay apart and readable however many tables there are.
   */
  static forEnvironment(scope: Construct, env: EnvironmentConfig, options: SyncNodesForEnvironmentOptions): ReadonlyMap<string, SyncNode> {
    const definitions = syncDefinitionsForEnvironment(env, { declaredDataSources: options.declaredDataSources });
    // A table with `enabled: false` keeps its node block with count 0, so that the deploy deletes the node.
    const disabled = new Set(resolvedTables(env).filter(t => !t.enabled).map(t => t.backupName));
    const nodes = new Map<string, SyncNode>();
    for (const definition of definitions) {
      const table = definition.table;
      nodes.set(table.backupName, new SyncNode(scope, `sync-node-${table.backupName}`, {
        environment: env.name,
        allowTeardown: env.allowTeardown,
        region: env.region,
        workspaceId: options.workspaceId,
        opsCommand: options.opsCommand,
        enabled: !disabled.has(table.backupName),
        dependsOn: [...(options.dependsOn ?? []), ...(options.dependsOnTable?.(table) ?? [])],
        definition,
      }));
    }
    return nodes;
  }

  constructor(scope: Construct, id: string, props: SyncNodeProps) {
    super(scope, id, 'SyncNode', 'sync-node', props, where => {
      checkRegion(where, props.region);
      if (!props.definition) throw new ConstructPropsError(where, 'definition', 'is required for an enabled node');
      return {
        kind: 'sync-node',
        region: props.region,
        projectId: workspaceIdString(where, props.workspaceId),
        nodeName: props.definition.name,
        flowSpec: props.definition.flowSpec,
      };
    });
  }
}

function workspaceIdString(where: string, id: string | number): string {
  if (typeof id === 'number') {
    if (Token.isUnresolved(id)) return Token.asString(id);
    if (Number.isSafeInteger(id) && id > 0) return String(id);
  } else {
    if (Token.isUnresolved(id)) return id;
    if (/^\d+$/.test(id)) return id;
  }
  throw new ConstructPropsError(where, 'workspaceId', `"${id}" is not a numeric DataWorks workspace id (nor a token of one)`);
}

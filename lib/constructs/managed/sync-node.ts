import { Construct } from 'constructs';
import { ITerraformDependable, Token } from 'cdktf';
import { EnvironmentConfig } from '../../config/types';
import { DeclaredDataSource } from '../../dataworks/di-job';
import { RuntimeScriptProps } from '../../dataworks/runtime-script';
import { exportedTables, SyncDefinition, syncDefinitionsForEnvironment, SyncTableSource } from '../../dataworks/sync-definition';
import { SyncNodeSpec } from '../../ops/specs';
import { ManagedObject, ManagedObjectCommonProps } from './managed-object';
import { checkRegion, ConstructPropsError } from './validate';

export interface SyncNodeProps extends ManagedObjectCommonProps {
  /** Region of the DataWorks workspace (the environment's region). */
  readonly region: string;
  /** Numeric workspace id, or the id token of a workspace the same stack creates. */
  readonly workspaceId: string | number;
  /** The node: name, FlowSpec, DI job (see syncDefinitionsForEnvironment). Required unless `enabled` is false. */
  readonly definition?: SyncDefinition;
}

export interface SyncNodesForEnvironmentOptions {
  /** Numeric workspace id, or the id token of a workspace the same stack creates (DataWorksDataSources.workspaceId). */
  readonly workspaceId: string | number;
  /** Data sources the stack declares; default: the two the configuration names. */
  readonly declaredDataSources?: readonly DeclaredDataSource[];
  /** Bundle location and arguments of the sync runtime (per table, or shared); required when the engine is `runtime`. */
  readonly runtime?: RuntimeScriptProps | ((table: SyncTableSource) => RuntimeScriptProps);
  /** What the nodes need to exist first: data sources, the table Stream, the time series table, the runtime bundle. */
  readonly dependsOn?: ITerraformDependable[];
  readonly opsCommand?: string;
}

/** The two sync nodes of an environment; the time series one is disabled (count 0) when no time series table is configured. */
export interface EnvironmentSyncNodes {
  readonly dataTable: SyncNode;
  readonly timeseriesTable: SyncNode;
}

/**
 * A DataWorks scheduled sync node, created with CreateNode, changed with UpdateNode and deployed through a
 * deployment process on every change; undeployed and deleted on destroy (refused where teardown is not allowed).
 */
export class SyncNode extends Construct {
  /**
   * One node per exported table of the environment. The construct ids name the role, not the table, so a
   * renamed table replaces the node rather than orphaning it.
   */
  static forEnvironment(scope: Construct, env: EnvironmentConfig, options: SyncNodesForEnvironmentOptions): EnvironmentSyncNodes {
    const definitions = syncDefinitionsForEnvironment(env, { declaredDataSources: options.declaredDataSources, runtime: options.runtime });
    const tables = exportedTables(env);
    const common = {
      environment: env.name,
      allowTeardown: env.allowTeardown,
      region: env.region,
      workspaceId: options.workspaceId,
      opsCommand: options.opsCommand,
      dependsOn: options.dependsOn,
    };
    const timeseriesIndex = tables.findIndex(t => t.kind === 'timeseries');
    return {
      dataTable: new SyncNode(scope, 'sync-node-data-table', { ...common, definition: definitions[tables.findIndex(t => t.kind === 'wide-column')] }),
      timeseriesTable: new SyncNode(scope, 'sync-node-timeseries-table', {
        ...common,
        enabled: timeseriesIndex >= 0,
        definition: timeseriesIndex >= 0 ? definitions[timeseriesIndex] : undefined,
      }),
    };
  }

  readonly object: ManagedObject;
  readonly spec?: SyncNodeSpec;

  constructor(scope: Construct, id: string, props: SyncNodeProps) {
    super(scope, id);
    const where = `SyncNode ${this.node.path}`;
    const enabled = props.enabled ?? true;
    if (enabled) {
      checkRegion(where, props.region);
      if (!props.definition) throw new ConstructPropsError(where, 'definition', 'is required for an enabled node');
      this.spec = {
        kind: 'sync-node',
        region: props.region,
        projectId: workspaceIdString(where, props.workspaceId),
        nodeName: props.definition.name,
        flowSpec: props.definition.flowSpec,
      };
    }
    this.object = new ManagedObject(this, 'managed', {
      ...props,
      kind: 'sync-node',
      spec: (this.spec ?? { absent: true }) as unknown as Record<string, unknown>,
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

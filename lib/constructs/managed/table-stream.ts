import { Construct } from 'constructs';
import { TableStreamSpec } from '../../ops/specs';
import { ManagedObject, ManagedObjectCommonProps, tablestoreSettings } from './managed-object';
import { checkInstanceName, checkRegion, checkStreamRetention, checkTableName } from '../validate';

export interface TableStreamProps extends ManagedObjectCommonProps {
  /** Region of the instance, e.g. `cn-hangzhou`. */
  readonly region: string;
  /** The Tablestore instance; may be a token (e.g. `instance.name`), which skips the name check. */
  readonly instanceName: string;
  /** The wide-column data table (created by alicloud_ots_table; pass it in dependsOn). */
  readonly tableName: string;
  /** Stream retention in hours, 1 to 168 (TablestoreConfig.streamRetentionHours). */
  readonly retentionHours: number;
  /**
   * The instance's table where the operations command records that this stack enabled the Stream
   * (streamOwnersTableName); destroy disables only a Stream recorded there for this object.
   */
  readonly streamOwnersTable: string;
  /**
   * Endpoint the operations command uses (`TablestoreConfig.endpoints.operations`).
   * @default derived by the command from `tablestoreNetworkTypeAcl` and `OTSBK_TABLESTORE_NETWORK`
   */
  readonly tablestoreEndpoint?: string;
  /** The instance's `network_type_acl`. @default every network (`VPC`, `INTERNET`, `CLASSIC`) */
  readonly tablestoreNetworkTypeAcl?: readonly string[];
}

/**
 * The Stream of a wide-column table: enabled with the configured retention on deploy (kept when it is already
 * enabled), the retention changed in place when the configuration changes, disabled on destroy only when this
 * stack enabled it (refused where teardown is not allowed).
 */
export class TableStream extends Construct {
  readonly object: ManagedObject;
  readonly spec: TableStreamSpec;

  constructor(scope: Construct, id: string, props: TableStreamProps) {
    super(scope, id);
    const where = `TableStream ${this.node.path}`;
    checkRegion(where, props.region);
    checkInstanceName(where, props.instanceName);
    checkTableName(where, 'tableName', props.tableName);
    checkTableName(where, 'streamOwnersTable', props.streamOwnersTable);
    checkStreamRetention(where, 'retentionHours', props.retentionHours);
    this.spec = { kind: 'table-stream', region: props.region, instanceName: props.instanceName, tableName: props.tableName, retentionHours: props.retentionHours };
    this.object = new ManagedObject(this, 'managed', {
      ...props,
      kind: 'table-stream',
      spec: this.spec as unknown as Record<string, unknown>,
      settings: { ...tablestoreSettings(props), streamOwnersTable: props.streamOwnersTable },
    });
  }
}

import { Construct } from 'constructs';
import { TableStreamSpec } from '../../ops/specs';
import { checkTablestoreObject, ManagedObject, TablestoreObjectProps, tablestoreSettings } from './managed-object';
import { checkStreamRetention, checkTableName } from '../validate';

export interface TableStreamProps extends TablestoreObjectProps {
  /** The wide-column data table (created by alicloud_ots_table; pass it in dependsOn). */
  readonly tableName: string;
  /** Stream retention in hours, 1 to 168 (TablestoreConfig.streamRetentionHours). */
  readonly retentionHours: number;
  /**
   * The instance's table where the operations command records that this stack enabled the Stream
   * (streamOwnersTableName); destroy disables only a Stream recorded there for this object.
   */
  readonly streamOwnersTable: string;
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
    checkTablestoreObject(where, props);
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

import { Construct } from 'constructs';
import { TimeseriesTableSpec } from '../../ops/specs';
import { checkTablestoreObject, ManagedObject, TablestoreObjectProps, tablestoreSettings } from './managed-object';
import { checkTimeToLive } from '../validate';

export interface TimeseriesTableProps extends TablestoreObjectProps {
  /** The time series table to create; may be a token. */
  readonly tableName: string;
  /** Data TTL in seconds: -1 (keep forever) or at least 86400. */
  readonly timeToLiveSeconds: number;
}

/**
 * A Tablestore time series table: created on deploy, its TTL updated in place when the configuration changes,
 * deleted with its data on destroy (refused where teardown is not allowed). Keep the construct with
 * `enabled: false` when the configuration drops the table, so that the deploy deletes it.
 */
export class TimeseriesTable extends Construct {
  readonly object: ManagedObject;
  readonly spec?: TimeseriesTableSpec;

  constructor(scope: Construct, id: string, props: TimeseriesTableProps) {
    super(scope, id);
    const where = `TimeseriesTable ${this.node.path}`;
    const enabled = props.enabled ?? true;
    if (enabled) {
      checkTablestoreObject(where, props);
      checkTimeToLive(where, 'timeToLiveSeconds', props.timeToLiveSeconds);
      this.spec = { kind: 'timeseries-table', region: props.region, instanceName: props.instanceName, tableName: props.tableName, timeToLiveSeconds: props.timeToLiveSeconds };
    }
    this.object = new ManagedObject(this, 'managed', {
      ...props,
      kind: 'timeseries-table',
      spec: (this.spec ?? { absent: true }) as unknown as Record<string, unknown>,
      settings: tablestoreSettings(props),
    });
  }
}

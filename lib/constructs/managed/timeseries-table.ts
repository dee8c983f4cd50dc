import { Construct } from 'constructs';
import { TimeseriesTableSpec } from '../../ops/specs';
import { checkTablestoreObject, ManagedConstruct, TablestoreObjectProps, tablestoreSettings } from './managed-object';
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
export class TimeseriesTable extends ManagedConstruct<TimeseriesTableSpec> {
  constructor(scope: Construct, id: string, props: TimeseriesTableProps) {
    super(scope, id, 'TimeseriesTable', 'timeseries-table', props, where => {
      checkTablestoreObject(where, props);
      checkTimeToLive(where, 'timeToLiveSeconds', props.timeToLiveSeconds);
      return { kind: 'timeseries-table', region: props.region, instanceName: props.instanceName, tableName: props.tableName, timeToLiveSeconds: props.timeToLiveSeconds };
    }, tablestoreSettings(props));
  }
}

import { Construct } from 'constructs';
import { TimeseriesTableSpec } from '../../ops/specs';
import { ManagedObject, ManagedObjectCommonProps, tablestoreSettings } from './managed-object';
import { checkInstanceName, checkRegion, checkTableName, checkTimeToLive } from '../validate';

export interface TimeseriesTableProps extends ManagedObjectCommonProps {
  /** Region of the instance, e.g. `cn-hangzhou`. */
  readonly region: string;
  /** The Tablestore instance; may be a token (e.g. `instance.name`), which skips the name check. */
  readonly instanceName: string;
  /** The time series table to create; may be a token. */
  readonly tableName: string;
  /** Data TTL in seconds: -1 (keep forever) or at least 86400. */
  readonly timeToLiveSeconds: number;
  /**
   * Endpoint the operations command uses (`TablestoreConfig.endpoints.operations`).
   * @default derived by the command from `tablestoreNetworkTypeAcl` and `OTSBK_TABLESTORE_NETWORK`
   */
  readonly tablestoreEndpoint?: string;
  /** The instance's `network_type_acl`. @default every network (`VPC`, `INTERNET`, `CLASSIC`) */
  readonly tablestoreNetworkTypeAcl?: readonly string[];
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
      checkRegion(where, props.region);
      checkInstanceName(where, props.instanceName);
      checkTableName(where, 'tableName', props.tableName);
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

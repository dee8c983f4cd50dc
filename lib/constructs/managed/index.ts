export { DEFAULT_OPS_COMMAND, escapeForTerraform, ManagedObject } from './managed-object';
export type { ManagedObjectCommonProps, ManagedObjectProps } from './managed-object';
export { TableStream } from './table-stream';
export type { TableStreamProps } from './table-stream';
export { TimeseriesTable } from './timeseries-table';
export type { TimeseriesTableProps } from './timeseries-table';
export { SyncNode } from './sync-node';
export type { SyncNodeProps, SyncNodesForEnvironmentOptions } from './sync-node';
export { ConstructPropsError } from './validate';

/**
 * Addresses the single-table layout synthesized (they depend only on construct paths, so they are the same in
 * every environment). An environment deployed with that layout sets `movedFromSingleTableLayout`, and these
 * `moved` blocks carry its state over to the per-instance and per-table addresses. In a module of their own: the
 * Terraform migration test moves state from them without loading the whole stack and its provider bindings.
 */
export const SINGLE_TABLE_ADDRESSES = {
  instance: 'alicloud_ots_instance.tablestore_instance_325FACCA',
  dataTable: 'alicloud_ots_table.tablestore_data-table_0022E0A8',
  statusTable: 'alicloud_ots_table.tablestore_status-table_5116FBF8',
  tablestoreDataSource: 'alicloud_data_works_data_source.dataworks_tablestore_F761696B',
  dataTableStream: 'terraform_data.data-table-stream_managed_resource_AFE29A85',
  dataTableNode: 'terraform_data.sync-node-data-table_managed_resource_F1081011',
  timeseriesTable: 'terraform_data.timeseries-table_managed_resource_E27E11F5',
  timeseriesNode: 'terraform_data.sync-node-timeseries-table_managed_resource_28F64D81',
} as const;

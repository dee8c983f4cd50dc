/**
 * Protobuf schema (proto2) of the Tablestore API subset this project speaks:
 * table and row operations (what the sandbox serves to the official SDK),
 * the Stream API and the time series table API.
 *
 * Message and field numbers follow the public API reference; the GetShardIterator
 * `timestamp` (microseconds) and `token` fields, DescribeStream's time series
 * flags and the time series messages are absent from the proto bundled with the
 * official Node SDK. Field names are kept in snake_case (`keepCase`).
 */
export const TABLESTORE_PROTO = `
syntax = "proto2";
package ots;

message Error {
  required string code = 1;
  optional string message = 2;
  optional AccessDeniedDetail access_denied_detail = 3;
}
message AccessDeniedDetail {
  required string auth_action = 1;
  required string auth_principal_type = 2;
  required string auth_principal_owner_id = 3;
  required string auth_principal_display_name = 4;
  required string policy_type = 5;
  required string no_permission_type = 6;
  optional string encoded_diagnostic_message = 7;
}

enum PrimaryKeyType { INTEGER = 1; STRING = 2; BINARY = 3; }
enum PrimaryKeyOption { AUTO_INCREMENT = 1; }
enum DefinedColumnType { DCT_INTEGER = 1; DCT_DOUBLE = 2; DCT_BOOLEAN = 3; DCT_STRING = 4; DCT_BLOB = 7; }
enum BloomFilterType { NONE = 1; CELL = 2; ROW = 3; }
enum TableStatus { ACTIVE = 1; INACTIVE = 2; LOADING = 3; UNLOADING = 4; UPDATING = 5; }
enum RowExistenceExpectation { IGNORE = 0; EXPECT_EXIST = 1; EXPECT_NOT_EXIST = 2; }
enum ReturnType { RT_NONE = 0; RT_PK = 1; RT_AFTER_MODIFY = 2; }
enum OperationType { PUT = 1; UPDATE = 2; DELETE = 3; }
enum Direction { FORWARD = 0; BACKWARD = 1; }
enum DataBlockType { DBT_PLAIN_BUFFER = 0; DBT_SIMPLE_ROW_MATRIX = 1; }
enum CompressType { CPT_NONE = 0; }

message PrimaryKeySchema {
  required string name = 1;
  required PrimaryKeyType type = 2;
  optional PrimaryKeyOption option = 3;
}
message DefinedColumnSchema {
  required string name = 1;
  required DefinedColumnType type = 2;
}
message TableOptions {
  optional int32 time_to_live = 1;
  optional int32 max_versions = 2;
  optional BloomFilterType bloom_filter_type = 3;
  optional int32 block_size = 4;
  optional int64 deviation_cell_version_in_sec = 5;
  optional bool allow_update = 6;
  optional bool update_full_row = 7;
}
message TableMeta {
  required string table_name = 1;
  repeated PrimaryKeySchema primary_key = 2;
  repeated DefinedColumnSchema defined_column = 3;
}
message Condition {
  required RowExistenceExpectation row_existence = 1;
  optional bytes column_condition = 2;
}
message CapacityUnit {
  optional int32 read = 1;
  optional int32 write = 2;
}
message ReservedThroughputDetails {
  required CapacityUnit capacity_unit = 1;
  required int64 last_increase_time = 2;
  optional int64 last_decrease_time = 3;
}
message ReservedThroughput { required CapacityUnit capacity_unit = 1; }
message ConsumedCapacity { required CapacityUnit capacity_unit = 1; }
message StreamSpecification {
  required bool enable_stream = 1;
  optional int32 expiration_time = 2;
  repeated string columns_to_get = 3;
}
message StreamDetails {
  required bool enable_stream = 1;
  optional string stream_id = 2;
  optional int32 expiration_time = 3;
  optional int64 last_enable_time = 4;
  repeated string column_to_get = 5;
}
message PartitionRange {
  required bytes begin = 1;
  required bytes end = 2;
}

message CreateTableRequest {
  required TableMeta table_meta = 1;
  required ReservedThroughput reserved_throughput = 2;
  optional TableOptions table_options = 3;
  repeated PartitionRange partitions = 4;
  optional StreamSpecification stream_spec = 5;
}
message CreateTableResponse {}
message UpdateTableRequest {
  required string table_name = 1;
  optional ReservedThroughput reserved_throughput = 2;
  optional TableOptions table_options = 3;
  optional StreamSpecification stream_spec = 4;
}
message UpdateTableResponse {
  required ReservedThroughputDetails reserved_throughput_details = 1;
  required TableOptions table_options = 2;
  optional StreamDetails stream_details = 3;
}
message DescribeTableRequest { required string table_name = 1; }
message DescribeTableResponse {
  required TableMeta table_meta = 1;
  required ReservedThroughputDetails reserved_throughput_details = 2;
  required TableOptions table_options = 3;
  optional TableStatus table_status = 4;
  optional StreamDetails stream_details = 5;
  repeated bytes shard_splits = 6;
  optional int64 creation_time = 9;
}
message ListTableRequest {}
message ListTableResponse { repeated string table_names = 1; }
message DeleteTableRequest { required string table_name = 1; }
message DeleteTableResponse {}

message TimeRange {
  optional int64 start_time = 1;
  optional int64 end_time = 2;
  optional int64 specific_time = 3;
}
message ReturnContent {
  optional ReturnType return_type = 1;
  repeated string return_column_names = 2;
}
message GetRowRequest {
  required string table_name = 1;
  required bytes primary_key = 2;
  repeated string columns_to_get = 3;
  optional TimeRange time_range = 4;
  optional int32 max_versions = 5;
  optional bytes filter = 7;
  optional string start_column = 8;
  optional string end_column = 9;
  optional bytes token = 10;
  optional string transaction_id = 11;
}
message GetRowResponse {
  required ConsumedCapacity consumed = 1;
  required bytes row = 2;
  optional bytes next_token = 3;
}
message UpdateRowRequest {
  required string table_name = 1;
  required bytes row_change = 2;
  required Condition condition = 3;
  optional ReturnContent return_content = 4;
  optional string transaction_id = 5;
}
message UpdateRowResponse {
  required ConsumedCapacity consumed = 1;
  optional bytes row = 2;
}
message PutRowRequest {
  required string table_name = 1;
  required bytes row = 2;
  required Condition condition = 3;
  optional ReturnContent return_content = 4;
  optional string transaction_id = 5;
}
message PutRowResponse {
  required ConsumedCapacity consumed = 1;
  optional bytes row = 2;
}
message DeleteRowRequest {
  required string table_name = 1;
  required bytes primary_key = 2;
  required Condition condition = 3;
  optional ReturnContent return_content = 4;
  optional string transaction_id = 5;
}
message DeleteRowResponse {
  required ConsumedCapacity consumed = 1;
  optional bytes row = 2;
}
message RowInBatchWriteRowRequest {
  required OperationType type = 1;
  required bytes row_change = 2;
  required Condition condition = 3;
  optional ReturnContent return_content = 4;
}
message TableInBatchWriteRowRequest {
  required string table_name = 1;
  repeated RowInBatchWriteRowRequest rows = 2;
}
message BatchWriteRowRequest {
  repeated TableInBatchWriteRowRequest tables = 1;
  optional string transaction_id = 2;
}
message RowInBatchWriteRowResponse {
  required bool is_ok = 1;
  optional Error error = 2;
  optional ConsumedCapacity consumed = 3;
  optional bytes row = 4;
}
message TableInBatchWriteRowResponse {
  required string table_name = 1;
  repeated RowInBatchWriteRowResponse rows = 2;
}
message BatchWriteRowResponse { repeated TableInBatchWriteRowResponse tables = 1; }
message GetRangeRequest {
  required string table_name = 1;
  required Direction direction = 2;
  repeated string columns_to_get = 3;
  optional TimeRange time_range = 4;
  optional int32 max_versions = 5;
  optional int32 limit = 6;
  required bytes inclusive_start_primary_key = 7;
  required bytes exclusive_end_primary_key = 8;
  optional bytes filter = 10;
  optional string start_column = 11;
  optional string end_column = 12;
  optional bytes token = 13;
  optional string transaction_id = 14;
}
message GetRangeResponse {
  required ConsumedCapacity consumed = 1;
  required bytes rows = 2;
  optional bytes next_start_primary_key = 3;
  optional bytes next_token = 4;
  optional DataBlockType data_block_type = 5;
  optional CompressType compress_type = 6;
}

// ComputeSplitPointsBySize (tablestore.proto of the official SDKs; SplitLocation is nested there, same wire form).
message ComputeSplitPointsBySizeRequest {
  required string table_name = 1;
  required int64 split_size = 2;
  optional int64 split_size_unit_in_byte = 3;
}
message SplitLocation {
  required string location = 1;
  required sint64 repeat = 2;
}
message ComputeSplitPointsBySizeResponse {
  required ConsumedCapacity consumed = 1;
  repeated PrimaryKeySchema schema = 2;
  repeated bytes split_points = 3;
  repeated SplitLocation locations = 4;
}

message ListStreamRequest { optional string table_name = 1; }
message Stream {
  required string stream_id = 1;
  required string table_name = 2;
  required int64 creation_time = 3;
}
message ListStreamResponse { repeated Stream streams = 1; }
message StreamShard {
  required string shard_id = 1;
  optional string parent_id = 2;
  optional string parent_sibling_id = 3;
}
enum StreamStatus { STREAM_ENABLING = 1; STREAM_ACTIVE = 2; }
message DescribeStreamRequest {
  required string stream_id = 1;
  optional string inclusive_start_shard_id = 2;
  optional int32 shard_limit = 3;
  optional bool support_timeseries_data_table = 4;
}
message DescribeStreamResponse {
  required string stream_id = 1;
  required int32 expiration_time = 2;
  required string table_name = 3;
  required int64 creation_time = 4;
  required StreamStatus stream_status = 5;
  repeated StreamShard shards = 6;
  optional string next_shard_id = 7;
  optional bool is_timeseries_data_table = 8;
}
message GetShardIteratorRequest {
  required string stream_id = 1;
  required string shard_id = 2;
  optional int64 timestamp = 3;
  optional string token = 4;
}
message GetShardIteratorResponse {
  required string shard_iterator = 1;
  optional string next_token = 2;
}
message GetStreamRecordRequest {
  required string shard_iterator = 1;
  optional int32 limit = 2;
  optional string table_name = 3;
}
enum ActionType { PUT_ROW = 1; UPDATE_ROW = 2; DELETE_ROW = 3; }
message StreamRecord {
  required ActionType action_type = 1;
  required bytes record = 2;
  optional bytes origin_record = 3;
}
message GetStreamRecordResponse {
  repeated StreamRecord stream_records = 1;
  optional string next_shard_iterator = 2;
  optional ConsumedCapacity consumed = 3;
  optional bool may_more_record = 4;
}

message TimeseriesTableOptions { optional int32 time_to_live = 1; }
message TimeseriesTableMeta {
  required string table_name = 1;
  optional TimeseriesTableOptions table_options = 2;
  optional string status = 3;
  repeated string timeseries_key_schema = 5;
  repeated PrimaryKeySchema field_primary_key_schema = 6;
  optional bool disable_hash_partition_key = 7;
  optional bool disable_timeseries_meta_index = 8;
}
message CreateTimeseriesTableRequest {
  required TimeseriesTableMeta table_meta = 1;
  optional bool enable_analytical_store = 4;
}
message CreateTimeseriesTableResponse {}
message ListTimeseriesTableRequest {}
message ListTimeseriesTableResponse { repeated TimeseriesTableMeta table_metas = 1; }
message DeleteTimeseriesTableRequest { required string table_name = 1; }
message DeleteTimeseriesTableResponse {}
message UpdateTimeseriesTableRequest {
  required string table_name = 1;
  optional TimeseriesTableOptions table_options = 2;
}
message UpdateTimeseriesTableResponse {}
message DescribeTimeseriesTableRequest { required string table_name = 1; }
message DescribeTimeseriesTableResponse { required TimeseriesTableMeta table_meta = 1; }

message TimeseriesTag {
  required string name = 1;
  required string value = 2;
}
message TimeseriesKey {
  optional string measurement = 1;
  optional string source = 2;
  optional string tags = 3;
  repeated TimeseriesTag tag_list = 4;
}
enum RowsSerializeType { RST_FLAT_BUFFER = 0; RST_PLAIN_BUFFER = 1; RST_PROTO_BUFFER = 2; }
message TimeseriesRows {
  required RowsSerializeType type = 1;
  required bytes rows_data = 2;
  optional int32 flatbuffer_crc32c = 3;
}
enum MetaUpdateMode { MUM_NORMAL = 0; MUM_IGNORE = 1; }
message PutTimeseriesDataRequest {
  required string table_name = 1;
  required TimeseriesRows rows_data = 2;
  optional MetaUpdateMode meta_update_mode = 3;
  optional int64 supported_table_version = 4;
}
message FailedRowInfo {
  required int32 row_index = 1;
  optional string error_code = 2;
  optional string error_message = 3;
}
message PutTimeseriesDataResponse { repeated FailedRowInfo failed_rows = 1; }
message TimeseriesField {
  optional string field_name = 1;
  optional int64 value_int = 2;
  optional string value_string = 3;
  optional bool value_bool = 4;
  optional double value_double = 5;
  optional bytes value_binary = 6;
}
message TimeseriesRow {
  optional TimeseriesKey timeseries_key = 1;
  optional int64 time = 2;
  repeated TimeseriesField fields = 3;
  optional uint32 meta_cache_update_time = 4;
}
message TimeseriesPBRows { repeated TimeseriesRow rows = 1; }
message TimeseriesFieldsToGet {
  optional string name = 1;
  optional int32 type = 2;
}
message GetTimeseriesDataRequest {
  required string table_name = 1;
  required TimeseriesKey time_series_key = 2;
  optional int64 begin_time = 3;
  optional int64 end_time = 4;
  optional int64 specific_time = 5;
  optional bytes token = 6;
  optional int32 limit = 7;
  optional bool backward = 8;
  repeated TimeseriesFieldsToGet fields_to_get = 9;
  optional int64 supported_table_version = 10;
}
message GetTimeseriesDataResponse {
  required bytes rows_data = 1;
  optional bytes next_token = 2;
}
// Full scan of a time series table (timeseries.proto of aliyun-tablestore-java-sdk; API reference
// SplitTimeseriesScanTask, ScanTimeseriesData): data comes back as PlainBuffer rows in the storage layout.
message SplitTimeseriesScanTaskRequest {
  required string table_name = 1;
  optional string measurement_name = 2;
  required int32 split_count_hint = 3;
}
message SplitTimeseriesScanTaskResponse { repeated bytes split_infos = 1; }
message ScanTimeseriesDataRequest {
  required string table_name = 1;
  optional bytes split_info = 2;
  optional int64 start_time_us = 3;
  optional int64 end_time_us = 4;
  repeated TimeseriesFieldsToGet fields_to_get = 5;
  optional int32 limit = 6;
  optional RowsSerializeType data_serialize_type = 7;
  optional bytes token = 8;
  optional int64 supported_table_version = 9;
}
message ScanTimeseriesDataResponse {
  optional RowsSerializeType data_serialize_type = 1;
  required bytes data = 2;
  optional bytes next_token = 3;
}
`;

/**
 * Every reader and writer parameter key the sync job sends, with the public source that defines it. The tables are
 * typed against the parameter interfaces of `di-job.ts`: a key added to a parameter without a source here does not
 * compile, and `assertDocumentedKeys` refuses any key of a built job that is not listed.
 *
 * Sources, by short name:
 * - DataX otsstreamreader: `alibaba/DataX` otsstreamreader/…/internal/config/OTSStreamReaderConfig.java (the keys the
 *   plugin reads) and otsstreamreader/README.md.
 * - DataX osswriter: `alibaba/DataX` osswriter/…/osswriter/Key.java, plugin-unstructured-storage-util/…/writer/Key.java
 *   (the keys the plugin reads) and osswriter/doc/osswriter.md.
 * - DataWorks Tablestore Stream Reader: the DataWorks reference of the Tablestore Stream data source (mirrored in
 *   `aliyun/alibabacloud-aiops-skills` …/data_integration/datasources/Tablestore Stream/Tablestore Stream-Source.md).
 * - DataWorks OSS Writer: the DataWorks reference of the OSS data source (mirrored in aiops-skills
 *   …/data_integration/datasources/OSS/OSS-Destination.md).
 *
 * In DataWorks script mode `datasource` names a workspace data source and replaces the endpoint, credential, instance
 * and bucket keys the open-source plugins read.
 */
import type { OssWriterParameter, OtsStreamColumn, OtsStreamReaderParameter } from './di-job';

const DATASOURCE = 'DataWorks Tablestore Stream Reader / OSS Writer references: "datasource", the workspace data source name (replaces endpoint, accessId, accessKey, instanceName / bucket of the DataX plugins)';

/** Tablestore Stream reader (`stepType: otsstream`). */
export const OTS_STREAM_READER_KEYS: Readonly<Record<keyof OtsStreamReaderParameter, string>> = {
  datasource: DATASOURCE,
  dataTable: 'DataX otsstreamreader KEY_DATA_TABLE_NAME "dataTable"; DataWorks Tablestore Stream Reader "dataTable"',
  statusTable: 'DataX otsstreamreader KEY_STATUS_TABLE_NAME "statusTable"; DataWorks Tablestore Stream Reader "statusTable"',
  startTimeString: 'DataX otsstreamreader KEY_START_TIME_STRING "startTimeString" (yyyymmddhh24miss, left-closed); DataWorks Tablestore Stream Reader "startTimeString"',
  endTimeString: 'DataX otsstreamreader KEY_END_TIME_STRING "endTimeString" (right-open); DataWorks Tablestore Stream Reader "endTimeString"',
  mode: 'DataX otsstreamreader KEY_MODE "mode", only value single_version_and_update_only (row mode); DataWorks Tablestore Stream Reader "mode"',
  column: 'DataX otsstreamreader KEY_COLUMN "column" (row mode: list of maps with "name"); DataWorks Tablestore Stream Reader "column"',
  isTimeseriesTable: 'DataX otsstreamreader IS_TIMESERIES_TABLE "isTimeseriesTable" (row mode only); DataWorks Tablestore Stream Reader "isTimeseriesTable"',
  enableSeekIterator: 'DataX otsstreamreader ENABLE_SEEK_SHARD_ITERATOR "enableSeekIterator"; DataWorks Tablestore Stream Reader "enableSeekIterator"',
  maxRetries: 'DataX otsstreamreader KEY_MAX_RETRIES "maxRetries" (default 30); DataWorks Tablestore Stream Reader "maxRetries"',
};

/** One entry of the reader's row-mode `column` list. */
export const OTS_STREAM_READER_COLUMN_KEYS: Readonly<Record<keyof OtsStreamColumn, string>> = {
  name: 'DataX otsstreamreader parseConfigForSingleVersionAndUpdateOnlyMode reads "name"; DataWorks Tablestore Stream Reader column "name"',
  dataType: 'DataWorks Tablestore Stream Reader column "dataType": new (default), old or latest (not in open-source DataX; DataWorks documents it)',
};

/**
 * OSS writer (`stepType: oss`), csv output. Not sent, on purpose: `writeHeader` (a codeless-UI option the DataX plugin
 * never reads; the header row comes from `header`) and `column` (documented for orc/parquet output only).
 */
export const OSS_WRITER_KEYS: Readonly<Record<keyof OssWriterParameter, string>> = {
  datasource: DATASOURCE,
  fileFormat: 'DataX unstructured writer Key.FILE_FORMAT "fileFormat" (csv: strict csv quoting); DataWorks OSS Writer "fileFormat"',
  object: 'DataX osswriter Key.OBJECT "object"; DataWorks OSS Writer "object"',
  writeMode: 'DataX unstructured writer Key.WRITE_MODE "writeMode" (truncate removes the objects with the object prefix first); DataWorks OSS Writer "writeMode"',
  header: 'DataX unstructured writer Key.HEADER "header", a list of column names written as the first line (osswriter.md "header"; read in UnstructuredStorageWriterUtil)',
  writeSingleObject: 'DataX osswriter Key.WRITE_SINGLE_OBJECT "writeSingleObject"; DataWorks OSS Writer "writeSingleObject"',
  fieldDelimiter: 'DataX unstructured writer Key.FIELD_DELIMITER "fieldDelimiter"; DataWorks OSS Writer "fieldDelimiter"',
  encoding: 'DataX unstructured writer Key.ENCODING "encoding"; DataWorks OSS Writer "encoding"',
  nullFormat: 'DataX unstructured writer Key.NULL_FORMAT "nullFormat"; DataWorks OSS Writer "nullFormat"',
};

/**
 * PlainBuffer wire constants (Tablestore's row serialisation inside protobuf `bytes`).
 *
 * Layout of a buffer: uint32 LE header 0x75, then rows. A row is
 *   TAG_ROW_PK cell*  [TAG_ROW_DATA cell*]  [TAG_DELETE_ROW_MARKER]  [extension]  TAG_ROW_CHECKSUM crc8
 * and a cell is
 *   TAG_CELL TAG_CELL_NAME u32len name [TAG_CELL_VALUE u32len variant] [TAG_CELL_TYPE op]
 *   [TAG_CELL_TIMESTAMP i64] TAG_CELL_CHECKSUM crc8
 * A stream record carries its sequence info in the extension:
 *   TAG_EXTENSION u32len TAG_SEQ_INFO u32len TAG_SEQ_INFO_EPOCH u32 TAG_SEQ_INFO_TS i64 TAG_SEQ_INFO_ROW_INDEX u32
 */
export const PB_HEADER = 0x75;

export const TAG_ROW_PK = 0x01;
export const TAG_ROW_DATA = 0x02;
export const TAG_CELL = 0x03;
export const TAG_CELL_NAME = 0x04;
export const TAG_CELL_VALUE = 0x05;
export const TAG_CELL_TYPE = 0x06;
export const TAG_CELL_TIMESTAMP = 0x07;
export const TAG_DELETE_ROW_MARKER = 0x08;
export const TAG_ROW_CHECKSUM = 0x09;
export const TAG_CELL_CHECKSUM = 0x0a;
export const TAG_EXTENSION = 0x0b;
export const TAG_SEQ_INFO = 0x0c;
export const TAG_SEQ_INFO_EPOCH = 0x0d;
export const TAG_SEQ_INFO_TS = 0x0e;
export const TAG_SEQ_INFO_ROW_INDEX = 0x0f;

/** Cell operation types carried by TAG_CELL_TYPE. */
export const OP_DELETE_ALL_VERSIONS = 0x01;
export const OP_DELETE_ONE_VERSION = 0x03;
export const OP_INCREMENT = 0x04;

/** Variant (value) types. */
export const VT_INTEGER = 0x00;
export const VT_DOUBLE = 0x01;
export const VT_BOOLEAN = 0x02;
export const VT_STRING = 0x03;
export const VT_NULL = 0x06;
export const VT_BLOB = 0x07;
export const VT_INF_MIN = 0x09;
export const VT_INF_MAX = 0x0a;
export const VT_AUTO_INCREMENT = 0x0b;

/**
 * Row model shared by the PlainBuffer codec, the stream client and the sandbox.
 *
 * Value representation: INTEGER -> bigint, DOUBLE -> number, BOOLEAN -> boolean,
 * STRING -> string, BINARY -> Buffer.
 */

export type PrimaryKeyType = 'INTEGER' | 'STRING' | 'BINARY';
export type ColumnType = 'INTEGER' | 'DOUBLE' | 'BOOLEAN' | 'STRING' | 'BINARY';

export type PrimaryKeyValue = bigint | string | Buffer;
export type ColumnValue = bigint | number | boolean | string | Buffer;

export interface PrimaryKeyColumn {
  readonly name: string;
  readonly type: PrimaryKeyType;
  readonly value: PrimaryKeyValue;
}

/** Key placeholders that only appear in requests (range bounds, auto-increment). */
export type PrimaryKeyPlaceholder = 'INF_MIN' | 'INF_MAX' | 'AUTO_INCREMENT';

/** A key column as it may appear on the wire: a value or a placeholder (value null). */
export type WirePrimaryKeyColumn =
  | PrimaryKeyColumn
  | { readonly name: string; readonly type: PrimaryKeyPlaceholder; readonly value: null };

/**
 * - PUT: value written at version timestampMillis
 * - DELETE_ONE_VERSION: version timestampMillis removed (no value)
 * - DELETE_ALL_VERSIONS: every version removed (no value, no timestamp)
 */
export type ColumnOperation = 'PUT' | 'DELETE_ONE_VERSION' | 'DELETE_ALL_VERSIONS';
/** INCREMENT only appears in UpdateRow requests; the service turns it into a PUT. */
export type CellOperation = ColumnOperation | 'INCREMENT';

export interface Cell {
  readonly name: string;
  readonly operation: CellOperation;
  /** null for delete markers. */
  readonly type: ColumnType | null;
  /** null for delete markers. */
  readonly value: ColumnValue | null;
  /** Version in milliseconds; null when the cell carries none. */
  readonly timestampMillis: number | null;
}

/** Stream sequence info from a record's extension. */
export interface SequenceInfo {
  readonly epoch: number;
  readonly timestampMicros: number;
  readonly rowIndex: number;
}

export interface PlainBufferRow {
  readonly primaryKey: WirePrimaryKeyColumn[];
  readonly cells: Cell[];
  readonly deleteMarker: boolean;
  /** Present on stream records only. */
  readonly sequence: SequenceInfo | null;
}

export class PlainBufferError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`PlainBuffer: ${message} (at byte ${offset})`);
    this.name = 'PlainBufferError';
  }
}

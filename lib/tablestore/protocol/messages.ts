/**
 * Protobuf messages of the Tablestore API, loaded with protobufjs from our own
 * schema text (see schema.ts). Encoding accepts enum names; decoding returns
 * plain objects with enum names, int64 as number and bytes as Buffer.
 */
import * as protobuf from 'protobufjs';
import { TABLESTORE_PROTO } from './schema';

// Parsed on the first message encoded or decoded, not on import: a process that never calls Tablestore through
// this module (most runs of dist/ops.js) does not pay for parsing the schema.
let root: protobuf.Root | undefined;
const types = new Map<string, protobuf.Type>();

function lookup(name: string): protobuf.Type {
  let type = types.get(name);
  if (!type) {
    if (!root) {
      root = protobuf.parse(TABLESTORE_PROTO, { keepCase: true }).root;
      root.resolveAll();
    }
    type = root.lookupType(`ots.${name}`);
    types.set(name, type);
  }
  return type;
}

/** Encodes `message` as the named protobuf message (e.g. "ListStreamRequest"). */
export function encodeMessage(name: string, message: object): Buffer {
  const type = lookup(name);
  checkRequired(type, message as Record<string, unknown>, () => name);
  // fromObject accepts enum names, int64 as numbers or decimal strings, and Buffers.
  const bytes = type.encode(type.fromObject(message as Record<string, unknown>)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes `bytes` as the named protobuf message into a plain object. */
export function decodeMessage<T>(name: string, bytes: Uint8Array): T {
  const type = lookup(name);
  const decoded = type.decode(bytes);
  return type.toObject(decoded, { enums: String, longs: Number, arrays: true }) as T;
}

/** True if `name` is a message of the schema. */
export function hasMessage(name: string): boolean {
  try {
    lookup(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absent proto2 required fields would silently encode as defaults; name them
 * instead. (protobufjs' verify cannot tell an empty bytes value from an absent one.)
 */
function checkRequired(type: protobuf.Type, message: Record<string, unknown>, path: () => string): void {
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null) {
      if (field.required) throw new TypeError(`cannot encode ${path()}: required field ${field.name} is missing`);
      continue;
    }
    if (field.resolvedType instanceof protobuf.Type) {
      const nested = field.resolvedType;
      // The path is built only for the error: a 5000-row message would otherwise build 5000 strings.
      if (field.repeated && Array.isArray(value)) value.forEach((v, i) => checkRequired(nested, v as Record<string, unknown>, () => `${path()}.${field.name}[${i}]`));
      else checkRequired(nested, value as Record<string, unknown>, () => `${path()}.${field.name}`);
    }
  }
}

/**
 * Field numbers in `bytes` that the named message (or a nested message) does not declare, as paths such as
 * `CreateTimeseriesTableRequest.table_meta#9`. protobufjs skips unknown fields silently; the sandbox uses this to
 * refuse a field the API does not have instead of ignoring it.
 */
export function unknownFields(name: string, bytes: Uint8Array): string[] {
  const found: string[] = [];
  walkFields(lookup(name), protobuf.Reader.create(bytes), name, found);
  return found;
}

function walkFields(type: protobuf.Type, reader: protobuf.Reader, path: string, found: string[]): void {
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const id = tag >>> 3;
    const wireType = tag & 7;
    const field = type.fieldsById[id];
    if (!field) found.push(`${path}#${id}`);
    if (field && wireType === 2 && field.resolvedType instanceof protobuf.Type) {
      walkFields(field.resolvedType, protobuf.Reader.create(reader.bytes()), `${path}.${field.name}`, found);
    } else {
      reader.skipType(wireType);
    }
  }
}

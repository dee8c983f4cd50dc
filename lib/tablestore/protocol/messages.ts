/**
 * Protobuf messages of the Tablestore API, loaded with protobufjs from our own
 * schema text (see schema.ts). Encoding accepts enum names; decoding returns
 * plain objects with enum names, int64 as number and bytes as Buffer.
 */
import * as protobuf from 'protobufjs';
import { TABLESTORE_PROTO } from './schema';

const root = protobuf.parse(TABLESTORE_PROTO, { keepCase: true }).root;
const types = new Map<string, protobuf.Type>();

function lookup(name: string): protobuf.Type {
  let type = types.get(name);
  if (!type) {
    type = root.lookupType(`ots.${name}`);
    types.set(name, type);
  }
  return type;
}

/** Encodes `message` as the named protobuf message (e.g. "ListStreamRequest"). */
export function encodeMessage(name: string, message: object): Buffer {
  const type = lookup(name);
  // fromObject accepts enum names and bigint; verify then runs on the plain
  // form of the converted message, where absent required fields show up
  // (on a message instance they hide behind prototype defaults).
  const converted = type.fromObject(message as Record<string, unknown>);
  const problem = type.verify(type.toObject(converted, { longs: Number }));
  if (problem) throw new TypeError(`cannot encode ${name}: ${problem}`);
  const bytes = type.encode(converted).finish();
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


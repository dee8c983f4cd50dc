import type { PrimaryKeyColumn } from './plainbuffer/types';

/**
 * Identity of a primary key, for maps of rows: equal keys (same column types and values, in order) give equal
 * strings, different keys different ones (each value is length-prefixed, binaries in base64).
 */
export function primaryKeyId(key: readonly PrimaryKeyColumn[]): string {
  let s = '';
  for (const c of key) {
    const v = c.type === 'BINARY' ? (c.value as Buffer).toString('base64') : String(c.value);
    s += `${c.type[0]}${v.length}:${v}|`;
  }
  return s;
}

import { createHash } from 'node:crypto';
import { sortKeys } from '../common/sort-keys';

/** A JSON value as this module builds and compares it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Integers beyond this many digits may exceed 2^53 and would lose precision as JavaScript numbers. */
const MAX_SAFE_DIGITS = 15;

/**
 * Parses JSON, turning integer literals too long to be exact JavaScript numbers into strings.
 *
 * DataWorks returns node ids such as 8604388726201130000 as JSON numbers (19 digits, beyond 2^53). `JSON.parse`
 * would silently round them, and the rounded id names another node (or none). The scanner only rewrites number
 * tokens outside string literals, so ids mentioned inside an escaped FlowSpec string stay untouched.
 */
export function parseJsonPreservingLargeIntegers(text: string): unknown {
  let out = '';
  let i = 0;
  let copiedUpTo = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const start = i;
      if (text[i] === '-') i++;
      while (i < text.length && /[0-9]/.test(text[i])) i++;
      const isInteger = !/[.eE]/.test(text[i] ?? '');
      const digits = text.slice(start, i).replace('-', '').length;
      if (isInteger && digits > MAX_SAFE_DIGITS) {
        out += text.slice(copiedUpTo, start) + JSON.stringify(text.slice(start, i));
        copiedUpTo = i;
      }
      while (i < text.length && /[0-9.eE+-]/.test(text[i])) i++;
      continue;
    }
    i++;
  }
  return JSON.parse(out + text.slice(copiedUpTo));
}

/**
 * JSON with object keys sorted at every level: the same value always serializes to the same text, whatever
 * order its keys were built or parsed in. Used for hashing and for comparing a desired spec with a live one.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** Hex SHA-256 of the canonical JSON of `value`. */
export function specHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

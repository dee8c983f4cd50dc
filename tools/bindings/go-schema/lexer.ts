/**
 * A lexer for the Go source subset that terraform-plugin-sdk schema declarations use.
 * It tokenizes whole Go files faithfully enough (comments, raw and interpreted strings, runes,
 * numbers, identifiers, operators) that the parser can skip everything it does not model.
 */

export type TokenKind = 'ident' | 'string' | 'number' | 'rune' | 'op';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, operator text, number text, or the decoded value of a string literal. */
  readonly text: string;
  /** 1-based line in the source, for error messages. */
  readonly line: number;
}

const MULTI_CHAR_OPS = [
  '<<=', '>>=', '&^=', '...', '&&', '||', '<-', '++', '--', '==', '!=', '<=', '>=', ':=', '+=', '-=',
  '*=', '/=', '%=', '&=', '|=', '^=', '<<', '>>', '&^',
];

export class GoLexError extends Error {}

export function tokenize(source: string, fileName: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const n = source.length;
  const fail = (msg: string): never => {
    throw new GoLexError(`${fileName}:${line}: ${msg}`);
  };
  while (i < n) {
    const c = source[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated block comment');
      for (let k = i; k < end; k++) if (source[k] === '\n') line++;
      i = end + 2;
      continue;
    }
    if (c === '`') {
      const end = source.indexOf('`', i + 1);
      if (end < 0) fail('unterminated raw string');
      const raw = source.slice(i + 1, end).replace(/\r/g, '');
      tokens.push({ kind: 'string', text: raw, line });
      for (const ch of raw) if (ch === '\n') line++;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      const start = line;
      let j = i + 1;
      let value = '';
      while (j < n && source[j] !== '"') {
        if (source[j] === '\n') fail('newline in string literal');
        if (source[j] === '\\') {
          const [decoded, width] = decodeEscape(source, j, fail);
          value += decoded;
          j += width;
        } else {
          value += source[j];
          j++;
        }
      }
      if (j >= n) fail('unterminated string literal');
      tokens.push({ kind: 'string', text: value, line: start });
      i = j + 1;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      while (j < n && source[j] !== "'") j += source[j] === '\\' ? 2 : 1;
      tokens.push({ kind: 'rune', text: source.slice(i, j + 1), line });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9]+)?i?)/.exec(source.slice(i, i + 64));
      const text = m ? m[0] : c;
      tokens.push({ kind: 'number', text, line });
      i += Math.max(1, text.length);
      continue;
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_\u0080-\uffff]/.test(source[j])) j++;
      tokens.push({ kind: 'ident', text: source.slice(i, j), line });
      i = j;
      continue;
    }
    const op = MULTI_CHAR_OPS.find((o) => source.startsWith(o, i)) ?? c;
    tokens.push({ kind: 'op', text: op, line });
    i += op.length;
  }
  return tokens;
}

function decodeEscape(source: string, at: number, fail: (msg: string) => never): [string, number] {
  const e = source[at + 1];
  const simple: Record<string, string> = {
    n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v',
  };
  if (e in simple) return [simple[e], 2];
  if (e === 'x') return [String.fromCharCode(parseInt(source.slice(at + 2, at + 4), 16)), 4];
  if (e === 'u') return [String.fromCodePoint(parseInt(source.slice(at + 2, at + 6), 16)), 6];
  if (e === 'U') return [String.fromCodePoint(parseInt(source.slice(at + 2, at + 10), 16)), 10];
  if (/[0-7]/.test(e)) return [String.fromCharCode(parseInt(source.slice(at + 1, at + 4), 8)), 4];
  return fail(`unknown escape \\${e}`);
}

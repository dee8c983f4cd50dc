/**
 * Readers of the text lines the project writes: CSV as the CSV encoder (and the Data Integration OSS writer)
 * writes it, and the flat JSON objects of JSON Lines, keeping number literals as text so that int64 values keep
 * every digit.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Bytes of decompressed text read at a time (a piece is about this long). */
const PIECE_BYTES = 256 * 1024;

/** A CSV field: its text and whether it was quoted (a quoted field is never the null text). */
export interface CsvField {
  readonly text: string;
  readonly quoted: boolean;
}

/**
 * Splits CSV text into records of fields: `"` qualifier, doubled quotes inside, `\n` (or `\r\n`) between records.
 * Quoted fields may hold delimiters and line breaks.
 */
export function* csvRecords(text: string, delimiter: string): Generator<CsvField[]> {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const fields: CsvField[] = [];
    for (;;) {
      let value = '';
      let quoted = false;
      if (text[i] === '"') {
        quoted = true;
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new Error('CSV: a quoted field is not closed before the end of the file');
          value += text.slice(i, q);
          if (text[q + 1] === '"') {
            value += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
      } else {
        let j = i;
        while (j < n && text[j] !== delimiter && text[j] !== '\n' && text[j] !== '\r') j++;
        value = text.slice(i, j);
        i = j;
      }
      fields.push({ text: value, quoted });
      if (text[i] === delimiter) {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      break;
    }
    yield fields;
  }
}

/** A JSON scalar as written: strings decoded, numbers kept as their literal text. */
export type JsonScalar = string | { readonly number: string } | boolean | null;

/** Parses one flat JSON object line (`{"a":1,"b":"x"}`) into name → scalar. */
export function parseFlatJsonLine(line: string, where: string): Map<string, JsonScalar> {
  const out = new Map<string, JsonScalar>();
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what} at character ${i}`);
  };
  const ws = (): void => {
    while (line[i] === ' ' || line[i] === '\t') i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < line.length) {
      if (line[i] === '\\') i += 2;
      else if (line[i] === '"') break;
      else i++;
    }
    if (line[i] !== '"') fail('unterminated string');
    i++;
    return JSON.parse(line.slice(start, i)) as string;
  };
  ws();
  if (line[i] !== '{') fail('expected {');
  i++;
  ws();
  if (line[i] === '}') return out;
  for (;;) {
    ws();
    if (line[i] !== '"') fail('expected a key');
    const name = str();
    ws();
    if (line[i] !== ':') fail('expected :');
    i++;
    ws();
    let value: JsonScalar;
    const c = line[i];
    if (c === '"') value = str();
    else if (line.startsWith('null', i)) { value = null; i += 4; }
    else if (line.startsWith('true', i)) { value = true; i += 4; }
    else if (line.startsWith('false', i)) { value = false; i += 5; }
    else {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(line.slice(i, i + 400));
      if (!m) fail('expected a scalar value (nested values are not part of the export formats)');
      value = { number: m![0] };
      i += m![0].length;
    }
    out.set(name, value);
    ws();
    if (line[i] === ',') { i++; continue; }
    if (line[i] === '}') break;
    fail('expected , or }');
  }
  return out;
}

/**
 * The text of a file in pieces that each end at a record boundary, decompressing as it goes: memory holds the
 * (compressed) object, one chunk and the bytes after its last boundary, not the whole text. `csv`: a boundary is
 * a line break outside quotes (an even number of `"` before it); otherwise any line break. Pieces are cut at
 * `\n` bytes, which never fall inside a UTF-8 character, and the remainder is copied so that no piece keeps the
 * previous chunks alive.
 */
export async function* textPieces(content: Buffer, gzip: boolean, csv: boolean): AsyncGenerator<string> {
  let carry: Buffer = Buffer.alloc(0);
  /** Quotes in `carry` (only their parity matters). */
  let carryQuotes = 0;
  const chunks: AsyncIterable<Buffer> = gzip ? Readable.from([content]).pipe(createGunzip({ chunkSize: PIECE_BYTES })) : Readable.from(chunksOf(content));
  for await (const chunk of chunks) {
    let cut = -1;
    let quotes = carryQuotes;
    let quotesAtCut = 0;
    if (!csv) {
      cut = chunk.lastIndexOf(0x0a);
    } else {
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        if (b === 0x22) quotes++;
        else if (b === 0x0a && (quotes & 1) === 0) {
          cut = i;
          quotesAtCut = quotes;
        }
      }
    }
    if (cut < 0) {
      carry = Buffer.concat([carry, chunk]);
      carryQuotes = quotes;
      continue;
    }
    yield Buffer.concat([carry, chunk.subarray(0, cut + 1)]).toString('utf8');
    carry = Buffer.from(chunk.subarray(cut + 1));
    carryQuotes = quotes - quotesAtCut;
  }
  if (carry.length > 0) yield carry.toString('utf8');
}
function* chunksOf(content: Buffer): Generator<Buffer> {
  for (let i = 0; i < content.length; i += PIECE_BYTES) yield content.subarray(i, i + PIECE_BYTES);
}

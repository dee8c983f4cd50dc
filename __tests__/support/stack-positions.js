/**
 * Stack traces of the tests, with the project's frames at their lines in the TypeScript sources.
 *
 * Jest maps stack frames with source-map-support, which it loads afresh in every test file: the first stack read in
 * a file (every `toThrow` reads one) compiled that library again and parsed the maps of every file on the stack,
 * 20–50 ms of CPU per test file. This module is loaded once per worker process, outside the tests' sandboxes
 * (node-environment.js installs `prepareStackTrace`), and decodes each project file's map once, as the transform
 * kept it.
 *
 * Frames of dependencies (node_modules) and of the generated bindings (.gen, transformed without maps) are printed
 * as V8 prints them; so is any frame whose position the map does not cover.
 */
const { readFileSync, statSync } = require('node:fs');
const { sourceMap } = require('./esbuild-transform');

const UNMAPPED = /[\\/](node_modules|\.gen)[\\/]/;
const BASE64 = new Int8Array(128).fill(-1);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].forEach((c, i) => { BASE64[c.charCodeAt(0)] = i; });

/** Source map v3 `mappings` → per generated line, flat triples [generated column, source line, source column] (0-based). */
function decodeMappings(mappings) {
  const lines = [];
  let row = [];
  let generatedColumn = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  let field = 0;
  let value = 0;
  let shift = 0;
  const endSegment = () => {
    if (field >= 4) row.push(generatedColumn, sourceLine, sourceColumn);
    field = 0;
  };
  for (let i = 0; i < mappings.length; i++) {
    const c = mappings.charCodeAt(i);
    if (c === 44) { endSegment(); continue; } // ','
    if (c === 59) { endSegment(); lines.push(row); row = []; generatedColumn = 0; continue; } // ';'
    const digit = c < 128 ? BASE64[c] : -1;
    if (digit < 0) throw new Error(`unexpected character ${JSON.stringify(mappings[i])} in source map mappings`);
    value += (digit & 31) << shift;
    if (digit & 32) { shift += 5; continue; }
    const delta = value & 1 ? -(value >>> 1) : value >>> 1;
    value = 0;
    shift = 0;
    // Fields: generated column (relative within the line), source index, source line, source column, name index.
    if (field === 0) generatedColumn += delta;
    else if (field === 2) sourceLine += delta;
    else if (field === 3) sourceColumn += delta;
    field++;
  }
  endSegment();
  lines.push(row);
  return lines;
}

const tables = new Map();
let cacheDirectory;

/** Jest's cache directory, where the transform keeps its source maps (node-environment.js sets it). */
function useCacheDirectory(directory) {
  cacheDirectory = directory;
}

/** The decoded map of `file` as it is now (a worker outlives a file's edit under `jest --watch`). */
function lineTable(file) {
  if (UNMAPPED.test(file) || !/\.[cm]?[jt]s$/.test(file)) return null;
  let key;
  try {
    key = `${file}\0${statSync(file).mtimeMs}`;
  } catch {
    return null; // not a file on disk
  }
  if (!tables.has(key)) {
    let table = null;
    try {
      table = decodeMappings(JSON.parse(sourceMap(cacheDirectory, file, readFileSync(file, 'utf8'))).mappings);
    } catch {
      table = null; // no map for it: printed as V8 prints it
    }
    tables.set(key, table);
  }
  return tables.get(key);
}

/** 1-based line and column in the source of a 1-based position in what the transform made of `file`, if mapped. */
function originalPosition(file, line, column) {
  const row = lineTable(file)?.[line - 1];
  if (!row) return undefined;
  // The last segment starting at or before the column, on that line only (source-map's GREATEST_LOWER_BOUND).
  let found = -1;
  for (let k = 0; k < row.length && row[k] <= column - 1; k += 3) found = k;
  return found < 0 ? undefined : { line: row[found + 1] + 1, column: row[found + 2] + 1 };
}

function frameText(frame) {
  const text = String(frame);
  const file = frame.getFileName();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  if (!file || line == null || column == null) return text;
  const position = originalPosition(file, line, column);
  const generated = `${file}:${line}:${column}`;
  const at = position ? text.lastIndexOf(generated) : -1;
  return at < 0 ? text : `${text.slice(0, at)}${file}:${position.line}:${position.column}${text.slice(at + generated.length)}`;
}

/** Error.prepareStackTrace: V8's format (header as Error.prototype.toString), the project's frames mapped. */
function prepareStackTrace(error, frames) {
  let header;
  try {
    const name = error.name === undefined ? 'Error' : String(error.name);
    const message = error.message === undefined ? '' : String(error.message);
    header = !name ? message : !message ? name : `${name}: ${message}`;
  } catch {
    header = '<error>';
  }
  return header + frames.map(frame => `\n    at ${frameText(frame)}`).join('');
}

module.exports = { prepareStackTrace, useCacheDirectory, originalPosition, decodeMappings };

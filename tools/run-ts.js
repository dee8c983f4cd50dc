#!/usr/bin/env node
/**
 * Runs a TypeScript entry point with plain node: `node tools/run-ts.js <file.ts> [args...]`.
 *
 * Each project .ts file is transpiled alone by esbuild (no type checking: `npm run typecheck` does that, as
 * `ts-node --transpile-only` did) and the JavaScript is cached under node_modules/.cache/otsbk-run-ts, keyed by a
 * hash of the source, the esbuild version and this file's options, so an unchanged file costs one hash. Files keep
 * their own path, so `__dirname` and stack traces (through inline source maps) point at the .ts sources.
 *
 * Why not ts-node: loading the TypeScript compiler and transpiling every file on each start was most of the
 * synthesis time (see `npm run bench:synth`).
 */
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'otsbk-run-ts');
/** What tsconfig.json says that changes the emitted JavaScript (target ES2022: class fields use define semantics). */
const TRANSFORM = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  tsconfigRaw: { compilerOptions: { target: 'ES2022', useDefineForClassFields: true, esModuleInterop: true } },
};

let esbuild;
let optionsKey;

function transpile(source, filename) {
  esbuild ??= require('esbuild');
  optionsKey ??= `${esbuild.version}\0${JSON.stringify(TRANSFORM)}\0`;
  const key = createHash('sha256').update(optionsKey).update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  const { code } = esbuild.transformSync(source, { ...TRANSFORM, sourcefile: filename });
  fs.mkdirSync(CACHE, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, cached);
  return code;
}

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
process.setSourceMapsEnabled(true);

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node tools/run-ts.js <file.ts> [args...]\n');
  process.exit(2);
}
const file = path.resolve(entry);
process.argv = [process.argv[0], file, ...args];
// As `node file` would: the entry becomes require.main (CLIs check `require.main === module`).
require('node:module').runMain();

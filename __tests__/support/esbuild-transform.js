/**
 * Jest transform: TypeScript (transpile only; `npm run typecheck` checks types) and the ESM-only packages the
 * runtime imports (hyparquet-writer, hyparquet), which Jest's module system cannot load as ES modules. esbuild is
 * already the bundler, and a faster transpiler than ts-jest was here.
 *
 * Each map is also kept under Jest's cache directory, keyed by file and source, for stack-positions.js: reading it
 * there costs far less than a second transform when a stack needs it.
 */
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('esbuild');

const VERSION = 'esbuild-transform-4';

function options(filename) {
  return {
    format: 'cjs', loader: filename.endsWith('.ts') ? 'ts' : 'js', target: 'node20', sourcefile: filename,
    // No source map for the generated provider bindings (1.1 MB of maps): cdktf captures a stack trace for every
    // token, and each test file that synthesizes would load and parse those maps to print traces nobody reads.
    sourcemap: filename.includes('/.gen/') ? false : 'both',
    supported: { 'dynamic-import': false }, // import() becomes require(), as tsc emits it for CommonJS
  };
}

const digest = (filename, source) => createHash('sha256').update(`${VERSION}\0${filename}\0${source}`).digest('hex');
const mapPath = (cacheDirectory, filename, source) => join(cacheDirectory, 'otsbk-source-maps', `${digest(filename, source)}.map`);

function keepSourceMap(cacheDirectory, filename, source, map) {
  try {
    const path = mapPath(cacheDirectory, filename, source);
    mkdirSync(join(cacheDirectory, 'otsbk-source-maps'), { recursive: true });
    writeFileSync(`${path}.${process.pid}`, map);
    renameSync(`${path}.${process.pid}`, path); // whole or absent for the other worker
  } catch {
    // a cache only: a stack needing this map transforms the file again
  }
}

module.exports = {
  process(source, filename, { config }) {
    const { code, map } = transformSync(source, options(filename));
    if (map) keepSourceMap(config.cacheDirectory, filename, source, map);
    return { code, map };
  },
  getCacheKey(source, filename) {
    return digest(filename, source);
  },
  /** The source map (JSON) of what `process` makes of `source`, from the cache `process` keeps, else made anew. */
  sourceMap(cacheDirectory, filename, source) {
    try {
      return readFileSync(mapPath(cacheDirectory, filename, source), 'utf8');
    } catch {
      const { map } = transformSync(source, options(filename));
      if (map) keepSourceMap(cacheDirectory, filename, source, map);
      return map;
    }
  },
};

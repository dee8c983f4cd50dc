/**
 * Jest transform: TypeScript (transpile only; `npm run typecheck` checks types) and the ESM-only packages the
 * runtime imports (hyparquet-writer, hyparquet), which Jest's module system cannot load as ES modules. esbuild is
 * already the bundler, and a faster transpiler than ts-jest was here.
 */
const { transformSync } = require('esbuild');

function options(filename) {
  return {
    format: 'cjs', loader: filename.endsWith('.ts') ? 'ts' : 'js', target: 'node20', sourcefile: filename,
    // No source map for the generated provider bindings (1.1 MB of maps): cdktf captures a stack trace for every
    // token, and each test file that synthesizes would load and parse those maps to print traces nobody reads.
    sourcemap: filename.includes('/.gen/') ? false : 'inline',
    supported: { 'dynamic-import': false }, // import() becomes require(), as tsc emits it for CommonJS
  };
}

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, options(filename));
    return { code, map };
  },
  getCacheKey(source, filename) {
    return require('node:crypto').createHash('sha256').update(`esbuild-transform-3\0${filename}\0${source}`).digest('hex');
  },
  /** The source map of what `process` makes of `source` (the same mappings, as JSON), for stack-positions.js. */
  sourceMap(source, filename) {
    return transformSync(source, { ...options(filename), sourcemap: 'external' }).map;
  },
};

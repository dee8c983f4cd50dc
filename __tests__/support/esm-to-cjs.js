/**
 * Jest transform for the ESM-only packages the runtime imports (hyparquet-writer and hyparquet): Jest's module
 * system cannot load ES modules without --experimental-vm-modules, so they are turned into CommonJS with esbuild
 * (already the bundler). Node itself (ts-node, dist bundles) loads them as they are.
 */
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, { format: 'cjs', loader: 'js', target: 'node20', sourcefile: filename, sourcemap: 'inline' });
    return { code, map };
  },
};

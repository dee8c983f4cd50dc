/**
 * Jest's module runtime, with its own internals (jest-circus, expect, jest-snapshot...) reaching a few stateless
 * helper packages through the worker's `require`, once per worker process, instead of evaluating them again in every
 * test file's sandbox: 59 of the 170 modules Jest loaded for each test file (about 30 ms of CPU per file).
 *
 * Jest does the same for `chalk` (INTERNAL_MODULE_REQUIRE_OUTSIDE_OPTIMIZED_MODULES in jest-runtime). The packages
 * listed here keep no state between calls and only see strings, numbers and callbacks (random seeds, glob matching,
 * code frames, line diffs), so the sandbox's globals never meet the worker's. Whatever compares a test's values with
 * `instanceof` or their constructors stays in the sandbox: outside it, pretty-format printed a test's `Error` as
 * `Error {}` instead of `[Error: boom]`, and jest-get-type compares constructors the same way.
 *
 * source-map-support: Jest installs a fresh copy in every sandbox; node-environment.js then replaces its
 * `Error.prepareStackTrace` with stack-positions.js before any test runs, so that copy is never used. It is answered
 * with an `install` that does nothing.
 *
 * Dependencies' files are read once per worker, not once per test file (Jest keeps what it read for one file only):
 * reading them took about 0.8 s of CPU per worker and suite run.
 */
const { createRequire } = require('node:module');
const { default: Runtime } = require('jest-runtime');

const SHARED_PACKAGES = new Set([
  // diffs of printed lines (jest-diff, itself in the sandbox) and code frames of stack traces
  'diff-sequences', '@babel/code-frame', 'picocolors', 'js-tokens', '@babel/helper-validator-identifier', 'stack-utils',
  // glob matching and ordering (jest-util, jest-snapshot)
  'micromatch', 'braces', 'picomatch', 'fill-range', 'to-regex-range', 'is-number', 'natural-compare',
  // jest-circus's random seeds and its template strings
  'pure-rand', 'dedent', 'slash', 'jest-regex-util',
]);

const SOURCE_MAP_SUPPORT = require.resolve('source-map-support');
const NODE_MODULES = /[\\/]node_modules[\\/]/;
/** Dependencies' sources, read once per worker: they do not change while the tests run. */
const dependencySources = new Map();
const UNUSED_SOURCE_MAP_SUPPORT = Object.freeze({ install() {} });

/**
 * jest-resolve's `getModuleID` runs for every `require` (to see whether the module is mocked) and keys its cache with
 * `from + name + JSON.stringify(options)`: a fresh string to build and hash each time, about 0.4 s of CPU per worker.
 * The same ids, kept under nested maps of the strings Jest passes (their hashes are cached), cost a few lookups.
 * The resolver lives as long as the worker; so does its cache, as Jest's own.
 */
const resolversWithIdCache = new WeakSet();
function cacheModuleIds(resolver) {
  if (resolversWithIdCache.has(resolver)) return;
  resolversWithIdCache.add(resolver);
  const getModuleID = resolver.getModuleID.bind(resolver);
  const conditionKeys = new WeakMap(); // conditions array → its text
  const ids = new Map(); // conditions text → from → module name → id
  resolver.getModuleID = (virtualMocks, from, moduleName = '', options) => {
    const conditions = options?.conditions;
    if (!Array.isArray(conditions) || Object.keys(options).length !== 1) return getModuleID(virtualMocks, from, moduleName, options);
    let conditionKey = conditionKeys.get(conditions);
    if (conditionKey === undefined) conditionKeys.set(conditions, (conditionKey = conditions.join('\0')));
    let byFrom = ids.get(conditionKey);
    if (!byFrom) ids.set(conditionKey, (byFrom = new Map()));
    let byName = byFrom.get(from);
    if (!byName) byFrom.set(from, (byName = new Map()));
    let id = byName.get(moduleName);
    if (id === undefined) byName.set(moduleName, (id = getModuleID(virtualMocks, from, moduleName, options)));
    return id;
  };
}

/** The package a bare specifier names ('@scope/name/sub' → '@scope/name'); undefined for paths. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

module.exports = class SharedHelpersRuntime extends Runtime {
  constructor(config, environment, resolver, ...rest) {
    cacheModuleIds(resolver);
    super(config, environment, resolver, ...rest);
  }

  requireInternalModule(from, to) {
    if (to === undefined && from === SOURCE_MAP_SUPPORT) return UNUSED_SOURCE_MAP_SUPPORT;
    if (to !== undefined && SHARED_PACKAGES.has(packageOf(to))) return createRequire(from)(to);
    return super.requireInternalModule(from, to);
  }

  readFile(filename) {
    if (!NODE_MODULES.test(filename)) return super.readFile(filename);
    let source = dependencySources.get(filename);
    if (source === undefined) {
      source = super.readFile(filename);
      dependencySources.set(filename, source);
    }
    return source;
  }
};

/**
 * Jest's module runtime, with its own internals (jest-circus, expect, jest-snapshot...) reaching a few stateless
 * helper packages through the worker's `require`, once per worker process, instead of evaluating them again in every
 * test file's sandbox: 94 of the 170 modules Jest loaded for each test file.
 *
 * Installed through Jest's `runtime` option (a subclass of jest-runtime; the option is in Jest's Configuration page,
 * 29.7 docs included, since jest#15863). Every override falls back to Jest's own method.
 *
 * Jest does the same for `chalk` (INTERNAL_MODULE_REQUIRE_OUTSIDE_OPTIMIZED_MODULES in jest-runtime). The packages
 * listed here keep no state a test could see and never judge a test's own values by `instanceof` or by their
 * constructors. Whatever does stays in the sandbox: outside it, pretty-format printed a test's `Error` as
 * `Error {}` instead of `[Error: boom]` (stack-positions.test.ts checks this), and jest-get-type compares
 * constructors the same way. Failure reports (diffs, snapshots, timeouts, hook errors, code frames) were compared
 * line by line with and without the sharing.
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
  // Jest's utilities: its errors (ErrorWithStack) capture the stack where a test or hook is declared; what the
  // tests see of them is the message and that stack, printed the same (checked on timeouts, hook failures, nested
  // tests and done called twice)
  'jest-util',
  // the real fs (graceful-fs patches it once per process whatever the realm), the transform the worker already
  // runs (jest-snapshot asks it for its resolver's require), and the plain result records sent to the parent
  'graceful-fs', '@jest/transform', '@jest/test-result',
]);

const SOURCE_MAP_SUPPORT = require.resolve('source-map-support');
const JEST_SNAPSHOT_STATE = /[\\/]jest-snapshot[\\/]build[\\/]State\.js$/;
const UNUSED_SOURCE_MAP_SUPPORT = Object.freeze({ install() {} });
const NODE_MODULES = /[\\/]node_modules[\\/]/;
/** Dependencies' sources, read once per worker: they do not change while the tests run. */
const dependencySources = new Map();

/**
 * jest-resolve's `getModuleID` runs for every `require` (to see whether the module is mocked) and keys its cache with
 * `from + name + JSON.stringify(options)`: a fresh string to build and hash each time, about 0.6 s of profiled CPU
 * per worker.
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

/** The worker's `require` as seen from `from`, made once per requiring file. */
const workerRequires = new Map();
function workerRequire(from) {
  let require = workerRequires.get(from);
  if (!require) workerRequires.set(from, (require = createRequire(from)));
  return require;
}

/** The package a bare specifier names ('@scope/name/sub' → '@scope/name'); undefined for paths. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Jest's runtime, with what does not change between a worker's test files done once per worker. */
module.exports = class WorkerSharingRuntime extends Runtime {
  constructor(config, environment, resolver, ...rest) {
    cacheModuleIds(resolver);
    super(config, environment, resolver, ...rest);
  }

  requireInternalModule(from, to) {
    if (to === undefined && from === SOURCE_MAP_SUPPORT) return UNUSED_SOURCE_MAP_SUPPORT;
    if (to !== undefined && SHARED_PACKAGES.has(packageOf(to))) return workerRequire(from)(to);
    if (to === './InlineSnapshots' && JEST_SNAPSHOT_STATE.test(from)) {
      // Its module loads Babel (core, generator, types) into the worker: 0.4–0.5 s of profiled CPU per worker, for
      // writing inline snapshots, which these tests never do. Loaded when a test first writes one.
      return { saveInlineSnapshots: (...args) => super.requireInternalModule(from, to).saveInlineSnapshots(...args) };
    }
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

/**
 * Jest's node environment, with two changes made outside the tests' sandboxes, once per worker process.
 *
 * Stack traces: `prepareStackTrace` of stack-positions.js is the sandbox's (the same positions as source-map-support,
 * without parsing the maps again in every test file). Jest installs source-map-support in the sandbox before `setup`
 * runs; runtime.js answers that with an `install` that does nothing, and this replaces whatever is there.
 *
 * Tests write rows with the official `tablestore` SDK, which calls the deprecated `Buffer()` constructor for every
 * cell. Until Node has emitted that deprecation (DEP0005) once, it walks the caller's stack on each call to tell
 * code in node_modules (never warned about) from the project's own (warned once): about 0.4 s of CPU per worker and
 * suite run. Emitting it here, with deprecation output silenced for that one call, ends the checks; every other
 * deprecation is still reported.
 */
const { TestEnvironment } = require('jest-environment-node');
const { prepareStackTrace, useCacheDirectory } = require('./stack-positions');

let bufferDeprecationEmitted = false;

/** On a tick of its own: Node does not emit DEP0005 while any of the caller's frames is in node_modules (Jest's). */
function emitBufferDeprecationSilently() {
  if (bufferDeprecationEmitted) return;
  bufferDeprecationEmitted = true;
  process.nextTick(() => {
    const noDeprecation = process.noDeprecation;
    process.noDeprecation = true;
    try {
      Buffer(0); // the one DEP0005 emission, silenced
    } finally {
      process.noDeprecation = noDeprecation;
    }
  });
}

module.exports = class NodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    emitBufferDeprecationSilently();
    useCacheDirectory(config.projectConfig.cacheDirectory);
    super(config, context);
  }

  async setup() {
    await super.setup();
    this.global.Error.prepareStackTrace = prepareStackTrace;
  }
};

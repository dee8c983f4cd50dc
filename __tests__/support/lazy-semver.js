/**
 * `semver`, loaded on first use. cdktf requires its own copy (about 45 modules) in each of the 14 test files that load
 * cdktf, only to check a binary's version in validations these tests skip, and os-name requires it under ali-oss;
 * building its regular expressions cost about 9 ms of CPU per file. (jest-snapshot's require of it, for inline
 * snapshots, is now loaded only when one is written: support/runtime.js.)
 * `__esModule` is answered without loading, as the real CommonJS module would answer it (undefined).
 */
let real;
const load = () => (real ??= require('semver/index.js'));
module.exports = new Proxy({}, {
  get: (_target, key) => (key === '__esModule' ? undefined : load()[key]),
  has: (_target, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_target, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
    return descriptor && { ...descriptor, configurable: true };
  },
});

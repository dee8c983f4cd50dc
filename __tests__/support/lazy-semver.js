/**
 * `semver`, loaded on first use. jest-snapshot requires it in every test file only to compare Prettier versions when
 * writing inline snapshots (none here); building its regular expressions cost about 9 ms of CPU per test file.
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

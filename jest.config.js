/** Jest runs TypeScript through esbuild (transpile only); `npm run typecheck` does the type checking. */
module.exports = {
  testEnvironment: '<rootDir>/__tests__/support/node-environment.js',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': '<rootDir>/__tests__/support/esbuild-transform.js',
    '/node_modules/(hyparquet|hyparquet-writer)/.+\\.js$': '<rootDir>/__tests__/support/esbuild-transform.js',
  },
  moduleNameMapper: { '^semver$': '<rootDir>/__tests__/support/lazy-semver.js' },
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|hyparquet-writer)/)'],
  globalSetup: '<rootDir>/__tests__/support/global-setup.js',
  setupFiles: ['<rootDir>/__tests__/setup-env.js'],
  testSequencer: '<rootDir>/__tests__/support/sequencer.js',
  runtime: '<rootDir>/__tests__/support/runtime.js',
  testTimeout: 60000,
};

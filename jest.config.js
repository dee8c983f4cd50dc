/** Jest runs TypeScript through ts-jest in transpile-only mode; `npm run typecheck` does the type checking. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
    '/node_modules/(hyparquet|hyparquet-writer)/.+\\.js$': '<rootDir>/__tests__/support/esm-to-cjs.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|hyparquet-writer)/)'],
  setupFiles: ['<rootDir>/__tests__/setup-env.js'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/cdktf-matchers.ts'],
  testTimeout: 60000,
};

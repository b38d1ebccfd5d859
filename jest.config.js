/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/plugins', '<rootDir>/test'],
  testRegex: '\\.(spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Workspace packages resolve to their sources, so tests need no build.
  moduleNameMapper: {
    '^@audit-hub/plugin-sdk/(.*)$': '<rootDir>/libs/plugin-sdk/src/$1',
    '^@audit-hub/plugin-sdk$': '<rootDir>/libs/plugin-sdk/src',
    '^@audit-hub/plugin-(.*)$': '<rootDir>/plugins/$1/src',
    '^@audit-hub/(domain|http|servicenow-table)$': '<rootDir>/libs/$1/src',
  },
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/.*/dist'],
  setupFiles: ['reflect-metadata'],
  setupFilesAfterEnv: ['<rootDir>/test/support/nock-isolation.ts'],
  // Correctness tests wait by polling state; on a loaded 2-core machine that can take minutes.
  testTimeout: 300_000,
  maxWorkers: 2,
};

/** @type {import('jest').Config} */
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  // The real worker provides this module at run time; tests/host plays the worker.
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/tests/host/functionsCore.ts' },
};

module.exports = {
  reporters: ['default', '<rootDir>/tests/support/countReporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/tests/**/*.test.ts'],
      testPathIgnorePatterns: ['/tests/e2e/'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
  ],
};

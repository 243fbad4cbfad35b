/**
 * Three projects (DESIGN.md, "test/"):
 *   unit         in-process only: no moto, no PostgreSQL, no child processes, no global setup
 *   templates    golden files, cfn-lint (one spawn) and the built binary
 *   integration  moto and PostgreSQL, started once by the global setup of this project alone
 * `npm run test:unit` (and the other test:* scripts) select one; `npm test` runs all three.
 * One file: `npx jest test/unit/naming.test.ts` (moto and PostgreSQL start only when an
 * integration file is among those selected). --selectProjects takes several names, so a path
 * placed after it is read as a project name: put paths first.
 */
// The SDK warns on Node 20 (DESIGN.md); set before the workers start, so every project inherits it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!chalk/)'],
  globals: { CYCLOPS_VERSION: require('./package.json').version },
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'], setupFilesAfterEnv: ['<rootDir>/test/support/unit-setup.ts'], testTimeout: 10000 },
    { ...shared, displayName: 'templates', roots: ['<rootDir>/test/templates'] },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};

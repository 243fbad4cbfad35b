/**
 * The IAM evaluation of the whole integration suite (test/iam-suite/): it reads the suite log the
 * integration project writes (test/support/suite-log.ts), so it runs after that project, in a jest
 * run of its own (`npm test` runs it last; alone: `npm run test:iam-suite`, or with
 * CYCLOPS_SUITE_LOG=<directory> over a kept log).
 */
const base = require('./jest.config.js');
const integration = base.projects.find((p) => p.displayName === 'integration');

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120000,
  projects: [{ ...integration, displayName: 'iam-suite', roots: ['<rootDir>/test/iam-suite'], globalSetup: undefined, globalTeardown: undefined }],
};

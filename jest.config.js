// Two projects: `unit` (pure logic, no services) and `integration` (real
// PostgreSQL, Redis, OpenSSH, QEMU...). `npm test` runs both.
const swc = ['@swc/jest', {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
  },
  module: { type: 'commonjs' },
}];
const moduleNameMapper = { '^@pfnlab/([a-z-]+)$': '<rootDir>/libs/$1/src' };
const common = { rootDir: __dirname, transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: 'node' };
module.exports = {
  testSequencer: '<rootDir>/test/support/test-sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/apps/**/*.itest.ts'], setupFilesAfterEnv: ['<rootDir>/test/support/jest-integration-setup.ts'] },
  ],
};

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // aws-local-stepfunctions needs Promise.withResolvers on Node 20.
    setupFiles: ['shared/local/polyfills.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { LOG_LEVEL: 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Two cores: integration files each run whole pipelines; more workers only add contention.
    maxWorkers: 2,
  },
});

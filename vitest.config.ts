import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    // Vitest's default is one worker fewer than the cores: one on this 2-core machine, which ran every file in turn.
    // Much of a test's time is waiting (servers, browsers, subprocesses), so two files at a time take ~25 % less wall
    // time here; the tests wait for conditions, never for durations, so the extra load does not make them flaky.
    maxWorkers: Math.max(availableParallelism() - 1, 2),
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            '{app,catalog,gateway,partner-access,billing,supervision,disclosure,db,platform,source-systems,seed,cli,server,reporting,evaluation,sandbox}/**/*.test.{ts,tsx}',
            'test/integration/**/*.test.ts',
            'test/scenarios/**/*.test.ts',
            'test/fuzz/**/*.test.ts',
          ],
          testTimeout: 30_000,
        },
      },
      {
        // The path a `libsql://` URL takes, over the same file database: the native fast path switched off
        // (DATABASE_NATIVE=off, ADR 0043) for the gateway's metering and limits, a billing close and a supervision read.
        extends: true,
        test: {
          name: 'client-path',
          include: [
            'test/integration/client-path.test.ts',
            'test/integration/gateway-pipeline.test.ts',
            'gateway/limits/counters.test.ts',
            'gateway/limits/shared-rate-limiter.test.ts',
            'test/integration/billing-invoices.test.ts',
            'test/integration/supervision-cases.test.ts',
          ],
          env: { DATABASE_NATIVE: 'off' },
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // One browser at a time: the machine has 2 cores.
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'core/**/*.test.ts',
      'integrations/**/*.test.ts',
      'bots/**/*.test.ts',
      'scheduler/**/*.test.ts',
      'store/**/*.test.ts',
      'app/**/*.test.ts',
    ],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Dates are computed in UTC unless a test names Europe/London (habit 10).
    env: { TZ: 'UTC' },
    setupFiles: ['test/support/setup.ts'],
    // Fails the run if a test student's name reaches a log line or a channel message (issue 10).
    globalSetup: ['test/support/no-names-global-setup.ts'],
    reporters: ['default'],
  },
});

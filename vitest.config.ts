import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/src/**/*.test.ts',
      'client/src/**/*.test.ts',
      'server/src/**/*.test.ts',
      'sfu/src/**/*.test.ts',
      'certs/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    // expect.poll waits for pages and servers under a loaded CI machine, not only for fast local runs.
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 60_000,
    // Tests share one PostgreSQL server and the dev PKI; files run in parallel, each in its own database.
    pool: 'forks',
    maxWorkers: 2,
  },
});

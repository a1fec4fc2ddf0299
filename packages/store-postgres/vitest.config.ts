import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests talk to a real PostgreSQL server on a machine shared with other suites.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

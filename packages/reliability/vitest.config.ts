import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The crash harness and fault tests start processes and servers; keep them from starving each other.
    fileParallelism: false,
  },
});

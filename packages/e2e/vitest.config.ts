import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Interop and packaging tests spawn processes and packs; keep them from starving each other.
    fileParallelism: false,
  },
});

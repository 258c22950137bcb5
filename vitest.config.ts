import { defaultExclude, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // dist/ is build output (npm run build): never collect tests from it.
    exclude: [...defaultExclude, 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: keep Redis-heavy files from starving each other.
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

// The fault suite (`npm run test:faults`; FAULTS_SHORT=1 for the short form). It starts its own
// redis-server(s) and runs the product as child processes, so files run one at a time.
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.fault.ts'],
    // The product runs as built (dist/): rebuilt first when the sources are newer.
    globalSetup: ['tests/faults/global-setup.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 5 * 60_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});

import '../src/cli/require-node.ts';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['tests/**/*.test.ts'],
    // The contract check is torn down last, after the database is stopped, since it may fail the run.
    globalSetup: ['tests/support/openapi-contract.ts', 'tests/support/global-setup.ts'],
    setupFiles: ['tests/support/file-database.ts', 'tests/support/outbound-http.ts', 'tests/support/response-log.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    // The service's info lines (a `request` line per answer) would bury the report; warnings and errors still show.
    onConsoleLog: (line) => !(line.startsWith('{"time":') && line.includes('"level":"info"')),
    hookTimeout: 120_000,
    env: {
      NODE_ENV: 'test',
      // Low scrypt cost keeps the suite fast; a test checks the production default.
      PASSWORD_SCRYPT_N: '1024',
      JWT_SECRET: 'test-secret-that-is-at-least-32-bytes-long',
      // 32 bytes (base64) for the second factor's sealed secrets.
      MFA_ENCRYPTION_KEY: 'dGVzdC1tZmEta2V5LTMyLWJ5dGVzLWxvbmctLS0tLS0=',
    },
  },
});

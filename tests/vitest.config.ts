import '../src/cli/require-node.ts';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Two projects. `unit` needs neither a database nor the functions' bundles, so
// `npm run test:unit` starts in a second; `integration` (everything else) gets
// one embedded Postgres for the run, a template database each file clones, and
// the functions built as they ship. A project's global setup runs only when
// the run includes some of its files.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    pool: 'forks',
    // Every test but a few takes under 5 s idle; those few (flows through
    // `netlify dev`, the browser pages, ten thousand guesses) set their own,
    // sized for both cores busy with other work (tests/support/netlify-dev.ts).
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The service's info lines (a `request` line per answer) would bury the report; warnings and errors still show.
    onConsoleLog: (line) => !(line.startsWith('{"time":') && line.includes('"level":"info"')),
    env: {
      NODE_ENV: 'test',
      // Low scrypt cost keeps the suite fast; a test checks the production default.
      PASSWORD_SCRYPT_N: '1024',
      JWT_SECRET: 'test-secret-that-is-at-least-32-bytes-long',
      // 32 bytes (base64) for the second factor's sealed secrets.
      MFA_ENCRYPTION_KEY: 'dGVzdC1tZmEta2V5LTMyLWJ5dGVzLWxvbmctLS0tLS0=',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          setupFiles: ['tests/support/outbound-http.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/unit/**'],
          // The contract check is torn down last, after the database is stopped, since it may fail the run.
          globalSetup: ['tests/support/openapi-contract.ts', 'tests/support/global-setup.ts'],
          setupFiles: ['tests/support/file-database.ts', 'tests/support/outbound-http.ts', 'tests/support/response-log.ts'],
        },
      },
    ],
  },
});

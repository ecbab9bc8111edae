// Every operation of every declaration (src/endpoints) runs, on its success
// path, the SQL statements its declaration states (`statements`): the
// benchmark's scenarios (tests/bench/statements.ts), counted with onQuery. A
// new endpoint needs its scenario there and no test of its own for this. The
// budgets of the README, "Performance", hold too (a read 1, a login at most 2).
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords/hash.ts';
import { newSigningKey } from '../../src/signing/keys.ts';
import { loadEndpoints } from '../bench/functions.ts';
import { countStatements, UNTHROTTLED } from '../bench/statements.ts';
import { envForFile } from '../support/env.ts';
import { STRONG_PASSWORD } from '../support/users.ts';

// As the benchmark runs them: one client address for all, and no third party asked.
envForFile({
  ...UNTHROTTLED,
  MAIL_API_URL: undefined,
  // POST /api/token signs with a key.
  JWT_SIGNING_KEYS: JSON.stringify([await newSigningKey()]),
});

describe('statements per request, as declared', () => {
  it('every declared operation runs its declared count on its success path', async () => {
    const endpoints = await loadEndpoints();
    const counts = await countStatements(endpoints, { password: STRONG_PASSWORD, passwordHash: await hashPassword(STRONG_PASSWORD) });
    expect(counts.map((count) => count.endpoint).sort()).toEqual([...endpoints.keys()].sort());
    expect(counts.filter((count) => !count.ok)).toEqual([]);
  }, 120_000);
});

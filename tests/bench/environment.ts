// The settings every in-process bench runs the functions under (run.ts,
// profile.ts, better-auth.ts, passkeys.ts): set before the first request reads them.
import { randomBytes } from 'node:crypto';
import { PRODUCTION_PARAMS } from '../../src/auth/passwords/hash.ts';
import { newSigningKey } from '../../src/signing/keys.ts';
import { BASE_URL } from '../support/call.ts';
import { UNTHROTTLED } from './statements.ts';

/**
 * `signing`: `ES256`, a deploy with keys (production's default: session tokens under
 * the key derived from it), `HS256` with JWT_SECRET alone, as a deploy without keys.
 */
export async function benchEnvironment({ signing = 'ES256' }: { signing?: 'ES256' | 'HS256' } = {}): Promise<void> {
  Object.assign(process.env, {
    JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
    // The production cost: the login ratio compares with scrypt at these parameters.
    PASSWORD_SCRYPT_N: String(2 ** PRODUCTION_PARAMS.ln),
    // Loops of logins and registrations from one address, and no third party's latency in the figures.
    ...UNTHROTTLED,
    MFA_ENCRYPTION_KEY: process.env.MFA_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
    DATABASE_DRIVER: 'pg',
    // A local process, neither netlify dev nor the test runner, with no mail provider: codes come
    // back in the answers (refused in any deploy context), so registrations run without sending mail.
    RETURN_CODES_IN_RESPONSES: 'true',
    // The deploy's address, as on Netlify: the passkeys' relying party is its host (the requests' own).
    URL: BASE_URL,
  });
  if (signing === 'ES256') process.env.JWT_SIGNING_KEYS ??= JSON.stringify([await newSigningKey()]);
  else delete process.env.JWT_SIGNING_KEYS;
  delete process.env.MAIL_API_URL;
  // Development delivery logs every code it returns; thousands of registrations would flood the tables.
  console.info = () => {};
  console.error('A local process, not a deploy: codes come back in the answers (RETURN_CODES_IN_RESPONSES), no mail is sent.');
}

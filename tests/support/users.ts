// Test fixtures: users and sessions made through the real core, with the one
// password every fixture uses unless told otherwise, and names and client
// addresses no other test uses. (Registration through the endpoint, for the
// confirmation code, is registerAccount in accounts.ts.)
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/auth/passwords/hash.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { addUser } from '../../src/auth/accounts/users.ts';
import type { UserRow } from '../../src/db/schema.ts';

export const STRONG_PASSWORD = 'Violet-Harbor-73!';

let counter = 0;

export function uniqueName(prefix = 'acct'): string {
  counter += 1;
  return `${prefix}_${counter}_${randomBytes(3).toString('hex')}`;
}

/** A client address of the TEST-NET-2 range no other test uses (rate limits count per address). */
export function uniqueIp(): string {
  const n = randomBytes(2);
  return `198.51.${n[0]}.${n[1]}`;
}

export interface TestUser {
  user: UserRow;
  password: string;
  token: string;
  sessionId: number;
}

/**
 * A confirmed user (unless `confirmed: false`) with one live session. A
 * confirmed one stands for an account confirmed by its code, its address
 * proven, unless `proven: false` (as the classic POST /users leaves it).
 */
export async function createUser(
  options: {
    username?: string;
    email?: string;
    password?: string;
    confirmed?: boolean;
    proven?: boolean;
    /** Of `password`, made beforehand: skips the scrypt. */
    passwordHash?: string;
  } = {},
): Promise<TestUser> {
  const username = options.username ?? uniqueName('user');
  const password = options.password ?? STRONG_PASSWORD;
  const user = await addUser({
    username,
    email: options.email ?? `${username}@example.com`,
    passwordHash: options.passwordHash ?? (await hashPassword(password)),
    confirmedAt: options.confirmed === false ? null : new Date(),
    emailVerifiedAt: options.confirmed === false || options.proven === false ? null : new Date(),
  });
  const session = await createSession(user.id);
  return { user, password, token: session.token, sessionId: session.sessionId };
}

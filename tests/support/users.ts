// Test fixtures: users and sessions made through the real core.
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/auth/passwords/hash.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { addUser } from '../../src/auth/accounts/users.ts';
import type { UserRow } from '../../src/db/schema.ts';

export const DEFAULT_PASSWORD = 'Correct-Horse-42!';

export interface TestUser {
  user: UserRow;
  password: string;
  token: string;
  sessionId: number;
}

let counter = 0;

/** A confirmed user (unless `confirmed: false`) with one live session. */
export async function createUser(
  options: { username?: string; email?: string; password?: string; confirmed?: boolean; /** Of `password`, made beforehand: skips the scrypt. */ passwordHash?: string } = {},
): Promise<TestUser> {
  counter += 1;
  const suffix = `${counter}_${randomBytes(3).toString('hex')}`;
  const username = options.username ?? `user_${suffix}`;
  const password = options.password ?? DEFAULT_PASSWORD;
  const user = await addUser({
    username,
    email: options.email ?? `${username}@example.com`,
    passwordHash: options.passwordHash ?? (await hashPassword(password)),
    confirmedAt: options.confirmed === false ? null : new Date(),
  });
  const session = await createSession(user.id);
  return { user, password, token: session.token, sessionId: session.sessionId };
}

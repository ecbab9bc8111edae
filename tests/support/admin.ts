// Admins for the admin routes' tests: an account given the role, with a
// session at aal2 (as if opened with a second factor) unless told otherwise.
import { sql } from 'kysely';
import { NO_REQUESTER } from '../../src/auth/base/requester.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { getDb } from '../../src/db/connection.ts';
import { createUser, type TestUser } from './users.ts';

export async function createAdmin(options: { aal?: 'aal1' | 'aal2'; passwordHash?: string } = {}): Promise<TestUser> {
  const made = await createUser(options.passwordHash === undefined ? {} : { passwordHash: options.passwordHash });
  await getDb().updateTable('users').set({ role: 'admin' }).where('id', '=', made.user.id).execute();
  if (options.aal === 'aal1') return made;
  const session = await createSession(made.user.id, getDb(), NO_REQUESTER, sql<boolean>`true`, ['pwd', 'otp']);
  return { ...made, token: session.token, sessionId: session.sessionId };
}

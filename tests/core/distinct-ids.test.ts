// The test template starts every table's ids far apart (tests/support/global-setup.ts),
// so a test that mixes up ids fails: a user's id never equals one of its sessions', posts' or codes'.
import { describe, expect, it } from 'vitest';
import { stepUp } from '../../src/auth/mfa/step-up.ts';
import { changePassword } from '../../src/auth/passwords/change.ts';
import { createSession, findSessionUser } from '../../src/auth/sessions/sessions.ts';
import { createUser, uniqueIp } from '../support/users.ts';

describe('ids of different tables', () => {
  it('never coincide, so an id mixed up with another names no row', async () => {
    const { user, sessionId } = await createUser();
    expect(user.id).toBeGreaterThan(1_000_000);
    expect(sessionId).toBeGreaterThan(3_000_000);
    expect(sessionId).not.toBe(user.id);
  });

  it('a password change with several sessions keeps exactly the one making it', async () => {
    const { user, password, token, sessionId } = await createUser();
    const others = [await createSession(user.id), await createSession(user.id), await createSession(user.id)];
    const result = await changePassword(
      { userId: user.id, sessionId },
      { currentPassword: password, newPassword: 'Granite-Meadow-58?' },
      { ip: uniqueIp() },
      stepUp(undefined),
    );
    expect(result).toEqual({ revokedSessions: others.length });
    expect(await findSessionUser(token)).toBeDefined();
    for (const other of others) expect(await findSessionUser(other.token)).toBeUndefined();
  });
});

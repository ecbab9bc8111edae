import { describe, expect, it } from 'vitest';
import { stepUp } from '../../src/auth/mfa/step-up.ts';
import { changePassword } from '../../src/auth/passwords/change.ts';
import { verifyPassword } from '../../src/auth/passwords/hash.ts';
import { PASSWORD_MESSAGES } from '../../src/auth/passwords/problems.ts';
import { issueResetToken } from '../../src/auth/reset/request.ts';
import { updatePasswordWithResetToken } from '../../src/auth/reset/reset.ts';
import { createSession, findSessionUser } from '../../src/auth/sessions/sessions.ts';
import { findUserBy } from '../../src/auth/accounts/users.ts';
import { createUser } from '../support/users.ts';

const NEW_PASSWORD = 'Granite-Meadow-58?';
const IP = '192.0.2.44';

describe('changePassword', () => {
  it('keeps the current session, revokes the others and retires reset tokens', async () => {
    const { user, password, token, sessionId } = await createUser();
    const other = await createSession(user.id);
    const { token: reset } = await issueResetToken(user.email);
    const result = await changePassword(
      { userId: user.id, sessionId },
      { currentPassword: password, newPassword: NEW_PASSWORD },
      { ip: IP },
      stepUp(undefined),
    );
    expect(result).toEqual({ revokedSessions: 1 });
    expect(await findSessionUser(token)).toBeDefined();
    expect(await findSessionUser(other.token)).toBeUndefined();
    await expect(updatePasswordWithResetToken({ token: reset.secret, password: 'Another-Strong-9!' })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('reports a wrong current password and every rule the new one breaks together, changing nothing', async () => {
    const { user, password, sessionId } = await createUser();
    const other = await createSession(user.id);
    await expect(
      changePassword(
        { userId: user.id, sessionId },
        { currentPassword: 'Not-my-password-1', newPassword: 'shrt9x' },
        { ip: IP },
        stepUp(undefined),
      ),
    ).rejects.toMatchObject({
      status: 400,
      details: { currentPassword: ['is not correct'], newPassword: [PASSWORD_MESSAGES.tooShort, PASSWORD_MESSAGES.classes] },
    });
    expect(await findSessionUser(other.token)).toBeDefined();
    expect((await verifyPassword(password, (await findUserBy({ id: user.id })).password_hash)).ok).toBe(true);
  });

  it('answers 401 for a session that no longer exists', async () => {
    const { user, password } = await createUser();
    await expect(
      changePassword(
        { userId: user.id, sessionId: 2 ** 40 },
        { currentPassword: password, newPassword: NEW_PASSWORD },
        { ip: IP },
        stepUp(undefined),
      ),
    ).rejects.toMatchObject({ status: 401 });
  });
});

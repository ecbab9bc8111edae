import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { setClock } from '../../src/config/clock.ts';
import { hashSecret, issueTokenByEmail, newToken, TOKEN_TTL_MS } from '../../src/auth/codes/tokens.ts';
import { getDb } from '../../src/db/connection.ts';
import { createUser } from '../support/users.ts';
import { countStatements } from '../support/statements.ts';

afterEach(() => setClock());

const unusedTokens = (userId: number) =>
  getDb().selectFrom('one_time_tokens').selectAll().where('user_id', '=', userId).where('used_at', 'is', null).execute();

describe('one-time tokens', () => {
  it('are 32 random bytes in base64url, with their SHA-256 kept apart', () => {
    const a = newToken('confirm_email');
    const b = newToken('confirm_email');
    expect(a.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.secret, 'base64url')).toHaveLength(32);
    expect(a.secret).not.toBe(b.secret);
    expect(a.hash).toEqual(createHash('sha256').update(a.secret).digest());
    expect(hashSecret(a.secret)).toEqual(a.hash);
  });

  it('last 10 minutes for confirmation and e-mail changes and 30 for reset, from the service clock', () => {
    const t0 = new Date('2031-01-01T00:00:00Z');
    setClock(() => t0);
    expect(TOKEN_TTL_MS).toEqual({ confirm_email: 600_000, reset_password: 1_800_000, change_email: 600_000 });
    expect(newToken('confirm_email').expiresAt.toISOString()).toBe('2031-01-01T00:10:00.000Z');
    expect(newToken('reset_password').expiresAt.toISOString()).toBe('2031-01-01T00:30:00.000Z');
    expect(newToken('change_email').expiresAt.toISOString()).toBe('2031-01-01T00:10:00.000Z');
  });

  it('are issued by e-mail in one statement, replacing older unused ones and storing only the hash', async () => {
    const { user } = await createUser();
    const first = await issueTokenByEmail('reset_password', user.email);
    const { result: second, statements } = await countStatements(() => issueTokenByEmail('reset_password', user.email.toUpperCase()));
    expect(statements).toBe(1);
    expect(second?.user).toEqual({ id: user.id, username: user.username, email: user.email });
    const rows = await unusedTokens(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toEqual(second!.token!.hash);
    expect(rows[0]!.token_hash).not.toEqual(first!.token!.hash);
    expect(JSON.stringify(rows)).not.toContain(second!.token!.secret);
  });

  it('leave tokens of the other purpose alone', async () => {
    const { user } = await createUser({ confirmed: false });
    await issueTokenByEmail('confirm_email', user.email);
    await issueTokenByEmail('reset_password', user.email);
    expect((await unusedTokens(user.id)).map((row) => row.purpose).sort()).toEqual(['confirm_email', 'reset_password']);
  });

  it('are not issued for an unknown e-mail, nor to a proven account when only unproven ones qualify', async () => {
    const { user } = await createUser();
    expect(await issueTokenByEmail('reset_password', 'nobody@example.com')).toBeUndefined();
    expect(await issueTokenByEmail('confirm_email', user.email, { unprovenOnly: true })).toBeUndefined();
    expect(await unusedTokens(user.id)).toEqual([]);
  });
});

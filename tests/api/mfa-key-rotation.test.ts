// Rotating MFA_ENCRYPTION_KEY: a new key put first in the list seals, the old
// one still opens; a secret opened with the old key is sealed again under the
// new one by the statement that accepts its code, or by `npm run mfa:reseal`.
// Its own file (its own database): the script re-seals every row there.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import login from '../../netlify/functions/login.ts';
import recoveryCodes from '../../netlify/functions/me-mfa-recovery-codes.ts';
import confirm from '../../netlify/functions/me-mfa-totp-confirm.ts';
import enrol from '../../netlify/functions/me-mfa-totp.ts';
import { openSecret } from '../../src/auth/mfa/sealed-secret.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { captureLogs } from '../support/logs.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { measured } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

const env = envPerTest();
const OLD = process.env.MFA_ENCRYPTION_KEY!;
const NEW = randomBytes(32).toString('base64');
const key = (base64: string) => Buffer.from(base64, 'base64');

const stored = async (userId: number) =>
  (await getDb().selectFrom('totp_factors').select('secret_sealed').where('user_id', '=', userId).executeTakeFirstOrThrow()).secret_sealed;

/** Whether the account's stored secret opens with `base64` alone. */
const opensWith = async (userId: number, base64: string) => {
  try {
    openSecret(await stored(userId), userId, [key(base64)]);
    return true;
  } catch {
    return false;
  }
};

async function secondStep(username: string, code: string) {
  const ip = uniqueIp();
  const first = await call(login, 'POST', '/api/login', { json: { username, password: STRONG_PASSWORD }, ip });
  expect(first.status).toBe(403);
  return call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: first.body.error.mfaToken, code }, ip });
}

describe('a new key first in MFA_ENCRYPTION_KEY', () => {
  it('a secret sealed under the old key still works, is sealed under the new one by the second step (no statement added), then needs only it', async () => {
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    env({ MFA_ENCRYPTION_KEY: `${NEW},${OLD}` });
    expect(await opensWith(user.id, NEW)).toBe(false);
    const first = await call(login, 'POST', '/api/login', { json: { username: user.username, password: STRONG_PASSWORD }, ip: uniqueIp() });
    const accepted = call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: first.body.error.mfaToken, code: codeAt(secret) } });
    expect(await measured(() => accepted)).toEqual([200, 2]);
    expect(await opensWith(user.id, NEW)).toBe(true);

    env({ MFA_ENCRYPTION_KEY: NEW });
    expect((await secondStep(user.username, codeAt(secret, Date.now(), 1))).status).toBe(200);
  });

  it('a wrong code re-seals nothing; a recovery code, which opens no secret, neither', async () => {
    const { user, token } = await createUser();
    const enrolled = await enableMfa(token);
    env({ MFA_ENCRYPTION_KEY: `${NEW},${OLD}` });
    expect((await secondStep(user.username, '000000')).status).toBe(401);
    expect((await secondStep(user.username, enrolled.recoveryCodes[0]!)).status).toBe(200);
    expect(await opensWith(user.id, OLD)).toBe(true);
  });

  it('the code of a step-up re-seals too (renewing the recovery codes), as does confirming an enrolment started under the old key', async () => {
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    env({ MFA_ENCRYPTION_KEY: `${NEW},${OLD}` });
    const renewed = await call(recoveryCodes, 'POST', '/api/me/mfa/recovery-codes', {
      token,
      json: { password: STRONG_PASSWORD, code: codeAt(secret) },
    });
    expect(renewed.status).toBe(200);
    expect(await opensWith(user.id, NEW)).toBe(true);

    const other = await createUser();
    env({ MFA_ENCRYPTION_KEY: OLD });
    const started = await call(enrol, 'POST', '/api/me/mfa/totp', { token: other.token, json: { password: STRONG_PASSWORD } });
    env({ MFA_ENCRYPTION_KEY: `${NEW},${OLD}` });
    const confirmed = await call(confirm, 'POST', '/api/me/mfa/totp/confirm', {
      token: other.token,
      json: { code: codeAt(started.body.secret), revokeOtherSessions: false },
    });
    expect(confirmed.status).toBe(200);
    expect(await opensWith(other.user.id, NEW)).toBe(true);
  });

  it('a malformed key anywhere in the list is refused naming the variable and its place', async () => {
    const { token } = await createUser();
    env({ MFA_ENCRYPTION_KEY: `${NEW},c2hvcnQ=` });
    const logs = captureLogs();
    const res = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD } });
    expect(res.status).toBe(500);
    expect(
      logs
        .lines()
        .some(
          (line) => JSON.stringify(line).includes('MFA_ENCRYPTION_KEY must be 32 bytes') && JSON.stringify(line).includes('key 2 is not'),
        ),
    ).toBe(true);
    logs.restore();
  });
});

describe('npm run mfa:reseal', () => {
  const root = new URL('../../', import.meta.url).pathname;
  const run = (keys: string) =>
    promisify(execFile)(`${root}node_modules/.bin/tsx`, ['src/cli/reseal.ts'], {
      cwd: root,
      env: { ...process.env, MFA_ENCRYPTION_KEY: keys },
    });

  it('seals every secret under the first key, pending ones included, and says how many; a second run has nothing to do', {
    timeout: 60_000,
  }, async () => {
    const accounts = await Promise.all([createUser(), createUser(), createUser()]);
    const secrets = await Promise.all(accounts.slice(0, 2).map(({ token }) => enableMfa(token)));
    await call(enrol, 'POST', '/api/me/mfa/totp', { token: accounts[2]!.token, json: { password: STRONG_PASSWORD } });
    const rows = await getDb().selectFrom('totp_factors').select('user_id').execute();
    const before = await Promise.all(rows.map(({ user_id }) => opensWith(user_id, NEW)));
    const stale = before.filter((opens) => !opens).length;
    expect(stale).toBeGreaterThanOrEqual(3);

    const { stdout } = await run(`${NEW},${OLD}`);
    expect(stdout).toMatch(
      new RegExp(`^DATABASE_URL \\(.*\\): ${stale} secrets sealed again under the first key, ${rows.length - stale} already were$`, 'm'),
    );
    for (const { user_id } of rows) expect(await opensWith(user_id, NEW)).toBe(true);
    expect((await run(`${NEW},${OLD}`)).stdout).toMatch(`: 0 secrets sealed again under the first key, ${rows.length} already were`);

    env({ MFA_ENCRYPTION_KEY: NEW });
    expect((await secondStep(accounts[0]!.user.username, codeAt(secrets[0]!.secret))).status).toBe(200);
  });

  it('fails, naming the accounts, when a secret opens with none of the keys', { timeout: 60_000 }, async () => {
    const { user, token } = await createUser();
    await enableMfa(token);
    const failed = await run(randomBytes(32).toString('base64')).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failed && failed.code).toBe(1);
    expect((failed as { stderr: string }).stderr).toContain(`${user.id}`);
    expect(await opensWith(user.id, OLD)).toBe(true);
  });
});

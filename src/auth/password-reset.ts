// Password reset by e-mailed token (30 minutes, single use). Success revokes
// every session of the account.
import { sql } from 'kysely';
import * as v from 'valibot';
import { now } from '../config/clock.ts';
import { getDb } from '../db/connection.ts';
import { HttpError, notFound, validationFailed } from '../http/errors.ts';
import { closedObject } from '../http/field-rules.ts';
import { consume } from '../rate-limit/counter.ts';
import { checks } from '../rate-limit/limits.ts';
import type { UserFields } from '../users/present.ts';
import type { Client } from './client.ts';
import { deliverSecret } from './delivery.ts';
import {
  hashSecret,
  issueTokenByEmail,
  secretSchema,
  tokenExpired,
  unknownToken,
  type NewToken,
  type TokenHolder,
} from './one-time-tokens.ts';
import { hashPassword } from './password-hash.ts';
import { passwordProblems, passwordRules } from './password-policy.ts';

/**
 * Issue a reset token for the account with this e-mail, replacing its unused
 * ones: 1 statement. An unknown e-mail is 404 (the classic operation's error).
 */
export async function issueResetToken(email: string): Promise<{ user: TokenHolder; token: NewToken }> {
  const issued = await issueTokenByEmail('reset_password', email);
  if (issued === undefined) throw notFound('No account uses that e-mail address.');
  return issued;
}

/**
 * A reset request from `client`: limits per e-mail and per address (1
 * statement), the token (1 statement), delivery. The same answer whether or
 * not the account exists, unless `requireAccount` (the classic route) asks
 * for the 404.
 */
export async function requestPasswordReset(
  email: string,
  client: Client,
  options: { requireAccount?: boolean } = {},
): Promise<{ reset?: { token: string; expiresAt: Date } }> {
  await consume([checks.email(email), checks.emailIp(client.ip)]);
  let issued: Awaited<ReturnType<typeof issueResetToken>>;
  try {
    issued = await issueResetToken(email);
  } catch (error) {
    if (options.requireAccount !== true && error instanceof HttpError && error.status === 404) return {};
    throw error;
  }
  const { revealed } = await deliverSecret({ to: issued.user, token: issued.token, baseUrl: client.baseUrl }, client.waitUntil);
  return revealed ? { reset: { token: issued.token.secret, expiresAt: issued.token.expiresAt } } : {};
}

export interface PasswordReset {
  token: string;
  password: string;
  /** The classic route names the account too: a token of another account is then "unknown". */
  email?: string | undefined;
}

/** The JSON body: a well-formed token and a password checked against every rule that needs no account. */
export const resetSchema = v.pipeAsync(
  closedObject({ token: secretSchema, password: v.string('must be a string') }),
  passwordRules<{ token: string; password: string }>('password'),
);

/**
 * Set a new password with a reset token: 1 statement finds the token (404
 * unknown or used, 410 expired), the password is checked against every rule
 * (400, and the token stays usable), then 1 statement consumes the token,
 * sets the password, confirms the address (the token proved the mailbox),
 * retires other reset tokens and revokes every session.
 */
export async function updatePasswordWithResetToken(input: PasswordReset): Promise<{ user: UserFields; revokedSessions: number }> {
  const hash = hashSecret(input.token);
  const db = getDb();
  const found = await db
    .selectFrom('one_time_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id as token_id', 't.expires_at', 'u.id', 'u.username', 'u.email'])
    .where('t.token_hash', '=', hash)
    .where('t.purpose', '=', 'reset_password')
    .where('t.used_at', 'is', null)
    .$if(input.email !== undefined, (qb) => qb.where('u.email', '=', input.email!.toLowerCase()))
    .executeTakeFirst();
  if (found === undefined) throw unknownToken();
  if (found.expires_at <= now()) throw tokenExpired();
  const problems = await passwordProblems(input.password, found);
  if (problems.length > 0) throw validationFailed({ password: problems });

  const passwordHash = await hashPassword(input.password);
  const at = now();
  const userId = found.id;
  const row = await db
    .with('consumed', (qb) =>
      qb
        .updateTable('one_time_tokens')
        .set({ used_at: at })
        .where('id', '=', found.token_id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returning('user_id'),
    )
    .with('retired', (qb) =>
      qb
        .deleteFrom('one_time_tokens')
        .where('user_id', 'in', (eb) => eb.selectFrom('consumed').select('user_id'))
        .where('purpose', '=', 'reset_password')
        .where('used_at', 'is', null)
        .where('id', '<>', found.token_id),
    )
    .with('revoked', (qb) =>
      qb.deleteFrom('sessions').where('user_id', 'in', (eb) => eb.selectFrom('consumed').select('user_id')).returning('id'),
    )
    .updateTable('users')
    .set((eb) => ({
      password_hash: passwordHash,
      confirmed_at: eb.fn.coalesce('confirmed_at', sql<Date>`${at}::timestamptz`),
      updated_at: at,
    }))
    .where('id', '=', userId)
    .where('id', 'in', (eb) => eb.selectFrom('consumed').select('user_id'))
    .returning((eb) => [
      'id',
      'username',
      'email',
      'confirmed_at',
      'created_at',
      eb.selectFrom('revoked').select((r) => r.fn.countAll<number>().as('n')).as('revoked_sessions'),
    ])
    .executeTakeFirst();
  // Found a moment ago but not consumed now: a concurrent reset used it first.
  if (row === undefined) throw unknownToken();
  const { revoked_sessions, ...user } = row;
  return { user, revokedSessions: revoked_sessions ?? 0 };
}

// Whether an account has a second factor on, or passkeys: read by the
// step-up and the login's second step, and by GET /api/me's session statement
// (sessions/), which ranks below mfa/.
import { type RawBuilder, sql } from 'kysely';

/** SQL: the account `userId` (an SQL reference) has a confirmed factor (a pending enrolment enforces nothing). */
export const enabledFactor = (userId: RawBuilder<unknown> | ReturnType<typeof sql.ref>) =>
  sql<boolean>`EXISTS (SELECT FROM totp_factors f WHERE f.user_id = ${userId} AND f.confirmed_at IS NOT NULL)`;

/** SQL: the account `userId` (an SQL reference) has a passkey: a guarded change then asks for it (src/auth/README.md, step-up). */
export const anyPasskey = (userId: RawBuilder<unknown> | ReturnType<typeof sql.ref>) =>
  sql<boolean>`EXISTS (SELECT FROM passkeys k WHERE k.user_id = ${userId})`;

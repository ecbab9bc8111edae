// Asking to change the account's e-mail address (POST /api/me/email): a code
// valid 10 minutes goes to the new address, a notice without it to the old one.
import { sql, type QueryCreator } from 'kysely';
import { HttpError, validationFailed } from '../../common/errors.ts';
import type { Database } from '../../db/schema.ts';
import { emailChangeRequested } from '../../mail/templates.ts';
import { consume } from '../../rate-limit/counter.ts';
import { checks } from '../../rate-limit/limits.ts';
import { releaseAttempt } from '../attempts/password-attempt.ts';
import { takenMeanwhile, type StepUp } from '../attempts/step-up.ts';
import type { Client } from '../base/requester.ts';
import { deliverSecret, deliveryRoute, notify } from '../codes/delivery.ts';
import { newToken, replacingLiveToken, TOKEN_COLUMNS, tokenValues } from '../codes/tokens.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';
import { proveOwnership } from '../passwords/proof.ts';
import { CALLER_LIVE, lockLiveCaller } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import type { EmailChange } from './bodies.ts';

export interface EmailChangeRequested {
  pendingEmail: string;
  expiresAt: Date;
  /** Only where codes are returned (local development): see codes/delivery.ts. */
  code?: string;
}

/**
 * 3 statements: the limits per client address and per new address (which
 * gets a message; a bucket apart from that address's own resends and resets,
 * whose budget a stranger must not spend): 429; the password proof (401, 429,
 * 400 `details.password`, counted as a failed login; on an account with a
 * second factor its code too: 403 step_up_required, `details.code`); then, in
 * one statement, the proof's hits given back, the factor's code taken, the code issued for the account (replacing
 * its pending change, one live code per account and purpose) unless another
 * account has the address (409), and email_change_requested recorded, only
 * while the caller's session is live (lockLiveCaller; 401 when a reset
 * ended it meanwhile).
 * Nothing is written when no code could reach anyone here (503).
 */
export async function requestEmailChange(
  claims: TokenClaims,
  input: Omit<EmailChange, 'code'>,
  client: Client,
  stepUp: StepUp,
): Promise<EmailChangeRequested> {
  deliveryRoute();
  await consume([checks.emailChange(input.email), checks.emailIp(client.ip)]);
  const attempt = await proveOwnership(claims, input.password, client, stepUp);
  const { user } = attempt;
  if (user.email === input.email) throw validationFailed({ email: ['is already the address of this account'] });

  const token = newToken('change_email');
  const newEmail = sql<string>`${input.email}::text`;
  // The account row first, then the caller's session, still live (a reset or another e-mail change
  // may have ended it while the password was hashed): a code issued after that would outlive it.
  const caller = lockLiveCaller(claims) as unknown as QueryCreator<Database>;
  const { db, taken } = attempt.stepUp.take(releaseAttempt(caller, claims.userId, attempt.counted, { onlyIf: CALLER_LIVE }), {
    onlyIf: CALLER_LIVE,
  });
  const row = await db
    .with('holder', (qb) =>
      qb
        .selectFrom(sql<{ user_id: number }>`live`.as('live'))
        .select('live.user_id as id')
        .where(taken)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('users as other').select('other.id').where('other.email', '=', newEmail))),
        ),
    )
    .with('issued', (qb) =>
      qb
        .insertInto('one_time_tokens')
        .columns([...TOKEN_COLUMNS, 'new_email'])
        .expression((eb) => eb.selectFrom('holder').select(['id', ...tokenValues(token), newEmail.as('new_email')]))
        .onConflict(replacingLiveToken())
        .returning('user_id'),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) => eb.selectFrom('issued').select(['user_id', ...eventValues('email_change_requested', client, token.createdAt)])),
    )
    .selectNoFrom((eb) => [
      CALLER_LIVE.as('live'),
      taken.as('taken_code'),
      eb.exists(eb.selectFrom('issued').select('user_id')).as('issued'),
      eb.exists(eb.selectFrom('users').select('id').where('email', '=', newEmail)).as('taken'),
    ])
    .executeTakeFirstOrThrow();
  if (!row.issued) {
    if (!row.live) throw new HttpError('unauthenticated');
    // Another request used the factor's code first.
    if (!row.taken_code) throw takenMeanwhile(attempt.stepUp);
    throw new HttpError('email_taken');
  }

  const { revealed } = await deliverSecret({ to: { ...user, email: input.email }, token, appUrl: client.appUrl }, client.waitUntil);
  await notify(
    client,
    { purpose: 'email_change_notice', accountId: user.id },
    (origin, appUrl) => emailChangeRequested(user, input.email, origin, appUrl),
    token.createdAt,
  );
  return { pendingEmail: input.email, expiresAt: token.expiresAt, ...(revealed && { code: token.secret }) };
}

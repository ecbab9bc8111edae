// The step-up (src/auth/attempts/step-up.ts) made from a request's `code`: on
// an account with an enabled factor, a change that could take the account
// away (password, e-mail, deletion, the factor's removal, new recovery codes)
// needs a current code of the factor in the same request, whatever the
// session's level: a stolen aal2 session must not be enough. The code counts
// on the account's second-factor counter (`mfa:<user id>`, RATE_LIMIT_MFA) as
// the login's second step does, before it is checked; the statement that
// writes takes it by the compare-and-set of codes.ts, so it is used once.
import { sql, type QueryCreator, type RawBuilder } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import type { Database } from '../../db/schema.ts';
import { countHitFor, retryAfterSeconds } from '../../rate-limit/counter.ts';
import { checks } from '../../rate-limit/limits.ts';
import type { StepUp, SteppedUp, StepUpContext, Taken, TakeOptions } from '../attempts/step-up.ts';
import { acceptCode, checkCode, enabledFactor, laterThanLastUsed, recoveryLookup, rowsIn, type AcceptedCode } from './codes.ts';
import { eventBecomes, eventFrom, keptInTrail, MFA_EVENT } from './events.ts';

/**
 * Statement 1's CTEs for a code checked against a factor: one hit on the
 * account's second-factor counter (`code_hit`) for the row of the CTE `from`
 * (its `id`) where `checked` holds, before the code is checked, and the code
 * recorded as refused (`code_refused`, mfa_failed) until the statement that
 * accepts it says otherwise. A code that meets no factor is not counted: no
 * session could otherwise spend the owner's tries with it.
 */
export function countCode<DB extends Database>(db: QueryCreator<DB>, from: string, checked: RawBuilder<boolean>, context: StepUpContext) {
  const check = checks.mfa(context.userId);
  return (
    (db as unknown as QueryCreator<Database>)
      .with('code_hit', countHitFor(check, context.at, from, checked))
      // Named as itself, so that `checked` may name `from`'s columns either way.
      .with('code_user', (qb) =>
        qb
          .selectFrom(sql<{ id: number }>`${sql.table(from)}`.as(from))
          .select(sql<number>`id`.as('user_id'))
          .where(checked),
      )
      .with(
        'code_refused',
        eventFrom('code_user', MFA_EVENT.failed, context.by, context.at, keptInTrail('code_hit', check.limit)),
      ) as unknown as QueryCreator<DB>
  );
}

/** The columns countCode's CTEs give, for readCode. */
export const CODE_COLUMNS = [
  sql<number | null>`(SELECT hits FROM code_hit)`.as('code_hits'),
  sql<Date | null>`(SELECT window_start FROM code_hit)`.as('code_window_start'),
  sql<number | null>`(SELECT id FROM code_refused)`.as('code_event_id'),
];

/** What countCode counted: the wait over RATE_LIMIT_MFA (0 under it), its refused-code row and the counter a right code clears. */
export function readCode(row: Record<string, unknown>, { userId, at }: StepUpContext) {
  const check = checks.mfa(userId);
  const windowStart = row.code_window_start as Date | null;
  const state = windowStart === null ? undefined : { hits: row.code_hits as number, windowStart };
  return { wait: retryAfterSeconds(state, check.limit, at), eventId: row.code_event_id as number | null, bucket: check.bucket };
}

const NO_FACTOR: SteppedUp = { factor: false, wait: 0, problems: [], take: (db) => ({ db, taken: sql<boolean>`true`, takenIn: '' }) };

/** The step-up for a request carrying `code` (undefined or empty: none). */
export function stepUp(code: string | undefined): StepUp {
  const given = code !== undefined && code !== '';
  const factorOf = (from: string) => enabledFactor(sql.ref(`${from}.id`));
  const factorColumn = (from: string, column: 'secret_sealed' | 'last_used_step') =>
    sql`(SELECT f.${sql.ref(column)} FROM totp_factors f WHERE f.user_id = ${sql.ref(`${from}.id`)} AND f.confirmed_at IS NOT NULL)`;
  return {
    count: (db, from, context) => (given ? countCode(db, from, factorOf(from), context) : db),
    passwordCounted: (from) => (given ? sql<boolean>`true` : sql<boolean>`NOT ${factorOf(from)}`),
    columns(from) {
      const factor = factorOf(from).as('step_up_factor');
      if (!given) return [factor];
      return [
        factor,
        factorColumn(from, 'secret_sealed').as('step_up_secret'),
        factorColumn(from, 'last_used_step').as('step_up_last_step'),
        sql`EXISTS (SELECT FROM recovery_codes r WHERE r.user_id = ${sql.ref(`${from}.id`)} AND r.code_hash = ${recoveryLookup(code)})`.as(
          'step_up_recovery_found',
        ),
        ...CODE_COLUMNS,
      ];
    },
    read(row, context) {
      if (row.step_up_factor !== true) return NO_FACTOR;
      if (!given) throw new HttpError('step_up_required');
      const counted = readCode(row, context);
      // Over the limit the code is not even checked: the 429 comes first.
      const accepted =
        counted.wait > 0
          ? undefined
          : checkCode(
              code,
              {
                userId: context.userId,
                sealed: row.step_up_secret as Buffer,
                lastUsedStep: row.step_up_last_step === null ? null : Number(row.step_up_last_step),
                recoveryCodeFound: row.step_up_recovery_found === true,
              },
              context.at,
            );
      return {
        factor: true,
        wait: counted.wait,
        problems: accepted === undefined ? ['is not correct'] : [],
        take: (db, { onlyIf, change = 'other' }) => takeCode(db, accepted!, context, counted, { onlyIf, change }),
      };
    },
  };
}

/** Statement 2's CTEs of a right code: see SteppedUp.take. */
function takeCode<DB extends Database>(
  db: QueryCreator<DB>,
  code: AcceptedCode,
  { userId, by, at }: StepUpContext,
  counted: ReturnType<typeof readCode>,
  { onlyIf, change }: Required<TakeOptions>,
): Taken<DB> {
  const removing = change === 'removing-factor';
  const plain = db as unknown as QueryCreator<Database>;
  // Removing the factor: a TOTP step is checked by the DELETE itself; a recovery code is deleted first.
  const accepted = (removing && code.kind === 'totp'
    ? plain
    : acceptCode(plain, userId, code, onlyIf)) as unknown as QueryCreator<Database>;
  const took = removing
    ? (accepted.with('factor_removed', (qb) =>
        qb
          .deleteFrom('totp_factors')
          .where('user_id', '=', userId)
          .where(onlyIf)
          .where('confirmed_at', 'is not', null)
          .where(code.kind === 'recovery' ? rowsIn('accepted') : laterThanLastUsed(code.step))
          .returning('user_id'),
      ) as unknown as QueryCreator<Database>)
    : accepted;
  const cte = removing ? 'factor_removed' : 'accepted';
  const taken = { taken: rowsIn(cte), takenIn: cte };
  if (change === 'deleting-account') return { db: took as unknown as QueryCreator<DB>, ...taken };
  const settled = took
    // A right code clears the counter, as the login's second step does.
    .with('code_cleared', (qb) => qb.deleteFrom('rate_limits').where('bucket', '=', counted.bucket).where(rowsIn(cte)))
    // Statement 1's refused-code row: the removal's event, or gone (the change records its own).
    .with(
      'code_settled',
      removing
        ? eventBecomes(counted.eventId!, MFA_EVENT.disabled, rowsIn(cte))
        : (qb) => qb.deleteFrom('security_events').where('id', '=', counted.eventId!).where(rowsIn(cte)),
    )
    .with('recovery_used', eventFrom(cte, MFA_EVENT.recoveryCodeUsed, by, at, sql<boolean>`${code.kind === 'recovery'}::boolean`));
  return { db: settled as unknown as QueryCreator<DB>, ...taken };
}

// The step-up (src/auth/attempts/step-up.ts) made from a request's `code`: on
// an account with an enabled factor, a change that could take the account
// away (password, e-mail, deletion, the factor's removal, new recovery codes)
// needs a current code of the factor in the same request, whatever the
// session's level: a stolen aal2 session must not be enough. The code counts
// on the account's second-factor counter (`mfa:<user id>`, RATE_LIMIT_MFA) as
// the login's second step does, before it is checked; the statement that
// writes takes it by the compare-and-set of codes.ts, so it is used once.
// An account with passkeys but no factor is guarded too: its step-up is a
// passkey (passkeys/step-up.ts), which a code cannot stand in for.
import { sql, type QueryCreator, type RawBuilder } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import type { Database } from '../../db/schema.ts';
import { limitFor } from '../../rate-limit/limits.ts';
import type { StepUp, SteppedUp, StepUpContext, Taken, TakeOptions } from '../attempts/step-up.ts';
import { acceptCode, checkCode, laterThanLastUsed, recoveryLookup, type AcceptedCode } from './codes.ts';
import { anyPasskey, enabledFactor } from '../base/enabled-factor.ts';
import { rowsIn } from '../base/rows-in.ts';
import { eventBecomes, eventFrom, keptInTrail, MFA_EVENT } from './events.ts';
import { codeCountColumns, countCode, refuseOverLimits, releaseCode, type CodeCount } from './guesses.ts';

/**
 * Statement 1's CTEs for a code checked against a factor, for the row of the
 * CTE `from` (its `id`) where `checked` holds: counted on both second-factor
 * counters (guesses.ts) before the code is checked, and recorded as refused
 * (`code_refused`, mfa_failed) until the statement that accepts it says
 * otherwise. A code that meets no factor is not counted: no session could
 * otherwise spend the owner's tries with it.
 */
export function countCheckedCode<DB extends Database>(
  db: QueryCreator<DB>,
  from: string,
  checked: RawBuilder<boolean>,
  context: StepUpContext,
) {
  const counting = (db as unknown as QueryCreator<Database>).with('code_user', (qb) =>
    qb
      .selectFrom(sql<{ id: number }>`${sql.table(from)}`.as(from))
      .select(sql<number>`id`.as('user_id'))
      .where(checked),
  );
  return countCode(counting as unknown as QueryCreator<Database>, 'code_user', context.at).with(
    'code_refused',
    eventFrom('code_user', MFA_EVENT.failed, context.by, context.at, keptInTrail('code_hits', limitFor('mfa'))),
  ) as unknown as QueryCreator<DB>;
}

/** The columns countCheckedCode's CTEs give, for readCheckedCode. */
export const CODE_COLUMNS = [...codeCountColumns, sql<number | null>`(SELECT id FROM code_refused)`.as('code_event_id')];

/**
 * After statement 1: the code refused over a limit (guesses.ts's
 * refuseOverLimits: 429, or mfa_locked once the factor is locked, the owner
 * e-mailed by the attempt that crossed a line), else its refused-code row.
 */
export async function readCheckedCode(
  row: Record<string, unknown>,
  account: { id: number; username: string; email: string },
  lockedAt: Date | null,
  context: StepUpContext,
  otherWait = 0,
) {
  const count = { ...(row as unknown as CodeCount), locked_at: lockedAt };
  await refuseOverLimits(count, account, context.by, context.at, otherWait);
  return { count, eventId: row.code_event_id as number | null };
}

/** An account neither a factor nor a passkey guards: nothing counted, nothing to take. */
export const UNGUARDED: SteppedUp = {
  factor: false,
  usedRecoveryCode: false,
  field: 'code',
  problems: [],
  take: (db) => ({ db, taken: sql<boolean>`true`, takenIn: '' }),
};

/** The step-up of a request nothing guards (an enrolment's confirmation: its code is the proof). */
export const NO_STEP_UP: StepUp = {
  count: (db) => db,
  passwordCounted: () => sql<boolean>`true`,
  columns: () => [],
  read: async () => UNGUARDED,
};

/** Statement 1's columns saying what guards the account of the CTE `from`: `step_up_factor` (TOTP) and `step_up_passkeys`. */
export const guardColumns = (from: string) => [
  enabledFactor(sql.ref(`${from}.id`)).as('step_up_factor'),
  anyPasskey(sql.ref(`${from}.id`)).as('step_up_passkeys'),
];

/** Whether statement 1 found the account guarded (a factor or a passkey): else UNGUARDED is the step-up. */
export const guarded = (row: Record<string, unknown>) => row.step_up_factor === true || row.step_up_passkeys === true;

const PASSKEY_ONLY =
  'This account has passkeys and no authenticator app: send `passkey`, the answer to the options of POST /api/me/step-up/options.';

/** The step-up for a request carrying `code` (undefined or empty: none). */
export function stepUp(code: string | undefined): StepUp {
  const given = code !== undefined && code !== '';
  const factorOf = (from: string) => enabledFactor(sql.ref(`${from}.id`));
  const factorColumn = (from: string, column: 'secret_sealed' | 'last_used_step' | 'locked_at') =>
    sql`(SELECT f.${sql.ref(column)} FROM totp_factors f WHERE f.user_id = ${sql.ref(`${from}.id`)} AND f.confirmed_at IS NOT NULL)`;
  return {
    count: (db, from, context) => (given ? countCheckedCode(db, from, factorOf(from), context) : db),
    // Not when the request is refused before the password is checked: no code where one is needed, a code where only a passkey does.
    passwordCounted: (from) =>
      given
        ? sql<boolean>`(${factorOf(from)} OR NOT ${anyPasskey(sql.ref(`${from}.id`))})`
        : sql<boolean>`NOT (${factorOf(from)} OR ${anyPasskey(sql.ref(`${from}.id`))})`,
    columns(from) {
      if (!given) return guardColumns(from);
      return [
        ...guardColumns(from),
        factorColumn(from, 'secret_sealed').as('step_up_secret'),
        factorColumn(from, 'last_used_step').as('step_up_last_step'),
        factorColumn(from, 'locked_at').as('step_up_locked_at'),
        sql`EXISTS (SELECT FROM recovery_codes r WHERE r.user_id = ${sql.ref(`${from}.id`)} AND r.code_hash = ${recoveryLookup(code)})`.as(
          'step_up_recovery_found',
        ),
        ...CODE_COLUMNS,
      ];
    },
    async read(row, context, otherWait) {
      if (!guarded(row)) return UNGUARDED;
      if (!given) throw new HttpError('step_up_required');
      if (row.step_up_factor !== true) throw new HttpError('step_up_required', PASSKEY_ONLY);
      const account = { id: context.userId, username: row.username as string, email: row.email as string };
      // Over a limit (this code's or the password's) the code is not even checked: the 429 comes first.
      const counted = await readCheckedCode(row, account, row.step_up_locked_at as Date | null, context, otherWait);
      const accepted = checkCode(
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
        usedRecoveryCode: accepted?.kind === 'recovery',
        field: 'code',
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
  counted: Awaited<ReturnType<typeof readCheckedCode>>,
  { onlyIf, change }: Required<Pick<TakeOptions, 'onlyIf' | 'change'>>,
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
  // A right code clears the short counter and gives its hit back on the long one, as the login's second step does.
  const settled = releaseCode(took, userId, counted.count, rowsIn(cte))
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

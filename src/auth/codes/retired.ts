// What was issued under an account's secrets and must not outlive a change of
// them: a password reset or change, an e-mail change and a second factor's
// removal each retire, by CTEs of the statement they already run, the unused
// reset codes (they went to the mailbox), the pending e-mail change (a code
// someone with the old password asked for) and the open second-factor login
// challenges (`mfaToken`s opened with the old password).
import { sql, type QueryCreator } from 'kysely';
import type { Database } from '../../db/schema.ts';

export interface Retiring {
  /** The CTE of the statement whose rows name the account, and the column holding its id. */
  account: { cte: string; column: string };
  /** Unused reset codes, but for this one (consumed by the same statement, still unused in its snapshot). */
  resetCodes?: { except?: number } | false;
  /** The pending e-mail change (false where the statement consumes it). */
  emailChange?: boolean;
  challenges?: boolean;
}

/**
 * `db` with the CTEs `retired_reset_codes`, `retired_email_change` and
 * `retired_challenges` (each deleting nothing when not asked for).
 *
 * A challenge being used at this moment (its row locked by the login's second
 * step) is skipped, not waited for: that step holds it while it waits on the
 * account's sessions and user row, which the statements calling this lock
 * first, so waiting could close a cycle. It is a login completing at the same
 * time as the change, which either order allows.
 */
export function retireIssued<DB extends Database>(
  db: QueryCreator<DB>,
  { account, resetCodes = {}, emailChange = true, challenges = true }: Retiring,
): QueryCreator<DB> {
  const ofAccount = sql<boolean>`user_id IN (SELECT ${sql.ref(account.column)} FROM ${sql.table(account.cte)})`;
  // Kysely's types are invariant in the CTEs' names; nothing after these names them.
  return (db as unknown as QueryCreator<Database>)
    .with('retired_reset_codes', (qb) =>
      qb
        .deleteFrom('one_time_tokens')
        .where(ofAccount)
        .where('purpose', '=', 'reset_password')
        .where('used_at', 'is', null)
        .where(sql<boolean>`${resetCodes !== false}::boolean`)
        .$if(resetCodes !== false && resetCodes.except !== undefined, (q) =>
          q.where('id', '<>', (resetCodes as { except: number }).except),
        ),
    )
    .with('retired_email_change', (qb) =>
      qb
        .deleteFrom('one_time_tokens')
        .where(ofAccount)
        .where('purpose', '=', 'change_email')
        .where('used_at', 'is', null)
        .where(sql<boolean>`${emailChange}::boolean`),
    )
    .with('retired_challenges', (qb) =>
      qb
        .deleteFrom('mfa_challenges')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('mfa_challenges')
            .select('id')
            .where(ofAccount)
            .where(sql<boolean>`${challenges}::boolean`)
            .forUpdate()
            .skipLocked(),
        ),
    ) as unknown as QueryCreator<DB>;
}

// What was issued under an account's secrets and must not outlive a change of
// them: a password reset or change, an e-mail change and a second factor's
// removal each retire, by CTEs of the statement they already run, the unused
// reset codes (they went to the mailbox), the pending e-mail change (a code
// someone with the old password asked for), the open second-factor login
// challenges (`mfaToken`s opened with the old password) and the links to
// another provider under way (started with the old password: the identity
// would be a way in that outlives the change).
import { sql, type QueryCreator } from 'kysely';
import type { Database } from '../../db/schema.ts';

export interface Retiring {
  /** The CTE of the statement whose rows name the account, and the column holding its id. */
  account: { cte: string; column: string };
  /** The code the same statement consumes (still unused in its snapshot): not deleted under it. */
  except?: number;
  /** False where the statement is the e-mail change's confirmation, which consumes the pending change itself. */
  emailChange?: boolean;
}

/**
 * `db` with the CTEs `retired_codes` (unused reset codes, and the pending
 * e-mail change unless told otherwise), `retired_challenges` and `retired_links`.
 *
 * A challenge being used at this moment (its row locked by the login's second
 * step) is skipped, not waited for: that step holds it while it waits on the
 * account's sessions and factor, which the statements calling this may lock
 * first, so waiting could close a cycle. It is a login completing at the same
 * time as the change, which either order allows.
 */
export function retireIssued<DB extends Database>(
  db: QueryCreator<DB>,
  { account, except, emailChange = true }: Retiring,
): QueryCreator<DB> {
  const ofAccount = sql<boolean>`user_id IN (SELECT ${sql.ref(account.column)} FROM ${sql.table(account.cte)})`;
  const purposes = emailChange ? (['reset_password', 'change_email'] as const) : (['reset_password'] as const);
  // Kysely's types are invariant in the CTEs' names; nothing after these names them.
  return (db as unknown as QueryCreator<Database>)
    .with('retired_codes', (qb) =>
      qb
        .deleteFrom('one_time_tokens')
        .where(ofAccount)
        .where('used_at', 'is', null)
        .where('purpose', 'in', [...purposes])
        .$if(except !== undefined, (q) => q.where('id', '<>', except!)),
    )
    .with('retired_challenges', (qb) =>
      qb
        .deleteFrom('mfa_challenges')
        .where('id', 'in', (eb) => eb.selectFrom('mfa_challenges').select('id').where(ofAccount).forUpdate().skipLocked()),
    )
    .with('retired_links', (qb) =>
      qb
        .deleteFrom('federated_sign_ins')
        .where(sql<boolean>`link_user_id IN (SELECT ${sql.ref(account.column)} FROM ${sql.table(account.cte)})`),
    ) as unknown as QueryCreator<DB>;
}

// `npm run mfa:reseal`: every stored TOTP secret sealed under the first key of
// MFA_ENCRYPTION_KEY, so that the older keys can be dropped from the list.
// Secrets are opened in Node (the database never sees a key), a page of rows
// at a time; each row is written only if it still holds what was read, so a
// re-enrolment or a use that re-sealed it meanwhile is left as it is.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { openSecret } from './sealed-secret.ts';

const PAGE = 500;

export interface Resealed {
  /** Rows sealed again under the first key. */
  resealed: number;
  /** Rows already sealed under it. */
  current: number;
  /** Accounts whose secret opens with none of the keys: the old key is still needed for them, or the secret is lost. */
  unreadable: number[];
}

export async function resealAll(db: Kysely<Database>, keys: Buffer[]): Promise<Resealed> {
  const result: Resealed = { resealed: 0, current: 0, unreadable: [] };
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom('totp_factors')
      .select(['user_id', 'secret_sealed'])
      .where('user_id', '>', after)
      .orderBy('user_id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return result;
    after = rows.at(-1)!.user_id;
    const changes: { userId: number; from: Buffer; to: Buffer }[] = [];
    for (const row of rows) {
      let resealed: Buffer | undefined;
      try {
        resealed = openSecret(row.secret_sealed, row.user_id, keys).resealed;
      } catch {
        result.unreadable.push(row.user_id);
        continue;
      }
      if (resealed === undefined) result.current += 1;
      else changes.push({ userId: row.user_id, from: row.secret_sealed, to: resealed });
    }
    if (changes.length === 0) continue;
    const { rows: updated } = await sql<{ user_id: number }>`
      UPDATE totp_factors f SET secret_sealed = c.to_sealed
      FROM unnest(${changes.map((c) => c.userId)}::bigint[], ${changes.map((c) => c.from)}::bytea[], ${changes.map((c) => c.to)}::bytea[])
        AS c(user_id, from_sealed, to_sealed)
      WHERE f.user_id = c.user_id AND f.secret_sealed = c.from_sealed
      RETURNING f.user_id`.execute(db);
    result.resealed += updated.length;
  }
}

// Reading the outcome of one atomic "check and change" statement:
//   WITH target AS (SELECT <who may change it> ...),
//        changed AS (UPDATE/DELETE ... WHERE id = $id AND <caller may> RETURNING ...)
//   SELECT <allowed>, <changed.id IS NOT NULL>, changed.* FROM target LEFT JOIN changed ON true
// The permission is enforced by the change's own WHERE, so no other request
// can slip in between the check and the change.
import type { SqlBool } from 'kysely';
import { HttpError } from '../common/errors.ts';

export interface Outcome {
  /** The caller may change the target, as the statement's snapshot saw it. */
  allowed: SqlBool;
  /** The change happened. */
  changed: SqlBool;
}

/** The returned columns are NOT NULL in their table: null only came from the LEFT JOIN. */
type Changed<R> = { [K in keyof R]: NonNullable<R[K]> };

/**
 * No row: the target does not exist (404). Not changed: 403, or 404 when the
 * caller was allowed, which means a concurrent request deleted it meanwhile.
 */
export function changedRow<R extends Outcome>(row: R | undefined, what: string, refusal: string): Changed<R> {
  if (row === undefined) throw new HttpError('not_found', `No such ${what}.`);
  if (!row.changed) throw row.allowed ? new HttpError('not_found', `No such ${what}.`) : new HttpError('forbidden', refusal);
  return row as Changed<R>;
}

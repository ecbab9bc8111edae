// A statement's CTEs depend on each other's rows with this condition, in the
// second factor's statements and the passkey sign-in's alike.
import { sql } from 'kysely';

/** `EXISTS (SELECT FROM <cte>)`, to make a CTE or the final statement depend on another's rows. */
export const rowsIn = (cte: string) => sql<boolean>`EXISTS (SELECT FROM ${sql.table(cte)})`;

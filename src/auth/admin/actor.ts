// Who acts on the admin routes, read by a CTE `actor` of each route's one
// statement (no round trip of its own): an admin's live session, or a service
// key, which that CTE marks used. `allowed` is the same row only when the
// actor may do what the route needs; every read and write of the statement
// hangs on it, and the route answers 401/403 from the actor's columns.
import { createHash } from 'node:crypto';
import { sql, type QueryCreator, type RawBuilder } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import { getDb } from '../../db/connection.ts';
import type { Database } from '../../db/schema.ts';
import type { Requester } from '../base/requester.ts';
import { notBanned, sessionClock } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';

/** What the caller presented: a session token's verified claims, or a service key. */
export type AdminCredential = { kind: 'session'; claims: TokenClaims } | { kind: 'key'; key: string };

/** Service keys start with this, so the edge tells them from session tokens (JWTs) without a statement. */
export const SERVICE_KEY_PREFIX = 'sk_';

/**
 * users:read for reads, users:write for changes; `account` for what only an
 * admin's session may do (roles, keys); `step-up` for what an admin proves
 * with a code of their own second factor, which a key has not (factors.ts).
 */
export type Need = 'read' | 'write' | 'account' | 'step-up';

export const keyHash = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/** Where an admin action came from, as both trails' columns hold it (their CHECKs bound the lengths). */
export const ipOf = (by: Requester) => (by.ip === '' ? null : by.ip.slice(0, 64));
export const agentOf = (by: Requester) => by.userAgent?.slice(0, 256) ?? null;

/**
 * The CTEs `actor` (the caller: user_id or key_id, its name, admin, aal2,
 * its scopes) and `allowed` (the actor when it may do `need`). An admin's
 * session is aal2 when it was opened with more than the password
 * (src/auth/README.md, "Assurance levels"); a key is an admin at aal2 within its scopes.
 */
function actorQueries(credential: AdminCredential, need: Need) {
  const clock = sessionClock();
  const actor =
    credential.kind === 'session'
      ? sql`SELECT u.id AS user_id, NULL::bigint AS key_id, u.username AS name, u.role = 'admin' AS admin,
            NOT (s.amr <@ ARRAY['pwd', 'fed']::text[]) AS aal2, true AS can_read, true AS can_write
          FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id = ${credential.claims.sessionId} AND s.user_id = ${credential.claims.userId}
            AND s.expires_at > ${clock.at}::timestamptz AND s.last_seen_at > ${clock.idleSince}::timestamptz
            AND ${notBanned('u', clock.at)}`
      : // Its row lock orders a use after a revocation that committed first: a revoked key finds no row.
        sql`UPDATE service_keys SET last_used_at = ${clock.at}::timestamptz
          WHERE key_hash = ${keyHash(credential.key)} AND revoked_at IS NULL
          RETURNING NULL::bigint AS user_id, id AS key_id, name, true AS admin, true AS aal2,
            'users:read' = ANY (scopes) AS can_read, 'users:write' = ANY (scopes) AS can_write`;
  const may = need === 'read' ? sql`can_read` : need === 'write' ? sql`can_write` : sql`key_id IS NULL`;
  return { actor: actor as RawBuilder<ActorCte>, allowed: sql<ActorCte>`SELECT * FROM actor WHERE admin AND aal2 AND ${may}` };
}

/** The CTEs' columns. */
interface ActorCte {
  user_id: number | null;
  key_id: number | null;
  name: string;
  admin: boolean;
  aal2: boolean;
  can_read: boolean;
  can_write: boolean;
}

export function actorCtes(credential: AdminCredential, need: Need): RawBuilder<unknown> {
  const { actor, allowed } = actorQueries(credential, need);
  return sql`actor AS (${actor}), allowed AS (${allowed})`;
}

/**
 * actorCtes as the first CTEs of a Kysely statement, for the actions that take
 * a step-up (whose CTEs are Kysely's); later CTEs name them in raw SQL.
 */
export function withActor(credential: AdminCredential, need: Need): QueryCreator<Database> {
  const { actor, allowed } = actorQueries(credential, need);
  return getDb()
    .with('actor', () => cte(actor))
    .with('allowed', () => cte(allowed)) as unknown as QueryCreator<Database>;
}

/** A raw CTE body as Kysely's `with` needs it: it parenthesizes its builders, not raw SQL. */
export const cte = <T>(body: RawBuilder<T>) => sql<T>`(${body})`;

/** The actor's columns each statement selects (as `actor_…`), for gate(). */
export const ACTOR_COLUMNS = sql`a.user_id AS actor_user_id, a.key_id AS actor_key_id, a.admin AS actor_admin,
  a.aal2 AS actor_aal2, a.can_read AS actor_read, a.can_write AS actor_write`;

/** The same as a row `a` of a Kysely statement: `.selectFrom(ACTOR_ROW).selectAll('a')`. */
export const ACTOR_ROW = sql<ActorRow>`(SELECT ${ACTOR_COLUMNS} FROM actor a)`.as('a');

export interface ActorRow {
  actor_user_id: number | null;
  actor_key_id: number | null;
  actor_admin: boolean;
  actor_aal2: boolean;
  actor_read: boolean;
  actor_write: boolean;
}

/** 401 without an actor; 403 naming what is missing: the role, the step-up to aal2, the key's scope, an account. */
export function gate(row: ActorRow | undefined, need: Need): asserts row is ActorRow {
  if (row === undefined) throw new HttpError('unauthenticated');
  if (!row.actor_admin) throw new HttpError('forbidden', 'Only administrators may use the admin routes.');
  if (!row.actor_aal2) throw new HttpError('aal2_required');
  if (need === 'account' && row.actor_key_id !== null) throw new HttpError('forbidden', 'A service key may not do this: an admin must.');
  if (need === 'step-up' && row.actor_key_id !== null) throw new HttpError('admin_session_required');
  if (need === 'read' && !row.actor_read) throw new HttpError('forbidden', 'This key lacks the users:read scope.');
  if (need === 'write' && !row.actor_write) throw new HttpError('forbidden', 'This key lacks the users:write scope.');
}

// Database-backed sessions: a JWT is honoured only while its row exists, its
// absolute end (expires_at, the token's exp) is ahead and it was used within
// the idle period (last_seen_at), so logout and password changes revoke at once.
import { sql, type Expression, type QueryCreator, type SqlBool } from 'kysely';
import { cursorCodec, keyId, keyMicros, microsToIso } from '../../common/cursor.ts';
import { afterKey, toItems, type Page, type Pagination } from '../../common/pagination.ts';
import { now } from '../../config/clock.ts';
import { setting } from '../../config/settings.ts';
import { getDb } from '../../db/connection.ts';
import { byCreatedAt, micros, pageWindow } from '../../db/page-query.ts';
import { prepare } from '../../db/prepared.ts';
import type { Database, ProfileRow } from '../../db/schema.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import { signSessionToken, verifySessionToken, type TokenClaims } from './tokens.ts';

export interface NewSession {
  token: string;
  sessionId: number;
  expiresAt: Date;
}

/**
 * Insert a session row and sign its token: 1 statement. `db` may carry CTEs
 * (`getDb().with(…)`) that run in the same statement, as login's rehash does;
 * with `onlyIf` the row is inserted only when that condition on them holds
 * (a second factor accepted), else NoResultError.
 */
export async function createSession(userId: number, db: QueryCreator<Database> = getDb(), onlyIf?: Expression<SqlBool>): Promise<NewSession> {
  const createdAt = now();
  const expiresAt = new Date(createdAt.getTime() + setting('sessionTtlMs'));
  const { id } = await db
    .insertInto('sessions')
    .columns(['user_id', 'created_at', 'last_seen_at', 'expires_at'])
    .expression(
      // A fresh builder: `db`'s CTEs belong to the INSERT, not to this SELECT.
      getDb()
        .selectNoFrom([
          sql<number>`${userId}::bigint`.as('user_id'),
          sql<Date>`${createdAt}::timestamptz`.as('created_at'),
          sql<Date>`${createdAt}::timestamptz`.as('last_seen_at'),
          sql<Date>`${expiresAt}::timestamptz`.as('expires_at'),
        ])
        .$if(onlyIf !== undefined, (qb) => qb.where(onlyIf!)),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  const token = await signSessionToken({ userId, sessionId: id }, createdAt, expiresAt);
  return { token, sessionId: id, expiresAt };
}

export interface SessionUser {
  sessionId: number;
  sessionExpiresAt: Date;
  user: UserFields;
}

export type SessionUserWithProfile = SessionUser & {
  profile: Pick<ProfileRow, 'bio' | 'location' | 'birthday' | 'gender' | 'marital_status'>;
};

/**
 * Using a session moves its last_seen_at (and so its idle end) forward at
 * most this often: a write per hour per session instead of one per request.
 */
const TOUCH_INTERVAL_MS = 3_600_000;

/** When a session counts as live at `at`: last used after `idleSince`; last used before `touchBefore`, a use moves it. */
export interface SessionClock {
  at: Date;
  idleSince: Date;
  touchBefore: Date;
}

function sessionClock(at: Date = now()): SessionClock {
  return {
    at,
    idleSince: new Date(at.getTime() - setting('sessionIdleTtlMs')),
    touchBefore: new Date(at.getTime() - TOUCH_INTERVAL_MS),
  };
}

/** The session a token's claims name, joined with its user (`s`, `u`), if it is still live. */
export function selectLiveSession(claims: TokenClaims, db: QueryCreator<Database> = getDb(), clock: SessionClock = sessionClock()) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id as session_id', 's.expires_at', 'u.id', 'u.username', 'u.email', 'u.confirmed_at', 'u.created_at'])
    .where('s.id', '=', claims.sessionId)
    .where('s.user_id', '=', claims.userId)
    .where('s.expires_at', '>', clock.at)
    .where('s.last_seen_at', '>', clock.idleSince);
}

type LiveSessionParams = TokenClaims & SessionClock;

/**
 * selectLiveSession, with a CTE in the same statement that marks the session
 * seen when it was last marked over an hour ago. Postgres runs a data-modifying
 * CTE to completion whether or not the query reads it; the SELECT sees the row
 * as it was, which was live if the CTE's own conditions held. Two requests at
 * once: the second UPDATE waits for the first's row lock, then finds the row
 * recently seen and changes nothing.
 */
function touchLiveSession(p: LiveSessionParams, db: QueryCreator<Database>) {
  const touched = db.with('touched', (qb) =>
    qb
      .updateTable('sessions')
      .set({ last_seen_at: p.at })
      .where('id', '=', p.sessionId)
      .where('user_id', '=', p.userId)
      .where('expires_at', '>', p.at)
      .where('last_seen_at', '>', p.idleSince)
      .where('last_seen_at', '<=', p.touchBefore),
  );
  // The CTE adds only `touched` to the tables the query may name; the SELECT names none of it.
  return selectLiveSession(p, touched as unknown as QueryCreator<Database>, p);
}

// Every authenticated request runs one of these: compiled once per process.
const liveSession = prepare((db, p: LiveSessionParams) => touchLiveSession(p, db));
const liveSessionWithProfile = prepare((db, p: LiveSessionParams) =>
  touchLiveSession(p, db)
    .innerJoin('user_profiles as p', 'p.user_id', 'u.id')
    .select(['p.bio', 'p.location', 'p.birthday', 'p.gender', 'p.marital_status']),
);

/**
 * The live session and user a token names, read in ONE statement (optionally
 * with the profile); undefined for a bad token or a revoked/expired session.
 */
export async function findSessionUser(token: string): Promise<SessionUser | undefined>;
export async function findSessionUser(token: string, options: { withProfile: true }): Promise<SessionUserWithProfile | undefined>;
export async function findSessionUser(
  token: string,
  options: { withProfile?: boolean } = {},
): Promise<SessionUser | SessionUserWithProfile | undefined> {
  const claims = await verifySessionToken(token);
  if (claims === undefined) return undefined;
  const params = { ...claims, ...sessionClock() };
  const [row] = options.withProfile ? await liveSessionWithProfile(params) : await liveSession(params);
  if (row === undefined) return undefined;
  const base = { sessionId: row.session_id, sessionExpiresAt: row.expires_at, user: userFieldsOf(row) };
  if (!options.withProfile) return base;
  const p = row as typeof row & SessionUserWithProfile['profile'];
  return {
    ...base,
    profile: { bio: p.bio, location: p.location, birthday: p.birthday, gender: p.gender, marital_status: p.marital_status },
  };
}

/** Delete one session of a user: 1 statement. True when a live row went away. */
export async function destroySession(sessionId: number, userId?: number): Promise<boolean> {
  // A row past its absolute or idle end goes too, but counts as none: the row decides, whatever the token's `exp` says.
  const clock = sessionClock();
  const deleted = await getDb()
    .deleteFrom('sessions')
    .where('id', '=', sessionId)
    .$if(userId !== undefined, (qb) => qb.where('user_id', '=', userId!))
    .returning(['expires_at', 'last_seen_at'])
    .execute();
  return deleted.some((row) => row.expires_at > clock.at && row.last_seen_at > clock.idleSince);
}

export interface SessionView {
  id: number;
  createdAt: string;
  expiresAt: string;
  /** Whether this is the session making the request. */
  current: boolean;
}

/** The order of the list and of its index sessions_user_id_created_at_id_idx: newest first, ties by id. */
const SESSIONS_CURSOR = cursorCodec('sessions', [keyMicros, keyId]);

/**
 * A page of the caller's live sessions, newest first: 1 statement that also
 * proves the caller's own session is live (undefined when it is not, i.e.
 * 401). `expires_at` is the absolute end; unused, a session ends sooner
 * (idle). No total: a user's sessions are a short list, counted by nobody.
 */
export async function listSessions(claims: TokenClaims, pagination: Pagination): Promise<Omit<Page<SessionView>, 'total'> | undefined> {
  const after = afterKey(SESSIONS_CURSOR, pagination);
  const clock = sessionClock();
  const rows = await getDb()
    .selectFrom('sessions as caller')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('sessions')
          .select(['id', 'created_at', 'expires_at', micros('created_at').as('created_micros')])
          .where('user_id', '=', claims.userId)
          .where('expires_at', '>', clock.at)
          .where('last_seen_at', '>', clock.idleSince)
          .$call(byCreatedAt('desc', after && [microsToIso(after[0]), after[1]]))
          .$call(pageWindow(pagination))
          .as('i'),
      (join) => join.onTrue(),
    )
    .selectAll('i')
    .where('caller.id', '=', claims.sessionId)
    .where('caller.user_id', '=', claims.userId)
    .where('caller.expires_at', '>', clock.at)
    .where('caller.last_seen_at', '>', clock.idleSince)
    // The outer query must repeat the order: a join does not promise to keep it.
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id', 'desc')
    .execute();
  if (rows.length === 0) return undefined;
  return toItems(
    rows,
    pagination,
    (s) => ({ id: s.id, createdAt: s.created_at.toISOString(), expiresAt: s.expires_at.toISOString(), current: s.id === claims.sessionId }),
    (s) => SESSIONS_CURSOR.encode([s.created_micros, s.id]),
  );
}

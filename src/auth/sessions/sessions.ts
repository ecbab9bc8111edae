// Database-backed sessions: a JWT is honoured only while its row exists and
// has not expired, so logout and password changes revoke at once. Each row
// also says where it was opened (user agent, address) and when it was last
// used (last_seen_at, moved at most once an hour by the authenticating statement).
import { sql, type QueryCreator } from 'kysely';
import { now } from '../../config/clock.ts';
import { setting } from '../../config/settings.ts';
import { getDb } from '../../db/connection.ts';
import { prepare } from '../../db/prepared.ts';
import type { Database, ProfileRow } from '../../db/schema.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import { NO_REQUESTER, type Requester } from '../accounts/client.ts';
import { EVENT_COLUMNS, eventValues } from '../events/events.ts';
import { signSessionToken, verifySessionToken, type TokenClaims } from './tokens.ts';

export interface NewSession {
  token: string;
  sessionId: number;
  expiresAt: Date;
}

/** An account keeps at most this many live sessions: a new one ends the oldest beyond it. */
export const MAX_LIVE_SESSIONS = 50;

/** The account was deleted while a session was being opened for it. */
export class AccountGone extends Error {
  override name = 'AccountGone';
}

/**
 * Insert a session row opened by `by` and sign its token: 1 statement, which
 * also deletes the account's sessions beyond the newest MAX_LIVE_SESSIONS - 1
 * live ones (and any expired one). Concurrent logins each keep the newest
 * rows they see, so the cap can be passed by as many logins as run at once,
 * until the next one. `db` may carry CTEs (`getDb().with(…)`) that run in the
 * same statement, as login's release and rehash do.
 *
 * The INSERT reads the user row FOR KEY SHARE before anything else runs
 * (Postgres runs the CTEs the query does not read after it): a deletion of
 * the account locks that row first too, so the two never wait on each other
 * in a cycle. Throws AccountGone when the account was deleted meanwhile.
 */
export async function createSession(userId: number, db: QueryCreator<Database> = getDb(), by: Requester = NO_REQUESTER): Promise<NewSession> {
  const createdAt = now();
  const expiresAt = new Date(createdAt.getTime() + setting('sessionTtlMs'));
  const inserted = await db
    .with('beyond_cap', (qb) =>
      qb
        .deleteFrom('sessions')
        .where('user_id', '=', userId)
        .where('id', 'not in', (eb) =>
          eb
            .selectFrom('sessions')
            .select('id')
            .where('user_id', '=', userId)
            .where('expires_at', '>', createdAt)
            .orderBy('created_at', 'desc')
            .orderBy('id', 'desc')
            .limit(MAX_LIVE_SESSIONS - 1),
        ),
    )
    .insertInto('sessions')
    .columns(['user_id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent', 'ip'])
    .expression((eb) =>
      eb
        .selectFrom('users')
        .select([
          'id',
          sql<Date>`${createdAt}::timestamptz`.as('created_at'),
          sql<Date>`${createdAt}::timestamptz`.as('last_seen_at'),
          sql<Date>`${expiresAt}::timestamptz`.as('expires_at'),
          sql<string | null>`${by.userAgent?.slice(0, 256) ?? null}::text`.as('user_agent'),
          sql<string | null>`${by.ip === '' ? null : by.ip.slice(0, 64)}::text`.as('ip'),
        ])
        .where('id', '=', userId)
        .forKeyShare(),
    )
    .returning('id')
    .executeTakeFirst();
  if (inserted === undefined) throw new AccountGone(`user ${userId} no longer exists`);
  const { id } = inserted;
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

/** The session a token's claims name, joined with its user (`s`, `u`), if it is still live at `at`. */
export function selectLiveSession(claims: TokenClaims, db: QueryCreator<Database> = getDb(), at: Date = now()) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id as session_id', 's.expires_at', 'u.id', 'u.username', 'u.email', 'u.confirmed_at', 'u.created_at'])
    .where('s.id', '=', claims.sessionId)
    .where('s.user_id', '=', claims.userId)
    .where('s.expires_at', '>', at);
}

/**
 * Using a session moves its last_seen_at forward at most this often: a write
 * per hour per session instead of one per request.
 */
const TOUCH_INTERVAL_MS = 3_600_000;

type LiveSessionParams = TokenClaims & { at: Date; touchBefore: Date };

/**
 * selectLiveSession, with a CTE in the same statement that marks the session
 * seen when it was last marked over an hour ago. Postgres runs a data-modifying
 * CTE to completion whether or not the query reads it; the SELECT sees the row
 * as it was. Two requests at once: the second UPDATE waits for the first's row
 * lock, then finds the row recently seen and changes nothing.
 */
function touchLiveSession(p: LiveSessionParams, db: QueryCreator<Database>) {
  const touched = db.with('touched', (qb) =>
    qb
      .updateTable('sessions')
      .set({ last_seen_at: p.at })
      .where('id', '=', p.sessionId)
      .where('user_id', '=', p.userId)
      .where('expires_at', '>', p.at)
      .where('last_seen_at', '<=', p.touchBefore),
  );
  // The CTE adds only `touched` to the tables the query may name; the SELECT names none of it.
  return selectLiveSession(p, touched as unknown as QueryCreator<Database>, p.at);
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
  const at = now();
  const params = { ...claims, at, touchBefore: new Date(at.getTime() - TOUCH_INTERVAL_MS) };
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

/**
 * Delete one session of a user and record it (a logout, or a revocation from
 * the session list) by `by`: 1 statement. True when a row went away.
 */
export async function destroySession(
  sessionId: number,
  userId?: number,
  ended: { kind: 'logout' | 'session_revoked'; by: Requester } = { kind: 'logout', by: NO_REQUESTER },
): Promise<boolean> {
  const result = await getDb()
    .with('ended', (qb) =>
      qb
        .deleteFrom('sessions')
        .where('id', '=', sessionId)
        .$if(userId !== undefined, (q) => q.where('user_id', '=', userId!))
        .returning('user_id'),
    )
    .insertInto('security_events')
    .columns([...EVENT_COLUMNS])
    .expression((eb) => eb.selectFrom('ended').select(['user_id', ...eventValues(ended.kind, ended.by, now())]))
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export interface SessionSummary {
  id: number;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  user_agent: string | null;
  ip: string | null;
}

/**
 * The caller's live sessions, newest first: 1 statement that also proves the
 * caller's own session is live (undefined when it is not, i.e. 401).
 */
export async function listSessions(claims: TokenClaims): Promise<SessionSummary[] | undefined> {
  const rows = await getDb()
    .selectFrom('sessions')
    .select(['id', 'created_at', 'expires_at', 'last_seen_at', 'user_agent', 'ip'])
    .where('user_id', '=', claims.userId)
    .where('expires_at', '>', now())
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.some((row) => row.id === claims.sessionId) ? rows : undefined;
}

/**
 * Sign out everywhere else: 1 statement deletes every session of the caller's
 * account but the caller's own, and records it. Undefined when the caller's
 * session is not live (401).
 */
export async function revokeOtherSessions(claims: TokenClaims, by: Requester): Promise<{ revokedSessions: number } | undefined> {
  const at = now();
  const row = await getDb()
    .with('caller', (qb) => selectLiveSession(claims, qb, at).clearSelect().select('s.user_id'))
    .with('revoked', (qb) =>
      qb
        .deleteFrom('sessions')
        .where('user_id', 'in', (eb) => eb.selectFrom('caller').select('user_id'))
        .where('id', '<>', claims.sessionId)
        .returning('id'),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) => eb.selectFrom('caller').select(['user_id', ...eventValues('other_sessions_revoked', by, at)])),
    )
    .selectFrom('caller')
    .select((eb) => eb.selectFrom('revoked').select(sql<number>`count(*)::int`.as('n')).as('revoked'))
    .executeTakeFirst();
  return row === undefined ? undefined : { revokedSessions: row.revoked ?? 0 };
}

// Database-backed sessions: a JWT is honoured only while its row exists and
// has not expired, so logout and password changes revoke at once.
import type { Kysely, QueryCreator } from 'kysely';
import { now } from '../../config/clock.ts';
import { setting } from '../../config/settings.ts';
import { getDb } from '../../db/connection.ts';
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
 * (`getDb().with(…)`) that run in the same statement, as login's rehash does.
 */
export async function createSession(userId: number, db: QueryCreator<Database> = getDb()): Promise<NewSession> {
  const createdAt = now();
  const expiresAt = new Date(createdAt.getTime() + setting('sessionTtlMs'));
  const { id } = await db
    .insertInto('sessions')
    .values({ user_id: userId, created_at: createdAt, expires_at: expiresAt })
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

/** The session a token's claims name, joined with its user (`s`, `u`), if it is still live at `at`. */
export function selectLiveSession(claims: TokenClaims, db: Kysely<Database> = getDb(), at: Date = now()) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id as session_id', 's.expires_at', 'u.id', 'u.username', 'u.email', 'u.confirmed_at', 'u.created_at'])
    .where('s.id', '=', claims.sessionId)
    .where('s.user_id', '=', claims.userId)
    .where('s.expires_at', '>', at);
}

// Every authenticated request runs one of these: compiled once per process.
type LiveSessionParams = TokenClaims & { at: Date };
const liveSession = prepare((db, p: LiveSessionParams) => selectLiveSession(p, db, p.at));
const liveSessionWithProfile = prepare((db, p: LiveSessionParams) =>
  selectLiveSession(p, db, p.at)
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
  const params = { ...claims, at: now() };
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
  // An expired row goes too, but counts as none: the row's expiry decides, whatever the token's `exp` says.
  const deleted = await getDb()
    .deleteFrom('sessions')
    .where('id', '=', sessionId)
    .$if(userId !== undefined, (qb) => qb.where('user_id', '=', userId!))
    .returning('expires_at')
    .execute();
  const at = now();
  return deleted.some((row) => row.expires_at > at);
}

export interface SessionSummary {
  id: number;
  created_at: Date;
  expires_at: Date;
}

/**
 * The caller's live sessions, newest first: 1 statement that also proves the
 * caller's own session is live (undefined when it is not, i.e. 401).
 */
export async function listSessions(claims: TokenClaims): Promise<SessionSummary[] | undefined> {
  const rows = await getDb()
    .selectFrom('sessions')
    .select(['id', 'created_at', 'expires_at'])
    .where('user_id', '=', claims.userId)
    .where('expires_at', '>', now())
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.some((row) => row.id === claims.sessionId) ? rows : undefined;
}

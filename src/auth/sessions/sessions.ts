// Database-backed sessions: a JWT is honoured only while its row exists, its
// absolute end (expires_at, the token's exp) is ahead and it was used within
// the idle period (last_seen_at), so logout and password changes revoke at once.
// Each row also says where it was opened (user agent, address) and how it was
// authenticated (RFC 8176 `amr`), from which its assurance level follows.
import { sql, type Expression, type QueryCreator, type SqlBool } from 'kysely';
import { cursorCodec, keyId, keyMicros, microsToIso } from '../../common/cursor.ts';
import { afterKey, toItems, type Page, type Pagination } from '../../common/pagination.ts';
import { now } from '../../config/clock.ts';
import { setting } from '../../config/settings.ts';
import { getDb } from '../../db/connection.ts';
import { byCreatedAt, micros, pageWindow } from '../../db/page-query.ts';
import { prepare } from '../../db/prepared.ts';
import type { AuthMethod, Database, ProfileRow } from '../../db/schema.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import { NO_REQUESTER, type Requester } from '../base/requester.ts';
import { enabledFactor } from '../base/enabled-factor.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';
import { signSessionToken, verifySessionToken, type TokenClaims } from './tokens.ts';

export interface NewSession {
  token: string;
  sessionId: number;
  expiresAt: Date;
}

/** An account keeps at most this many live sessions: a new one ends the oldest beyond it. */
export const MAX_LIVE_SESSIONS = 50;

/** NIST SP 800-63B's authenticator assurance levels, as far as a session can tell. */
export type AssuranceLevel = 'aal1' | 'aal2';

/**
 * aal2 when the session was opened with anything beside one first step, the
 * password or another identity provider (`fed`: what that provider asked is
 * not known here): a second factor's code, a passkey.
 */
export const assuranceLevel = (amr: readonly AuthMethod[]): AssuranceLevel =>
  amr.some((m) => m !== 'pwd' && m !== 'fed') ? 'aal2' : 'aal1';

/** The account was deleted while a session was being opened for it. */
export class AccountGone extends Error {
  override name = 'AccountGone';
}

/**
 * Insert a session row opened by `by` and sign its token: 1 statement, which
 * also deletes the account's sessions beyond the newest MAX_LIVE_SESSIONS - 1
 * live ones (and any expired or idle one). Concurrent logins each keep the newest
 * rows they see, so the cap can be passed by as many logins as run at once,
 * until the next one. `db` may carry CTEs (`getDb().with(…)`) that run in the
 * same statement, as login's release and rehash do.
 *
 * The INSERT reads the user row FOR KEY SHARE before anything else runs
 * (Postgres runs the CTEs the query does not read after it): a deletion of
 * the account locks that row first too, so the two never wait on each other
 * in a cycle. Throws AccountGone when the account was deleted meanwhile, or
 * when `onlyIf`, a condition on `db`'s CTEs (a second factor accepted), does not hold.
 * `amr` records how the caller was authenticated (the password alone unless told).
 */
export async function createSession(
  userId: number,
  db: QueryCreator<Database> = getDb(),
  by: Requester = NO_REQUESTER,
  onlyIf: Expression<SqlBool> = sql<boolean>`true`,
  amr: readonly AuthMethod[] = ['pwd'],
): Promise<NewSession> {
  const clock = sessionClock();
  const createdAt = clock.at;
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
            .where('last_seen_at', '>', clock.idleSince)
            .orderBy('created_at', 'desc')
            .orderBy('id', 'desc')
            .limit(MAX_LIVE_SESSIONS - 1),
        ),
    )
    .insertInto('sessions')
    .columns(['user_id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent', 'ip', 'amr'])
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
          sql<AuthMethod[]>`${amr}::text[]`.as('amr'),
        ])
        .where('id', '=', userId)
        .where(onlyIf)
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
  /** The rest of the caller's session row, read by the same statement. */
  session: { createdAt: Date; lastSeenAt: Date; amr: AuthMethod[] };
}

export type SessionUserWithProfile = SessionUser & {
  /** When the address was last proven (GET /api/me shows it). */
  emailVerifiedAt: Date | null;
  /** Whether a TOTP factor is on (confirmed; a pending enrolment enforces nothing). */
  totpEnabled: boolean;
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

export function sessionClock(at: Date = now()): SessionClock {
  return {
    at,
    idleSince: new Date(at.getTime() - setting('sessionIdleTtlMs')),
    touchBefore: new Date(at.getTime() - TOUCH_INTERVAL_MS),
  };
}

/**
 * The account of `users` row `alias` is not banned at `at`. Every session check
 * reads it on the row it already joins, so a ban ends each session at once,
 * even one a login racing the ban inserted after the ban's DELETE looked.
 */
export const notBanned = (alias: string, at: Date) =>
  sql<boolean>`(${sql.ref(`${alias}.banned_at`)} IS NULL OR coalesce(${sql.ref(`${alias}.banned_until`)} <= ${at}::timestamptz, false))`;

/** The session a token's claims name, joined with its user (`s`, `u`), if it is still live. */
export function selectLiveSession(claims: TokenClaims, db: QueryCreator<Database> = getDb(), clock: SessionClock = sessionClock()) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id as session_id', 's.expires_at', 'u.id', 'u.username', 'u.email', 'u.confirmed_at', 'u.created_at'])
    .select(['s.created_at as session_created_at', 's.last_seen_at as session_last_seen_at', 's.amr'])
    .where('s.id', '=', claims.sessionId)
    .where('s.user_id', '=', claims.userId)
    .where('s.expires_at', '>', clock.at)
    .where('s.last_seen_at', '>', clock.idleSince)
    .where(notBanned('u', clock.at));
}

/**
 * For the statement that writes what a session authorized in an earlier one
 * (a slow hash may lie between): the CTEs `owner`, the account row locked
 * first (FOR UPDATE to delete it, else FOR NO KEY UPDATE, which a login's
 * FOR KEY SHARE read does not wait for), and `live`, the caller's session
 * read FOR KEY SHARE after it, when it is still live. Each write of the
 * statement depends on `live` (CALLER_LIVE): no row there is a 401.
 *
 * A plain read would see the session as the statement's snapshot had it: a
 * reset or an e-mail change that ended it and committed while this statement
 * waited for the account row would leave a revoked session writing. A locked
 * read sees the row as that commit left it, or not at all. The account row
 * comes first, the order a reset, an e-mail change's confirmation and a
 * deletion take it in, so none of them waits on another in a cycle.
 */
export function lockLiveCaller(
  claims: TokenClaims,
  { clock = sessionClock(), deleting = false }: { clock?: SessionClock; deleting?: boolean } = {},
) {
  return getDb()
    .with('owner', (qb) => {
      const row = qb.selectFrom('users').select('id').where('id', '=', claims.userId).where(notBanned('users', clock.at));
      return deleting ? row.forUpdate() : row.forNoKeyUpdate();
    })
    .with('live', (qb) =>
      qb
        .selectFrom('sessions')
        .innerJoin('owner', 'owner.id', 'sessions.user_id')
        .select('sessions.user_id')
        .where('sessions.id', '=', claims.sessionId)
        .where('sessions.expires_at', '>', clock.at)
        .where('sessions.last_seen_at', '>', clock.idleSince)
        .forKeyShare('sessions'),
    );
}

/** For a CTE or the final statement after lockLiveCaller: the caller's session is still live. */
export const CALLER_LIVE = sql<boolean>`EXISTS (SELECT FROM live)`;

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
    .select(['u.email_verified_at', 'p.bio', 'p.location', 'p.birthday', 'p.gender', 'p.marital_status'])
    .select(enabledFactor(sql.ref('u.id')).as('totp_enabled')),
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
  const base = {
    sessionId: row.session_id,
    sessionExpiresAt: row.expires_at,
    user: userFieldsOf(row),
    session: { createdAt: row.session_created_at, lastSeenAt: row.session_last_seen_at, amr: row.amr },
  };
  if (!options.withProfile) return base;
  const p = row as typeof row & SessionUserWithProfile['profile'] & { email_verified_at: Date | null; totp_enabled: boolean };
  return {
    ...base,
    emailVerifiedAt: p.email_verified_at,
    totpEnabled: p.totp_enabled,
    profile: { bio: p.bio, location: p.location, birthday: p.birthday, gender: p.gender, marital_status: p.marital_status },
  };
}

/**
 * Delete one session of a user and record it (a logout, or a revocation from
 * the session list) by `by`: 1 statement. True when a live row went away.
 */
export async function destroySession(
  sessionId: number,
  userId?: number,
  ended: { kind: 'logout' | 'session_revoked'; by: Requester } = { kind: 'logout', by: NO_REQUESTER },
): Promise<boolean> {
  // A row past its absolute or idle end goes too, but counts as none (and is no
  // event): the row decides, whatever the token's `exp` says.
  const clock = sessionClock();
  const result = await getDb()
    .with('ended', (qb) =>
      qb
        .deleteFrom('sessions')
        .where('id', '=', sessionId)
        .$if(userId !== undefined, (q) => q.where('user_id', '=', userId!))
        .returning(['user_id', 'expires_at', 'last_seen_at']),
    )
    .insertInto('security_events')
    .columns([...EVENT_COLUMNS])
    .expression((eb) =>
      eb
        .selectFrom('ended')
        .select(['user_id', ...eventValues(ended.kind, ended.by, clock.at)])
        .where('expires_at', '>', clock.at)
        .where('last_seen_at', '>', clock.idleSince),
    )
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export interface SessionView {
  id: number;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  userAgent: string | null;
  ip: string | null;
  /** Whether this is the session making the request. */
  current: boolean;
  amr: AuthMethod[];
  aal: AssuranceLevel;
}

/**
 * The caller's own session row as `caller`, when it is live: what a list of
 * the caller's rows selects from, so that its one statement also proves the
 * session (no row: 401).
 */
export function liveCaller(claims: TokenClaims, clock: SessionClock) {
  return getDb()
    .selectFrom('sessions as caller')
    .where('caller.id', '=', claims.sessionId)
    .where('caller.user_id', '=', claims.userId)
    .where('caller.expires_at', '>', clock.at)
    .where('caller.last_seen_at', '>', clock.idleSince)
    .where(sql<boolean>`EXISTS (SELECT FROM users u WHERE u.id = caller.user_id AND ${notBanned('u', clock.at)})`);
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
  const rows = await liveCaller(claims, clock)
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('sessions')
          .select(['id', 'created_at', 'expires_at', 'last_seen_at', 'user_agent', 'ip', 'amr', micros('created_at').as('created_micros')])
          .where('user_id', '=', claims.userId)
          .where('expires_at', '>', clock.at)
          .where('last_seen_at', '>', clock.idleSince)
          .$call(byCreatedAt('desc', after && [microsToIso(after[0]), after[1]]))
          .$call(pageWindow(pagination))
          .as('i'),
      (join) => join.onTrue(),
    )
    .selectAll('i')
    // The outer query must repeat the order: a join does not promise to keep it.
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id', 'desc')
    .execute();
  if (rows.length === 0) return undefined;
  return toItems(
    rows,
    pagination,
    (s) => ({
      id: s.id,
      createdAt: s.created_at.toISOString(),
      expiresAt: s.expires_at.toISOString(),
      lastSeenAt: s.last_seen_at.toISOString(),
      userAgent: s.user_agent,
      ip: s.ip,
      current: s.id === claims.sessionId,
      amr: s.amr,
      aal: assuranceLevel(s.amr),
    }),
    (s) => SESSIONS_CURSOR.encode([s.created_micros, s.id]),
  );
}

/**
 * Sign out everywhere else: 1 statement deletes every session of the caller's
 * account but the caller's own, and records it. Undefined when the caller's
 * session is not live (401).
 */
export async function revokeOtherSessions(claims: TokenClaims, by: Requester): Promise<{ revokedSessions: number } | undefined> {
  const clock = sessionClock();
  const at = clock.at;
  const row = await getDb()
    .with('caller', (qb) => selectLiveSession(claims, qb, clock).clearSelect().select('s.user_id'))
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

// The admin's reads: the user search and one user's detail, each ONE
// statement that also finds the actor (actor.ts).
import { sql } from 'kysely';
import { cursorCodec, keyId } from '../../common/cursor.ts';
import { HttpError } from '../../common/errors.ts';
import { afterKey, toItems, type Page, type Pagination } from '../../common/pagination.ts';
import { getDb } from '../../db/connection.ts';
import type { AuthMethod, Role } from '../../db/schema.ts';
import { assuranceLevel, sessionClock } from '../sessions/sessions.ts';
import { ACTOR_COLUMNS, actorCtes, gate, type ActorRow, type AdminCredential } from './actor.ts';

export type UserState = 'banned' | 'unconfirmed' | 'mfa';

export interface UserSearch {
  /** A prefix of the e-mail address or of the username. */
  q?: string | undefined;
  role?: Role | undefined;
  state?: UserState | undefined;
}

export interface AdminUserView {
  id: number;
  username: string;
  email: string;
  role: Role;
  confirmed: boolean;
  emailVerified: boolean;
  mfa: boolean;
  ban: { since: string; until: string | null; reason: string } | null;
  createdAt: string;
}

interface UserColumns {
  id: number;
  username: string;
  email: string;
  role: Role;
  confirmed_at: Date | null;
  email_verified_at: Date | null;
  mfa: boolean;
  banned_at: Date | null;
  banned_until: Date | null;
  ban_reason: string | null;
  created_at: Date;
}

/** The columns of `users u` an AdminUserView needs. */
const USER_COLUMNS = sql`u.id, u.username, u.email, u.role, u.confirmed_at, u.email_verified_at, u.banned_at, u.banned_until,
  u.ban_reason, u.created_at,
  EXISTS (SELECT FROM totp_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) AS mfa`;

/** A ban lifted by its end time counts as none. */
const banOf = (u: UserColumns, at: Date) =>
  u.banned_at === null || (u.banned_until !== null && u.banned_until <= at)
    ? null
    : { since: u.banned_at.toISOString(), until: u.banned_until?.toISOString() ?? null, reason: u.ban_reason ?? '' };

function presentAdminUser(u: UserColumns, at: Date): AdminUserView {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    role: u.role,
    confirmed: u.confirmed_at !== null,
    emailVerified: u.email_verified_at !== null,
    mfa: u.mfa,
    ban: banOf(u, at),
    createdAt: u.created_at.toISOString(),
  };
}

/** By id, ascending: the primary key is the order, so any filter pages by keyset. */
const SEARCH_CURSOR = cursorCodec('admin_users', [keyId]);

/** LIKE's own characters taken literally (`_` is common in usernames). */
const likePrefix = (prefix: string) => `${prefix.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

/**
 * A page of users matching every filter given, by id: 1 statement. A prefix is
 * a range of the prefix indexes of migration 0018; each state has a partial
 * index or a small table (second factors) to start from. No total: counting a
 * filter over a million rows is what the search must not do.
 */
export async function searchUsers(
  credential: AdminCredential,
  search: UserSearch,
  pagination: Pagination,
): Promise<Omit<Page<AdminUserView>, 'total'>> {
  const after = afterKey(SEARCH_CURSOR, pagination);
  const at = sessionClock().at;
  const conditions = [sql`EXISTS (SELECT FROM allowed)`];
  if (search.q !== undefined) {
    const prefix = likePrefix(search.q);
    conditions.push(sql`(u.email LIKE ${prefix} OR u.username LIKE ${prefix})`);
  }
  if (search.role !== undefined) conditions.push(sql`u.role = ${search.role}`);
  if (search.state === 'banned') {
    conditions.push(sql`u.banned_at IS NOT NULL AND (u.banned_until IS NULL OR u.banned_until > ${at}::timestamptz)`);
  } else if (search.state === 'unconfirmed') conditions.push(sql`u.confirmed_at IS NULL`);
  else if (search.state === 'mfa') conditions.push(sql`u.id IN (SELECT user_id FROM totp_factors WHERE confirmed_at IS NOT NULL)`);
  if (after !== undefined) conditions.push(sql`u.id > ${after[0]}`);
  const { rows } = await sql<ActorRow & Partial<UserColumns>>`WITH ${actorCtes(credential, 'read')}
    SELECT ${ACTOR_COLUMNS}, i.* FROM actor a LEFT JOIN LATERAL (
      SELECT ${USER_COLUMNS} FROM users u WHERE ${sql.join(conditions, sql` AND `)}
      ORDER BY u.id LIMIT ${pagination.pageSize + 1} OFFSET ${pagination.offset}) i ON true
    ORDER BY i.id`.execute(getDb());
  gate(rows[0], 'read');
  return toItems(
    rows.map((row) => ({ ...row, id: row.id ?? null })),
    pagination,
    (u) => presentAdminUser(u as UserColumns, at),
    (u) => SEARCH_CURSOR.encode([u.id]),
  );
}

/** How many of the newest sessions, events and admin actions the detail shows. */
const DETAIL_ROWS = 20;

/**
 * One user: the account, profile, proven mailbox, second factor, passkeys, live
 * sessions, recent audit events and admin actions, as JSON aggregates of ONE
 * statement. 404 for no such user.
 */
export async function userDetail(credential: AdminCredential, userId: number) {
  const clock = sessionClock();
  const { rows } = await sql<ActorRow & Partial<DetailColumns>>`WITH ${actorCtes(credential, 'read')}
    SELECT ${ACTOR_COLUMNS}, d.* FROM actor a LEFT JOIN LATERAL (
      SELECT ${USER_COLUMNS},
        json_build_object('bio', p.bio, 'location', p.location, 'birthday', p.birthday, 'gender', p.gender,
          'maritalStatus', p.marital_status) AS profile,
        (SELECT json_build_object('enabled', f.confirmed_at IS NOT NULL, 'createdAt', f.created_at, 'lockedAt', f.locked_at,
            'recoveryCodesLeft', (SELECT count(*) FROM recovery_codes r WHERE r.user_id = u.id))
          FROM totp_factors f WHERE f.user_id = u.id) AS totp,
        (SELECT coalesce(json_agg(json_build_object('id', k.id, 'name', k.name, 'createdAt', k.created_at, 'lastUsedAt', k.last_used_at,
            'kind', CASE WHEN k.backup_eligible THEN 'synced' ELSE 'device-bound' END) ORDER BY k.created_at, k.id), '[]')
          FROM passkeys k WHERE k.user_id = u.id) AS passkeys,
        (SELECT coalesce(json_agg(json_build_object('id', s.id, 'createdAt', s.created_at, 'lastSeenAt', s.last_seen_at,
            'expiresAt', s.expires_at, 'userAgent', s.user_agent, 'ip', s.ip, 'amr', s.amr) ORDER BY s.created_at DESC, s.id DESC), '[]')
          FROM (SELECT * FROM sessions WHERE user_id = u.id AND expires_at > ${clock.at}::timestamptz
            AND last_seen_at > ${clock.idleSince}::timestamptz ORDER BY created_at DESC, id DESC LIMIT ${DETAIL_ROWS}) s) AS sessions,
        (SELECT coalesce(json_agg(json_build_object('type', e.kind, 'reason', e.reason, 'createdAt', e.created_at, 'ip', e.ip,
            'userAgent', e.user_agent) ORDER BY e.created_at DESC, e.id DESC), '[]')
          FROM (SELECT * FROM security_events WHERE user_id = u.id ORDER BY created_at DESC, id DESC LIMIT ${DETAIL_ROWS}) e) AS events,
        (SELECT coalesce(json_agg(json_build_object('action', x.action, 'actor', x.actor_name, 'actorUserId', x.actor_user_id,
            'actorKeyId', x.actor_key_id, 'detail', x.detail, 'createdAt', x.created_at) ORDER BY x.created_at DESC, x.id DESC), '[]')
          FROM (SELECT * FROM admin_actions WHERE target_user_id = u.id ORDER BY created_at DESC, id DESC LIMIT ${DETAIL_ROWS}) x) AS admin_actions
      FROM users u JOIN user_profiles p ON p.user_id = u.id
      WHERE u.id = ${userId} AND EXISTS (SELECT FROM allowed)) d ON true`.execute(getDb());
  const row = rows[0];
  gate(row, 'read');
  if (row.id === undefined || row.id === null) throw new HttpError('not_found', 'No such user.');
  const d = row as DetailColumns;
  const iso = (t: string | null) => (t === null ? null : new Date(t).toISOString());
  return {
    user: presentAdminUser(d, clock.at),
    profile: d.profile,
    secondFactor:
      d.totp === null
        ? null
        : {
            enabled: d.totp.enabled,
            createdAt: iso(d.totp.createdAt),
            lockedAt: iso(d.totp.lockedAt),
            recoveryCodesLeft: d.totp.recoveryCodesLeft,
          },
    passkeys: d.passkeys.map((k) => ({ ...k, createdAt: iso(k.createdAt), lastUsedAt: iso(k.lastUsedAt) })),
    sessions: d.sessions.map((s) => ({
      ...s,
      createdAt: iso(s.createdAt),
      lastSeenAt: iso(s.lastSeenAt),
      expiresAt: iso(s.expiresAt),
      aal: assuranceLevel(s.amr),
    })),
    events: d.events.map((e) => ({ ...e, createdAt: iso(e.createdAt) })),
    adminActions: d.admin_actions.map((x) => ({ ...x, createdAt: iso(x.createdAt) })),
  };
}

interface DetailColumns extends UserColumns {
  profile: { bio: string | null; location: string | null; birthday: string | null; gender: string | null; maritalStatus: string | null };
  totp: { enabled: boolean; createdAt: string; lockedAt: string | null; recoveryCodesLeft: number } | null;
  /** At most MAX_PASSKEYS (10). */
  passkeys: { id: number; name: string; createdAt: string; lastUsedAt: string | null; kind: 'synced' | 'device-bound' }[];
  sessions: {
    id: number;
    createdAt: string;
    lastSeenAt: string;
    expiresAt: string;
    userAgent: string | null;
    ip: string | null;
    amr: AuthMethod[];
  }[];
  events: { type: string; reason: string | null; createdAt: string; ip: string | null; userAgent: string | null }[];
  admin_actions: {
    action: string;
    actor: string;
    actorUserId: number | null;
    actorKeyId: number | null;
    detail: string | null;
    createdAt: string;
  }[];
}

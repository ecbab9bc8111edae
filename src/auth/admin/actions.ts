// What an admin does to one account, each ONE statement: the actor and its
// right (actor.ts), the target row locked, the change, and two records that
// name it, in the target's audit trail and in the admin trail with the actor.
import { sql, type RawBuilder } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import { getDb } from '../../db/connection.ts';
import type { AdminAction, Role, SecurityEventKind } from '../../db/schema.ts';
import type { Client, Requester } from '../base/requester.ts';
import { deliverSecret, deliveryRoute } from '../codes/delivery.ts';
import { newToken } from '../codes/tokens.ts';
import { ACTOR_COLUMNS, actorCtes, agentOf, gate, ipOf, type ActorRow, type AdminCredential, type Need } from './actor.ts';

interface ActionSpec {
  need: Need;
  action: AdminAction;
  /** The target's own audit event; none where the account goes (its trail goes with it). */
  event?: SecurityEventKind;
  /** For the admin trail: the reason, the role, …. */
  detail?: string | null;
  /** CTEs on `target` (its id, locked); they must name `changed`: the rows whose change is recorded. */
  change: RawBuilder<unknown>;
  /** Further columns of the answer, from the CTEs. */
  result?: RawBuilder<unknown>;
  /** FOR UPDATE (a deletion) rather than FOR NO KEY UPDATE, which a login's FOR KEY SHARE read does not wait for. */
  deleting?: boolean;
  /** The actor may not do it to their own account (a role, a ban, a deletion): 403. */
  notSelf?: boolean;
}

type ActionRow = ActorRow & { target_id: number | null; self: boolean | null } & Record<string, unknown>;

/** Runs one admin action on `targetId`: 401/403 from the actor, 404 for no such account, 403 for one's own where refused. */
async function act(credential: AdminCredential, targetId: number, by: Requester, spec: ActionSpec): Promise<ActionRow> {
  const at = new Date();
  // The actor's own account is never changed: the target CTE finds no row, and the answer says why.
  const others = spec.notSelf ? sql`AND id IS DISTINCT FROM (SELECT user_id FROM allowed)` : sql``;
  const event =
    spec.event === undefined
      ? sql``
      : sql`, recorded AS (INSERT INTO security_events (user_id, kind, ip, user_agent, created_at)
          SELECT id, ${spec.event}, ${ipOf(by)}, ${agentOf(by)}, ${at}::timestamptz FROM changed)`;
  const { rows } = await sql<ActionRow>`WITH ${actorCtes(credential, spec.need)},
    target AS (SELECT id FROM users WHERE id = ${targetId} AND EXISTS (SELECT FROM allowed) ${others}
      ${spec.deleting ? sql`FOR UPDATE` : sql`FOR NO KEY UPDATE`}),
    ${spec.change} ${event},
    trail AS (INSERT INTO admin_actions (actor_user_id, actor_key_id, actor_name, action, target_user_id, detail, ip, user_agent, created_at)
      SELECT al.user_id, al.key_id, al.name, ${spec.action}, c.id, ${spec.detail ?? null}, ${ipOf(by)}, ${agentOf(by)}, ${at}::timestamptz
      FROM allowed al, (SELECT DISTINCT id FROM changed) c)
    SELECT ${ACTOR_COLUMNS}, (SELECT id FROM target) AS target_id, ${targetId} = a.user_id AS self ${spec.result ?? sql``}
    FROM actor a`.execute(getDb());
  const row = rows[0];
  gate(row, spec.need);
  if (spec.notSelf && row.self) throw new HttpError('forbidden', 'An admin may not do this to their own account.');
  if (row.target_id === null) throw new HttpError('not_found', 'No such user.');
  return row;
}

/**
 * Ban: every session ended and every open login challenge dropped at once;
 * every session check reads the ban too (sessions.ts, notBanned), so a
 * login racing the ban gets no session that outlives it. `until` null: until lifted.
 */
export async function banUser(credential: AdminCredential, targetId: number, ban: { reason: string; until: Date | null }, by: Requester) {
  const at = new Date();
  const row = await act(credential, targetId, by, {
    need: 'write',
    action: 'user_banned',
    event: 'account_banned',
    detail: ban.until === null ? ban.reason : `${ban.reason} (until ${ban.until.toISOString()})`,
    notSelf: true,
    change: sql`changed AS (UPDATE users SET banned_at = ${at}::timestamptz, banned_until = ${ban.until}::timestamptz,
        ban_reason = ${ban.reason} WHERE id IN (SELECT id FROM target) RETURNING id),
      ended AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM target) RETURNING id),
      challenges AS (DELETE FROM mfa_challenges WHERE user_id IN (SELECT id FROM target))`,
    result: sql`, (SELECT count(*) FROM ended)::int AS revoked`,
  });
  return { revokedSessions: row.revoked as number };
}

/** Lift a ban (recorded only when there was one). */
export async function unbanUser(credential: AdminCredential, targetId: number, by: Requester): Promise<void> {
  await act(credential, targetId, by, {
    need: 'write',
    action: 'user_unbanned',
    event: 'account_unbanned',
    change: sql`changed AS (UPDATE users SET banned_at = NULL, banned_until = NULL, ban_reason = NULL
      WHERE id IN (SELECT id FROM target) AND banned_at IS NOT NULL RETURNING id)`,
  });
}

/** End every session of the account. */
export async function endUserSessions(credential: AdminCredential, targetId: number, by: Requester) {
  const row = await act(credential, targetId, by, {
    need: 'write',
    action: 'sessions_ended',
    event: 'sessions_ended_by_admin',
    change: sql`ended AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM target) RETURNING id),
      changed AS (SELECT id FROM target)`,
    result: sql`, (SELECT count(*) FROM ended)::int AS revoked`,
  });
  return { revokedSessions: row.revoked as number };
}

/** Grant or revoke the admin role: an admin's session only (no key), never on their own account. */
export async function setRole(credential: AdminCredential, targetId: number, role: Role, by: Requester): Promise<void> {
  await act(credential, targetId, by, {
    need: 'account',
    action: role === 'admin' ? 'role_granted' : 'role_revoked',
    event: role === 'admin' ? 'role_granted' : 'role_revoked',
    notSelf: true,
    change: sql`changed AS (UPDATE users SET role = ${role} WHERE id IN (SELECT id FROM target) AND role <> ${role} RETURNING id)`,
  });
}

/**
 * Delete the account and its content, as DELETE /api/me does: its audit trail
 * goes with it but for the account_deleted row; the admin trail keeps the id.
 */
export async function deleteUser(credential: AdminCredential, targetId: number, by: Requester): Promise<void> {
  const at = new Date();
  await act(credential, targetId, by, {
    need: 'write',
    action: 'user_deleted',
    deleting: true,
    notSelf: true,
    change: sql`changed AS (DELETE FROM users WHERE id IN (SELECT id FROM target) RETURNING id),
      deleted AS (INSERT INTO security_events (deleted_user_id, kind, created_at)
        SELECT id, 'account_deleted', ${at}::timestamptz FROM changed)`,
  });
}

/**
 * Send the account a reset link, replacing its unused one. The token goes to
 * the mailbox only, never to the admin (who could otherwise take the
 * account); without a mail provider nothing is sent (`sent` false), as a
 * deploy without one answers 503 before anything is written.
 */
export async function sendPasswordReset(credential: AdminCredential, targetId: number, client: Client): Promise<{ sent: boolean }> {
  const route = deliveryRoute();
  const token = newToken('reset_password');
  const row = await act(credential, targetId, client, {
    need: 'write',
    action: 'reset_sent',
    event: 'reset_sent_by_admin',
    // The one live token per user and purpose (migration 0003): the new one takes the unused one's row.
    change: sql`issued AS (INSERT INTO one_time_tokens (user_id, purpose, token_hash, created_at, expires_at)
        SELECT id, ${token.purpose}, ${token.hash}, ${token.createdAt}::timestamptz, ${token.expiresAt}::timestamptz FROM target
        ON CONFLICT (user_id, purpose) WHERE used_at IS NULL DO UPDATE SET token_hash = excluded.token_hash,
          created_at = excluded.created_at, expires_at = excluded.expires_at, new_email = excluded.new_email
        RETURNING user_id),
      changed AS (SELECT user_id AS id FROM issued)`,
    result: sql`, (SELECT u.username FROM users u WHERE u.id = (SELECT id FROM target)) AS username,
      (SELECT u.email FROM users u WHERE u.id = (SELECT id FROM target)) AS email`,
  });
  if (route !== 'mail') return { sent: false };
  const to = { id: targetId, username: row.username as string, email: row.email as string };
  await deliverSecret({ to, token, appUrl: client.appUrl }, client.waitUntil);
  return { sent: true };
}

// Service keys for other backends: named, scoped (users:read, users:write),
// shown once, kept as the SHA-256 of the whole key beside its first
// characters, revocable, their last use recorded by the statement that uses
// them (actor.ts). Only an admin's session manages them: a key cannot make keys.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { cursorCodec, keyId } from '../../common/cursor.ts';
import { HttpError } from '../../common/errors.ts';
import { afterKey, toItems, type Page, type Pagination } from '../../common/pagination.ts';
import { getDb } from '../../db/connection.ts';
import type { ServiceScope } from '../../db/schema.ts';
import type { Requester } from '../base/requester.ts';
import {
  ACTOR_COLUMNS,
  actorCtes,
  agentOf,
  gate,
  ipOf,
  keyHash,
  SERVICE_KEY_PREFIX,
  type ActorRow,
  type AdminCredential,
} from './actor.ts';

/** Enough of a key to tell it apart in a list and in logs of the calling backend; the rest stays secret. */
const SHOWN_CHARACTERS = 12;

export interface ServiceKeyView {
  id: number;
  name: string;
  prefix: string;
  scopes: ServiceScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface KeyColumns {
  id: number;
  name: string;
  prefix: string;
  scopes: ServiceScope[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const present = (k: KeyColumns): ServiceKeyView => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  createdAt: k.created_at.toISOString(),
  lastUsedAt: k.last_used_at?.toISOString() ?? null,
  revokedAt: k.revoked_at?.toISOString() ?? null,
});

/** A new key, its secret answered this once: 1 statement with the admin trail. */
export async function createServiceKey(
  credential: AdminCredential,
  spec: { name: string; scopes: ServiceScope[] },
  by: Requester,
): Promise<{ key: ServiceKeyView; secret: string }> {
  const secret = `${SERVICE_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const at = new Date();
  const scopes = [...new Set(spec.scopes)].sort();
  const { rows } = await sql<ActorRow & Partial<KeyColumns>>`WITH ${actorCtes(credential, 'account')},
    made AS (INSERT INTO service_keys (name, prefix, key_hash, scopes, created_by, created_at)
      SELECT ${spec.name}, ${secret.slice(0, SHOWN_CHARACTERS)}, ${keyHash(secret)}, ${scopes}::text[], user_id, ${at}::timestamptz FROM allowed
      RETURNING id, name, prefix, scopes, created_at, last_used_at, revoked_at),
    trail AS (INSERT INTO admin_actions (actor_user_id, actor_key_id, actor_name, action, target_key_id, detail, ip, user_agent, created_at)
      SELECT al.user_id, al.key_id, al.name, 'service_key_created', m.id, m.name, ${ipOf(by)}, ${agentOf(by)}, ${at}::timestamptz
      FROM allowed al, made m)
    SELECT ${ACTOR_COLUMNS}, m.* FROM actor a LEFT JOIN made m ON true`.execute(getDb());
  gate(rows[0], 'account');
  return { key: present(rows[0] as unknown as KeyColumns), secret };
}

const KEYS_CURSOR = cursorCodec('service_keys', [keyId]);

/** Every key, revoked ones too, oldest first: 1 statement. */
export async function listServiceKeys(credential: AdminCredential, pagination: Pagination): Promise<Omit<Page<ServiceKeyView>, 'total'>> {
  const after = afterKey(KEYS_CURSOR, pagination);
  const { rows } = await sql<ActorRow & Partial<KeyColumns>>`WITH ${actorCtes(credential, 'account')}
    SELECT ${ACTOR_COLUMNS}, i.* FROM actor a LEFT JOIN LATERAL (
      SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at FROM service_keys
      WHERE EXISTS (SELECT FROM allowed) ${after === undefined ? sql`` : sql`AND id > ${after[0]}`}
      ORDER BY id LIMIT ${pagination.pageSize + 1} OFFSET ${pagination.offset}) i ON true
    ORDER BY i.id`.execute(getDb());
  gate(rows[0], 'account');
  return toItems(
    rows.map((row) => ({ ...row, id: row.id ?? null })),
    pagination,
    (k) => present(k as KeyColumns),
    (k) => KEYS_CURSOR.encode([k.id]),
  );
}

/**
 * Revoke a key: 1 statement. A request using it at the same moment either
 * committed its use first or finds it revoked (the row lock orders them); no
 * request after this one's answer gets through. 404 for no such key.
 */
export async function revokeServiceKey(credential: AdminCredential, id: number, by: Requester): Promise<void> {
  const at = new Date();
  const { rows } = await sql<ActorRow & { found: boolean }>`WITH ${actorCtes(credential, 'account')},
    target AS (SELECT id FROM service_keys WHERE id = ${id} AND EXISTS (SELECT FROM allowed) FOR UPDATE),
    revoked AS (UPDATE service_keys SET revoked_at = ${at}::timestamptz
      WHERE id IN (SELECT id FROM target) AND revoked_at IS NULL RETURNING id, name),
    trail AS (INSERT INTO admin_actions (actor_user_id, actor_key_id, actor_name, action, target_key_id, detail, ip, user_agent, created_at)
      SELECT al.user_id, al.key_id, al.name, 'service_key_revoked', r.id, r.name, ${ipOf(by)}, ${agentOf(by)}, ${at}::timestamptz
      FROM allowed al, revoked r)
    SELECT ${ACTOR_COLUMNS}, EXISTS (SELECT FROM target) AS found FROM actor a`.execute(getDb());
  gate(rows[0], 'account');
  if (!rows[0].found) throw new HttpError('not_found', 'No such service key.');
}

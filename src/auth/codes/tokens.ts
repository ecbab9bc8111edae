// Confirmation codes, reset tokens and e-mail change codes: 32 random bytes,
// base64url (43 characters). Only their SHA-256 is stored, so a database leak
// yields no usable token; each is single-use and short-lived.
import { sql, type OnConflictBuilder } from 'kysely';
import { createHash, randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { HttpError } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { Database, SecurityEventKind, TokenPurpose } from '../../db/schema.ts';
import type { Requester } from '../base/requester.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';

export const TOKEN_TTL_MS: Readonly<Record<TokenPurpose, number>> = {
  confirm_email: 10 * 60_000,
  reset_password: 30 * 60_000,
  change_email: 10 * 60_000,
};

const SECRET_BYTES = 32;

export const secretSchema = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9_-]{43}$/, 'must be a 43-character code of letters, digits, - and _'),
);

export interface NewToken {
  purpose: TokenPurpose;
  /** Handed to the user once, never stored. */
  secret: string;
  hash: Buffer;
  createdAt: Date;
  expiresAt: Date;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function newToken(purpose: TokenPurpose): NewToken {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  const createdAt = now();
  return { purpose, secret, hash: hashSecret(secret), createdAt, expiresAt: new Date(createdAt.getTime() + TOKEN_TTL_MS[purpose]) };
}

export const unknownToken = () => new HttpError('not_found', 'This code is unknown or has already been used.');
export const tokenExpired = () => new HttpError('code_expired');

export const TOKEN_COLUMNS = ['user_id', 'purpose', 'token_hash', 'created_at', 'expires_at'] as const;

/**
 * The values of a token row after its `user_id`, for an INSERT … SELECT.
 * Typed casts: parameters in a SELECT list would otherwise be taken as text.
 */
export function tokenValues(token: NewToken) {
  return [
    sql<TokenPurpose>`${token.purpose}::text`.as('purpose'),
    sql<Buffer>`${token.hash}::bytea`.as('token_hash'),
    sql<Date>`${token.createdAt}::timestamptz`.as('created_at'),
    sql<Date>`${token.expiresAt}::timestamptz`.as('expires_at'),
  ];
}

/**
 * The ON CONFLICT of a code's INSERT: a unique index keeps one live code per
 * user and purpose (migration 0003), so the new one takes the unused one's
 * row; with `keptAfter`, only one issued at or before that moment.
 */
export function replacingLiveToken(keptAfter?: Date) {
  return (oc: OnConflictBuilder<Database, 'one_time_tokens'>) => {
    const replace = oc
      .columns(['user_id', 'purpose'])
      .where('used_at', 'is', null)
      .doUpdateSet((eb) => ({
        token_hash: eb.ref('excluded.token_hash'),
        created_at: eb.ref('excluded.created_at'),
        expires_at: eb.ref('excluded.expires_at'),
        new_email: eb.ref('excluded.new_email'),
      }));
    return keptAfter === undefined ? replace : replace.where('one_time_tokens.created_at', '<=', keptAfter);
  };
}

export interface TokenHolder {
  id: number;
  username: string;
  email: string;
}

/**
 * For the user with this e-mail (and, with `unprovenOnly`, whose address
 * is not proven yet): a new token of this purpose, replacing their unused one, in 1
 * statement. A unique index keeps one live token per user and purpose, so the
 * replacement holds even when two requests issue at the same moment. With
 * `keepYoungerThanMs`, a live token issued less than that long ago is kept
 * and no new one made (`token` undefined): requests by anyone cannot keep
 * replacing the token the owner is about to use. `record` adds the account's
 * security event to the same statement, when a token is issued. Undefined
 * when no such user exists.
 */
export async function issueTokenByEmail(
  purpose: TokenPurpose,
  email: string,
  options: { unprovenOnly?: boolean; keepYoungerThanMs?: number; record?: { kind: SecurityEventKind; by: Requester } } = {},
): Promise<{ user: TokenHolder; token: NewToken | undefined } | undefined> {
  const { record } = options;
  const token = newToken(purpose);
  const keptAfter = options.keepYoungerThanMs === undefined ? undefined : new Date(token.createdAt.getTime() - options.keepYoungerThanMs);
  const row = await getDb()
    .with('holder', (qb) =>
      qb
        .selectFrom('users')
        .select(['id', 'username', 'email'])
        .where('email', '=', email.toLowerCase())
        .$if(options.unprovenOnly === true, (q) => q.where('email_verified_at', 'is', null)),
    )
    .with('issued', (qb) =>
      qb
        .insertInto('one_time_tokens')
        .columns([...TOKEN_COLUMNS])
        .expression((eb) => eb.selectFrom('holder').select(['id', ...tokenValues(token)]))
        .onConflict(replacingLiveToken(keptAfter))
        .returning('user_id'),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) =>
          eb
            .selectFrom('issued')
            .select(['user_id', ...eventValues(record?.kind ?? 'reset_requested', record?.by ?? { ip: '' }, token.createdAt)])
            // One statement text for both uses: without `record` it inserts nothing.
            .where(sql<boolean>`${record !== undefined}::boolean`),
        ),
    )
    .selectFrom('holder')
    .selectAll()
    .select(sql<boolean>`EXISTS (SELECT 1 FROM issued)`.as('issued'))
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const { issued, ...user } = row;
  return { user, token: issued ? token : undefined };
}

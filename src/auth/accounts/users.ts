// Creating and finding user rows. Every user is created with an empty profile
// row in the same statement, so no user ever lacks one.
// The classic service's core operations (addUser, findUserBy, updateUser,
// hashPassword, registerUser, checkLogin, createSession, findSessionUser,
// destroySession, issueResetToken, updatePasswordWithResetToken) are the
// seed's required public API: they stay, each tested, even where no route calls them.
import { sql, type Kysely } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import { uniqueViolation } from '../../db/errors.ts';
import type { Database, UserRow } from '../../db/schema.ts';

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
  confirmedAt?: Date | null;
  /** When the address was proven (a test fixture standing for a code-confirmed account); null for a new account. */
  emailVerifiedAt?: Date | null;
}

/**
 * The CTEs that insert a user (`new_user`) and their empty profile; a caller
 * may add statements of its own and selects from `new_user`. Run it through
 * mapDuplicates.
 *
 * `replacingUnconfirmed`: an account with this address that was never
 * confirmed is deleted first (`replaced`; its code and profile go by
 * cascade), so the address's new registration takes it over; a confirmed one
 * stays and the INSERT meets its address (409). The INSERT reads `replaced`
 * to the end before it writes, so the DELETE has happened when the unique
 * index is checked (a row this statement deleted is no conflict).
 */
export function withNewUser(input: NewUser, db: Kysely<Database> = getDb(), { replacingUnconfirmed = false } = {}) {
  const email = input.email.toLowerCase();
  const row = {
    username: input.username.toLowerCase(),
    email,
    password_hash: input.passwordHash,
    confirmed_at: input.confirmedAt ?? null,
    email_verified_at: input.emailVerifiedAt ?? null,
  };
  // The CTE is added to `db`'s type as a table nothing else names.
  const from = replacingUnconfirmed
    ? (db
        // The codes first, then the account: the order the confirmation's statement takes them. Left
        // to the DELETE's cascade, a code would be taken after the account, and a confirmation
        // holding it would deadlock with this statement.
        .with('codes_first', (qb) =>
          qb
            .selectFrom('one_time_tokens')
            .select('user_id')
            .where('user_id', 'in', (eb) =>
              eb.selectFrom('users').select('id').where('email', '=', email).where('confirmed_at', 'is', null),
            )
            .forUpdate(),
        )
        .with('replaced', (qb) =>
          qb
            .deleteFrom('users')
            .where('email', '=', email)
            .where('confirmed_at', 'is', null)
            .where(sql<boolean>`(SELECT count(*) FROM codes_first) >= 0`)
            .returning('id'),
        ) as unknown as Kysely<Database>)
    : db;
  return from
    .with('new_user', (qb) => {
      const insert = qb.insertInto('users');
      return (
        replacingUnconfirmed
          ? insert.columns(['username', 'email', 'password_hash', 'confirmed_at', 'email_verified_at']).expression(
              sql`SELECT ${row.username}::text, ${row.email}::text, ${row.password_hash}::text, ${row.confirmed_at}::timestamptz,
                  ${row.email_verified_at}::timestamptz FROM (SELECT count(*) FROM replaced) AS r`,
            )
          : insert.values(row)
      ).returningAll();
    })
    .with('new_profile', (qb) =>
      qb
        .insertInto('user_profiles')
        .columns(['user_id'])
        .expression((eb) => eb.selectFrom('new_user').select('id')),
    );
}

/** Runs a statement that writes a username or e-mail; duplicates become 409 username_taken / email_taken. */
export async function mapDuplicates<T>(statement: () => Promise<T>): Promise<T> {
  try {
    return await statement();
  } catch (error) {
    const constraint = uniqueViolation(error);
    if (constraint === 'users_username_key') throw new HttpError('username_taken');
    if (constraint === 'users_email_key') throw new HttpError('email_taken');
    throw error;
  }
}

/** Insert a user and their empty profile: 1 statement. Duplicates -> 409 username_taken / email_taken. */
export async function addUser(input: NewUser, db: Kysely<Database> = getDb()): Promise<UserRow> {
  return mapDuplicates(() => withNewUser(input, db).selectFrom('new_user').selectAll().executeTakeFirstOrThrow());
}

/** A programming error: a lookup or update named a column that is not allowed. */
export class UnknownFieldError extends Error {
  override name = 'UnknownFieldError';
}

const LOOKUP_FIELDS = ['id', 'username', 'email', 'confirmed_at', 'created_at', 'updated_at'] as const;
const UPDATABLE_FIELDS = ['username', 'email', 'password_hash', 'confirmed_at'] as const;

export type UserLookup = Partial<Pick<UserRow, (typeof LOOKUP_FIELDS)[number]>>;
export type UserChanges = Partial<Pick<UserRow, (typeof UPDATABLE_FIELDS)[number]>>;

function checkFields(fields: object, allowed: readonly string[], what: string): void {
  const keys = Object.keys(fields);
  if (keys.length === 0) throw new UnknownFieldError(`${what}: give at least one of ${allowed.join(', ')}`);
  const unknown = keys.filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new UnknownFieldError(`${what}: unknown field(s) ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
}

/** Usernames and e-mails are stored lower-case, so they are compared and written that way. */
function normalized<T extends object>(fields: T): T {
  const out = { ...fields } as Record<string, unknown>;
  for (const key of ['username', 'email']) if (typeof out[key] === 'string') out[key] = (out[key] as string).toLowerCase();
  return out as T;
}

/**
 * The one user matching every given field (`{email}`, `{username}`, `{id}`…): 1 statement.
 * An unknown field throws UnknownFieldError; no match is 404 not_found.
 */
export async function findUserBy(fields: UserLookup): Promise<UserRow> {
  checkFields(fields, LOOKUP_FIELDS, 'findUserBy');
  const where = normalized(fields);
  const user = await getDb()
    .selectFrom('users')
    .selectAll()
    .where((eb) =>
      eb.and(Object.entries(where).map(([column, value]) => eb(column as keyof UserLookup, value === null ? 'is' : '=', value as never))),
    )
    .executeTakeFirst();
  if (user === undefined) throw new HttpError('not_found', 'No user matches.');
  return user;
}

/**
 * Change some columns of a user: 1 statement. An unknown attribute throws
 * UnknownFieldError; no such user is 404; a duplicate is 409.
 */
export async function updateUser(id: number, changes: UserChanges): Promise<UserRow> {
  checkFields(changes, UPDATABLE_FIELDS, 'updateUser');
  const user = await mapDuplicates(() =>
    getDb()
      .updateTable('users')
      .set({ ...normalized(changes), updated_at: now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst(),
  );
  if (user === undefined) throw new HttpError('not_found', 'No such user.');
  return user;
}

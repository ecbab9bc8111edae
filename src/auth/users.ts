// Creating and finding user rows. Every user is created with an empty profile
// row in the same statement, so no user ever lacks one.
import type { Kysely } from 'kysely';
import { getDb } from '../db/connection.ts';
import { uniqueViolation } from '../db/errors.ts';
import type { Database, UserRow } from '../db/schema.ts';
import { HttpError } from '../http/errors.ts';

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
  confirmedAt?: Date | null;
}

export const usernameTaken = () => new HttpError(409, 'username_taken', 'That username is already taken.');
export const emailTaken = () => new HttpError(409, 'email_taken', 'An account with that e-mail already exists.');

/** Insert a user and their empty profile: 1 statement. Duplicates -> 409 username_taken / email_taken. */
export async function addUser(input: NewUser, db: Kysely<Database> = getDb()): Promise<UserRow> {
  try {
    return await db
      .with('new_user', (qb) =>
        qb
          .insertInto('users')
          .values({
            username: input.username.toLowerCase(),
            email: input.email.toLowerCase(),
            password_hash: input.passwordHash,
            confirmed_at: input.confirmedAt ?? null,
          })
          .returningAll(),
      )
      .with('new_profile', (qb) =>
        qb.insertInto('user_profiles').columns(['user_id']).expression((eb) => eb.selectFrom('new_user').select('id')),
      )
      .selectFrom('new_user')
      .selectAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    const constraint = uniqueViolation(error);
    if (constraint === 'users_username_key') throw usernameTaken();
    if (constraint === 'users_email_key') throw emailTaken();
    throw error;
  }
}

// The public list of users (GET /api/users), ordered by username: unique, so
// the order is total and stable, and it is the order a reader scans a directory in.
import { sql } from 'kysely';
import * as v from 'valibot';
import { getDb } from '../db/connection.ts';
import { afterKey, pageWindow, toPage, type Page } from '../db/paging.ts';
import type { Pagination } from '../http/params.ts';
import { cursorCodec } from '../shared/cursor.ts';
import { authorRef, type AuthorRef } from './present.ts';
import { USERNAME_PATTERN } from './username.ts';

export interface DirectoryEntry extends AuthorRef {
  createdAt: string;
}

/** The order of the list and of its index users_username_key. */
const USERS_CURSOR = cursorCodec('users', [v.pipe(v.string(), v.regex(USERNAME_PATTERN))]);

/** 1 statement whatever the page, its total from list_totals (see db/paging.ts). */
export async function listUsers(pagination: Pagination): Promise<Page<DirectoryEntry>> {
  const after = afterKey(USERS_CURSOR, pagination);
  const rows = await getDb()
    .selectFrom('list_totals as t')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom((keys) =>
            keys
              .selectFrom('users')
              .select('username')
              .$if(after !== undefined, (qb) => qb.where('username', '>', after![0]))
              .orderBy('username')
              .$call(pageWindow(pagination, sql`t.total`))
              .as('k'),
          )
          .innerJoin('users as u', 'u.username', 'k.username')
          .select(['u.id', 'u.username', 'u.created_at'])
          .as('i'),
      (join) => join.onTrue(),
    )
    .select('t.total')
    .selectAll('i')
    .where('t.list', '=', 'users')
    // The outer query must repeat the order: a join does not promise to keep it.
    .orderBy('i.username')
    .execute();
  return toPage(
    rows,
    pagination,
    (user) => ({ ...authorRef(user.id, user.username), createdAt: user.created_at.toISOString() }),
    (user) => USERS_CURSOR.encode([user.username]),
  );
}

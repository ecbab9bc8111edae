// The public list of users (GET /api/users), ordered by username: unique, so
// the order is total and stable, and it is the order a reader scans a directory in.
// Confirmed accounts only: listing the others would reveal sign-up attempts.
import * as v from 'valibot';
import { cursorCodec } from '../common/cursor.ts';
import { afterKey, toPage, type Page, type Pagination } from '../common/pagination.ts';
import { getDb } from '../db/connection.ts';
import { outerTotal, pageWindow, selectPageWithTotal } from '../db/page-query.ts';
import { authorRef, type AuthorRef } from './present.ts';

export interface DirectoryEntry extends AuthorRef {
  createdAt: string;
}

/**
 * The order of the list and of its index users_confirmed_username_idx
 * (usernames of confirmed accounts, migration 0012). The key is a
 * username as stored (usernameSchema's output: lower case), taken as is: a
 * cursor changed to another spelling is refused, not folded.
 */
const USERS_CURSOR = cursorCodec('users', [v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{2,31}$/))]);

/** 1 statement whatever the page, its total from list_totals' confirmed_users (see db/page-query.ts). */
export async function listUsers(pagination: Pagination): Promise<Page<DirectoryEntry>> {
  const after = afterKey(USERS_CURSOR, pagination);
  const db = getDb();
  const rows = await selectPageWithTotal(
    db.selectFrom('list_totals').select('total').where('list', '=', 'confirmed_users').as('t'),
    db
      .selectFrom((keys) =>
        keys
          .selectFrom('users')
          .select('username')
          .where('confirmed_at', 'is not', null)
          .$if(after !== undefined, (qb) => qb.where('username', '>', after![0]))
          .orderBy('username')
          .$call(pageWindow(pagination, outerTotal))
          .as('k'),
      )
      .innerJoin('users as u', 'u.username', 'k.username')
      .select(['u.id', 'u.username', 'u.created_at'])
      .as('i'),
    [['username', 'asc']],
  );
  return toPage(
    rows,
    pagination,
    (user) => ({ ...authorRef(user.id, user.username), createdAt: user.created_at.toISOString() }),
    (user) => USERS_CURSOR.encode([user.username]),
  );
}

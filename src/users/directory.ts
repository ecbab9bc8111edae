// The public list of users (GET /api/users), ordered by username: unique, so
// the order is total and stable, and it is the order a reader scans a directory in.
// Confirmed accounts only: listing the others would reveal sign-up attempts.
import { toPage, type Page, type Pagination } from '../common/pagination.ts';
import { getDb } from '../db/connection.ts';
import { selectPageWithTotal } from '../db/page-query.ts';
import { authorRef, type AuthorRef } from './present.ts';

export interface DirectoryEntry extends AuthorRef {
  createdAt: string;
}

/** 1 statement whatever the page size (see common/pagination.ts). */
export async function listUsers(pagination: Pagination): Promise<Page<DirectoryEntry>> {
  const db = getDb();
  const rows = await selectPageWithTotal(
    db.selectFrom('users').where('confirmed_at', 'is not', null).select((e) => e.fn.countAll<number>().as('total')).as('t'),
    db
      .selectFrom('users')
      .where('confirmed_at', 'is not', null)
      .select(['id', 'username', 'created_at'])
      .orderBy('username').limit(pagination.pageSize).offset(pagination.offset).as('i'),
    [['username', 'asc']],
  );
  return toPage(rows, pagination, (user) => ({ ...authorRef(user.id, user.username), createdAt: user.created_at.toISOString() }));
}

// Comments: on a post, listed oldest first, deleted by their author or by the
// post's author.
import { HttpError } from '../common/errors.ts';
import { toPage, type Page, type Pagination } from '../common/pagination.ts';
import { now } from '../config/clock.ts';
import { getDb } from '../db/connection.ts';
import { foreignKeyViolation } from '../db/errors.ts';
import { selectPageWithTotal } from '../db/page-query.ts';
import type { Author } from '../users/present.ts';
import { changedRow } from './ownership.ts';
import { presentComment, type CommentView } from './present.ts';
import type { NewComment } from './rules.ts';

const noSuchPost = () => new HttpError('not_found', 'No such post.');

/**
 * Oldest first, ties by id: 1 statement whatever the page size, which also
 * tells a missing post (no row at all: 404) from one without comments.
 */
export async function listComments(postId: number, pagination: Pagination): Promise<Page<CommentView>> {
  const db = getDb();
  const rows = await selectPageWithTotal(
    // Grouped by the post: no row at all when it does not exist.
    db
      .selectFrom('posts as p')
      .leftJoin('comments as c', 'c.post_id', 'p.id')
      .select((e) => e.fn.count<number>('c.id').as('total'))
      .where('p.id', '=', postId)
      .groupBy('p.id')
      .as('t'),
    db
      .selectFrom('comments as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select(['c.id', 'c.post_id', 'c.body', 'c.created_at', 'u.id as author_id', 'u.username as author_username'])
      .where('c.post_id', '=', postId)
      .orderBy('c.created_at', 'asc')
      .orderBy('c.id', 'asc')
      .limit(pagination.pageSize)
      .offset(pagination.offset)
      .as('i'),
    [
      ['created_at', 'asc'],
      ['id', 'asc'],
    ],
  );
  if (rows.length === 0) throw noSuchPost();
  return toPage(rows, pagination, presentComment);
}

/** 1 statement: inserts only if the post exists (404 otherwise). */
export async function addComment(author: Author, postId: number, input: NewComment): Promise<CommentView> {
  try {
    const row = await getDb()
      .insertInto('comments')
      .columns(['post_id', 'user_id', 'body', 'created_at'])
      .expression((eb) =>
        eb
          .selectFrom('posts')
          .select((e) => [
            'id',
            e.val(author.id).as('user_id'),
            e.val(input.body).as('body'),
            e.val(now()).as('created_at'),
          ])
          .where('id', '=', postId),
      )
      .returning(['id', 'post_id', 'body', 'created_at'])
      .executeTakeFirst();
    if (row === undefined) throw noSuchPost();
    return presentComment({ ...row, author_id: author.id, author_username: author.username });
  } catch (error) {
    // The post was deleted between the SELECT and the foreign-key check.
    if (foreignKeyViolation(error) === 'comments_post_id_fkey') throw noSuchPost();
    throw error;
  }
}

/** 1 statement: the comment's author or the post's author may delete it. */
export async function deleteComment(caller: Author, id: number): Promise<void> {
  const row = await getDb()
    .with('target', (qb) =>
      qb
        .selectFrom('comments as c')
        .innerJoin('posts as p', 'p.id', 'c.post_id')
        .select((eb) => eb.or([eb('c.user_id', '=', caller.id), eb('p.user_id', '=', caller.id)]).as('allowed'))
        .where('c.id', '=', id),
    )
    .with('changed', (qb) =>
      qb
        .deleteFrom('comments')
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb('user_id', '=', caller.id),
            eb('post_id', 'in', eb.selectFrom('posts').select('id').where('user_id', '=', caller.id)),
          ]),
        )
        .returning('id'),
    )
    .selectFrom('target')
    .leftJoin('changed', (join) => join.onTrue())
    .select((eb) => ['target.allowed', eb('changed.id', 'is not', null).as('changed')])
    .executeTakeFirst();
  changedRow(row, 'comment', 'Only the author of the comment or of its post may delete it.');
}

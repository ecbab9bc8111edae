// Comments: on a post, listed oldest first, deleted by their author or by the
// post's author.
import { sql } from 'kysely';
import { cursorCodec, keyId, keyMicros, microsToIso } from '../common/cursor.ts';
import { HttpError, validationFailed } from '../common/errors.ts';
import { afterKey, toPage, type Page, type Pagination } from '../common/pagination.ts';
import { now } from '../config/clock.ts';
import { getDb } from '../db/connection.ts';
import { foreignKeyViolation } from '../db/errors.ts';
import { byCreatedAt, micros, outerTotal, pageWindow, selectPageWithTotal } from '../db/page-query.ts';
import type { Author } from '../users/present.ts';
import { changedRow } from './ownership.ts';
import { presentComment, type CommentView } from './present.ts';
import type { NewComment } from './rules.ts';

const noSuchPost = () => new HttpError('not_found', 'No such post.');

/**
 * The order of the list and of its index comments_post_id_created_at_id_idx:
 * oldest first, ties by id. A cursor names its post and serves no other.
 */
const COMMENTS_CURSOR = cursorCodec('comments', [keyId, keyMicros, keyId]);

/**
 * 1 statement whatever the page, its total from post_comment_totals (see
 * db/page-query.ts); no row at all tells a missing post (404) from one without comments.
 */
export async function listComments(postId: number, pagination: Pagination): Promise<Page<CommentView>> {
  const after = afterKey(COMMENTS_CURSOR, pagination);
  if (after !== undefined && after[0] !== postId) {
    throw validationFailed({ cursor: ['belongs to the comments of another post'] });
  }
  const db = getDb();
  const rows = await selectPageWithTotal(
    // A post without comments has no counter row: 0. No post, no row at all.
    db
      .selectFrom('posts as p')
      .leftJoin('post_comment_totals as c', 'c.post_id', 'p.id')
      .select(sql<number>`coalesce(c.total, 0)`.as('total'))
      .where('p.id', '=', postId)
      .as('t'),
    db
      .selectFrom((keys) =>
        keys
          .selectFrom('comments')
          .select(['id', 'created_at'])
          .where('post_id', '=', postId)
          .$call(byCreatedAt('asc', after && [microsToIso(after[1]), after[2]]))
          .$call(pageWindow(pagination, outerTotal))
          .as('k'),
      )
      .innerJoin('comments as c', 'c.id', 'k.id')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select([
        'c.id',
        'c.post_id',
        'c.body',
        'c.created_at',
        'u.id as author_id',
        'u.username as author_username',
        micros('c.created_at').as('created_micros'),
      ])
      .as('i'),
    [
      ['created_at', 'asc'],
      ['id', 'asc'],
    ],
  );
  if (rows.length === 0) throw noSuchPost();
  return toPage(rows, pagination, presentComment, (c) => COMMENTS_CURSOR.encode([postId, c.created_micros, c.id]));
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
          .select((e) => ['id', e.val(author.id).as('user_id'), e.val(input.body).as('body'), e.val(now()).as('created_at')])
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
          eb.or([eb('user_id', '=', caller.id), eb('post_id', 'in', eb.selectFrom('posts').select('id').where('user_id', '=', caller.id))]),
        )
        .returning('id'),
    )
    .selectFrom('target')
    .leftJoin('changed', (join) => join.onTrue())
    .select((eb) => ['target.allowed', eb('changed.id', 'is not', null).as('changed')])
    .executeTakeFirst();
  changedRow(row, 'comment', 'Only the author of the comment or of its post may delete it.');
}

// Posts: user-owned, listed newest first, changed only by their author.
import type { Kysely } from 'kysely';
import { cursorCodec, keyId, keyMicros, microsToIso } from '../common/cursor.ts';
import { HttpError } from '../common/errors.ts';
import { afterKey, toPage, type Page, type Pagination } from '../common/pagination.ts';
import { now } from '../config/clock.ts';
import { getDb } from '../db/connection.ts';
import { byCreatedAt, micros, outerTotal, pageWindow, selectPageWithTotal } from '../db/page-query.ts';
import type { Database } from '../db/schema.ts';
import type { Author } from '../users/present.ts';
import { changedRow } from './ownership.ts';
import { presentPost, type PostView } from './present.ts';
import type { NewPost, PostPatch } from './rules.ts';

const POST_COLUMNS = ['id', 'title', 'body', 'created_at', 'updated_at'] as const;

const POST_WITH_AUTHOR = [
  'p.id',
  'p.title',
  'p.body',
  'p.created_at',
  'p.updated_at',
  'u.id as author_id',
  'u.username as author_username',
] as const;

/** Posts joined to their authors (`p`, `u`), with the columns presentPost reads. */
function postsWithAuthors(db: Kysely<Database>) {
  return db.selectFrom('posts as p').innerJoin('users as u', 'u.id', 'p.user_id').select(POST_WITH_AUTHOR);
}

/** The order of the list and of its index posts_created_at_id_idx: newest first, ties by id. */
const POSTS_CURSOR = cursorCodec('posts', [keyMicros, keyId]);

/** 1 statement whatever the page, its total from list_totals (see db/page-query.ts). */
export async function listPosts(pagination: Pagination): Promise<Page<PostView>> {
  const after = afterKey(POSTS_CURSOR, pagination);
  const db = getDb();
  const rows = await selectPageWithTotal(
    db.selectFrom('list_totals').select('total').where('list', '=', 'posts').as('t'),
    db
      .selectFrom((keys) =>
        keys
          .selectFrom('posts')
          .select(['id', 'created_at'])
          .$call(byCreatedAt('desc', after && [microsToIso(after[0]), after[1]]))
          .$call(pageWindow(pagination, outerTotal))
          .as('k'),
      )
      .innerJoin('posts as p', 'p.id', 'k.id')
      .innerJoin('users as u', 'u.id', 'p.user_id')
      .select([...POST_WITH_AUTHOR, micros('p.created_at').as('created_micros')])
      .as('i'),
    [
      ['created_at', 'desc'],
      ['id', 'desc'],
    ],
  );
  return toPage(rows, pagination, presentPost, (post) => POSTS_CURSOR.encode([post.created_micros, post.id]));
}

/** 1 statement; 404 when missing. */
export async function getPost(id: number): Promise<PostView> {
  const row = await postsWithAuthors(getDb()).where('p.id', '=', id).executeTakeFirst();
  if (row === undefined) throw new HttpError('not_found', 'No such post.');
  return presentPost(row);
}

/** 1 statement. */
export async function createPost(author: Author, input: NewPost): Promise<PostView> {
  const at = now();
  const row = await getDb()
    .insertInto('posts')
    .values({ user_id: author.id, title: input.title, body: input.body, created_at: at, updated_at: at })
    .returning(POST_COLUMNS)
    .executeTakeFirstOrThrow();
  return presentPost({ ...row, author_id: author.id, author_username: author.username });
}

const NOT_THE_AUTHOR = 'Only the author of a post may change it.';

/**
 * Checks authorship and applies the change in 1 statement (see ownership.ts).
 * `{}` changes nothing (updated_at included) but is still refused to others.
 */
export async function updatePost(author: Author, id: number, patch: PostPatch): Promise<PostView> {
  const changes = { ...(patch.title !== undefined && { title: patch.title }), ...(patch.body !== undefined && { body: patch.body }) };
  const row = await getDb()
    .with('target', (qb) => qb.selectFrom('posts').select('user_id').where('id', '=', id))
    .with('changed', (qb) =>
      Object.keys(changes).length === 0
        ? qb.selectFrom('posts').select(POST_COLUMNS).where('id', '=', id).where('user_id', '=', author.id)
        : qb
            .updateTable('posts')
            .set({ ...changes, updated_at: now() })
            .where('id', '=', id)
            .where('user_id', '=', author.id)
            .returning(POST_COLUMNS),
    )
    .selectFrom('target')
    .leftJoin('changed', (join) => join.onTrue())
    .select((eb) => [
      eb('target.user_id', '=', author.id).as('allowed'),
      eb('changed.id', 'is not', null).as('changed'),
      ...POST_COLUMNS.map((column) => `changed.${column}` as const),
    ])
    .executeTakeFirst();
  const post = changedRow(row, 'post', NOT_THE_AUTHOR);
  return presentPost({ ...post, author_id: author.id, author_username: author.username });
}

/** 1 statement; the post's comments go with it (ON DELETE CASCADE). */
export async function deletePost(author: Author, id: number): Promise<void> {
  const row = await getDb()
    .with('target', (qb) => qb.selectFrom('posts').select('user_id').where('id', '=', id))
    .with('changed', (qb) => qb.deleteFrom('posts').where('id', '=', id).where('user_id', '=', author.id).returning('id'))
    .selectFrom('target')
    .leftJoin('changed', (join) => join.onTrue())
    .select((eb) => [eb('target.user_id', '=', author.id).as('allowed'), eb('changed.id', 'is not', null).as('changed')])
    .executeTakeFirst();
  changedRow(row, 'post', NOT_THE_AUTHOR);
}

// A user's public page (GET /api/users/{username}): user without e-mail,
// profile, and how many posts and comments they wrote.
import type { ExpressionBuilder, NotNull } from 'kysely';
import { HttpError } from '../common/errors.ts';
import { getDb } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { presentProfile, presentUser, type ProfileView, type UserView } from './present.ts';

export interface PublicProfile {
  user: UserView;
  profile: ProfileView;
  stats: { posts: number; comments: number };
}

/** How many rows of `table` user `u` wrote (served by the table's user_id index). */
function written(eb: ExpressionBuilder<Database & { u: Database['users'] }, 'u'>, table: 'posts' | 'comments') {
  return eb
    .selectFrom(table)
    .select((e) => e.fn.countAll<number>().as('n'))
    .whereRef(`${table}.user_id`, '=', 'u.id');
}

/** 1 statement, counts included. `username` is already lower-case (the path parameter's schema). */
export async function getPublicProfile(username: string): Promise<PublicProfile> {
  const row = await getDb()
    .selectFrom('users as u')
    .innerJoin('user_profiles as p', 'p.user_id', 'u.id')
    .select((eb) => [
      'u.id',
      'u.username',
      'u.confirmed_at',
      'u.created_at',
      'p.bio',
      'p.location',
      'p.birthday',
      'p.gender',
      'p.marital_status',
      written(eb, 'posts').as('posts'),
      written(eb, 'comments').as('comments'),
    ])
    .where('u.username', '=', username)
    .$narrowType<{ posts: NotNull; comments: NotNull }>() // a count subquery is never null
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('not_found', 'No such user.');
  return {
    user: presentUser(row, { withEmail: false }),
    profile: presentProfile(row),
    stats: { posts: row.posts, comments: row.comments },
  };
}

// How posts and comments appear in responses: every one names its author.
import { authorRef, type AuthorRef } from '../users/present.ts';

export interface PostWithAuthor {
  id: number;
  title: string;
  body: string;
  created_at: Date;
  updated_at: Date;
  author_id: number;
  author_username: string;
}

export interface PostView {
  id: number;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  author: AuthorRef;
}

export function presentPost(row: PostWithAuthor): PostView {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    author: authorRef(row.author_id, row.author_username),
  };
}

export interface CommentWithAuthor {
  id: number;
  post_id: number;
  body: string;
  created_at: Date;
  author_id: number;
  author_username: string;
}

export interface CommentView {
  id: number;
  postId: number;
  body: string;
  createdAt: string;
  author: AuthorRef;
}

export function presentComment(row: CommentWithAuthor): CommentView {
  return {
    id: row.id,
    postId: row.post_id,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    author: authorRef(row.author_id, row.author_username),
  };
}

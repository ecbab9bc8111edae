// Body rules for posts and comments (the README's API reference, "Field rules"). Lengths
// count code points, like Postgres char_length; unknown fields are refused.
import * as v from 'valibot';
import { closedObject, requiredText, trimmedText } from '../common/field-rules.ts';

export const TITLE_MAX = 200;
export const POST_BODY_MAX = 10_000;
export const COMMENT_BODY_MAX = 2_000;

/** Stored trimmed, so the 1-200 rule applies to what is kept. */
const title = trimmedText(TITLE_MAX);
const postBody = requiredText(POST_BODY_MAX);

export const newPostSchema = closedObject({ title, body: postBody });
export type NewPost = v.InferOutput<typeof newPostSchema>;

/** Absent fields are left as they are; `{}` changes nothing. */
export const postPatchSchema = closedObject({ title: v.optional(title), body: v.optional(postBody) });
export type PostPatch = v.InferOutput<typeof postPatchSchema>;

export const newCommentSchema = closedObject({ body: requiredText(COMMENT_BODY_MAX) });
export type NewComment = v.InferOutput<typeof newCommentSchema>;

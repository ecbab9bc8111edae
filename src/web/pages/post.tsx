// A post's page (/app/posts/{id}): the post, its comments oldest first (each
// with its author's link), editing and deleting one's own post, writing
// comments and deleting one's own (or any on one's own post, as the API allows).
import { useState } from 'preact/hooks';
import { api, type Comment, type Me, type Post, type WithPost } from '../api.ts';
import { loadList } from '../list.ts';
import { navigate, to, usePlace } from '../router.ts';
import { useSession } from '../session.ts';
import { AuthorLink, Field, Form, Pager, Pending, useLoad, useSubmit, useTitle, When } from '../ui.tsx';

export function PostPage({ id }: { id: string }) {
  const { me } = useSession();
  const post = useLoad(() => api<WithPost>('GET', `/api/posts/${encodeURIComponent(id)}`), id);
  useTitle(post.data?.post.title ?? (post.error ? 'Post not found' : 'Post'));
  if (post.data === undefined) {
    return (
      <>
        <h1 tabIndex={-1}>Post</h1>
        <Pending error={post.error} />
      </>
    );
  }
  const shown = post.data.post;
  return (
    <>
      <PostBody post={shown} mine={me?.user.id === shown.author.id} changed={post.reload} />
      <Comments post={shown} me={me} />
    </>
  );
}

function PostBody({ post, mine, changed }: { post: Post; mine: boolean; changed: () => void }) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState('');
  const remove = () =>
    api('DELETE', `/api/posts/${post.id}`).then(
      () => navigate(to.feed),
      (error: Error) => setFailure(error.message),
    );
  return (
    <article>
      <h1 tabIndex={-1}>{post.title}</h1>
      <p class="meta">
        by <AuthorLink author={post.author} />, <When at={post.createdAt} />
        {post.updatedAt !== post.createdAt && (
          <>
            {' '}
            (edited <When at={post.updatedAt} />)
          </>
        )}
      </p>
      <p class="body">{post.body}</p>
      {mine && (
        <div class="actions">
          {failure && (
            <p class="form-error" role="alert">
              {failure}
            </p>
          )}
          <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
            {editing ? 'Stop editing' : 'Edit the post'}
          </button>{' '}
          {confirming ? (
            <>
              <button type="button" class="danger" onClick={() => void remove()}>
                Delete it and its comments
              </button>{' '}
              <button type="button" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>
              Delete the post
            </button>
          )}
        </div>
      )}
      {mine && editing && (
        <EditPost
          post={post}
          saved={() => {
            setEditing(false);
            changed();
          }}
        />
      )}
    </article>
  );
}

function EditPost({ post, saved }: { post: Post; saved: () => void }) {
  const [title, setTitle] = useState(post.title);
  const [body, setBody] = useState(post.body);
  const submission = useSubmit(() => api('PATCH', `/api/posts/${post.id}`, { title, body }), saved);
  return (
    <Form label="Edit the post" submission={submission} action="Save the post">
      <Field label="Title" name="title" value={title} onInput={setTitle} errors={submission.errorsOf('title')} required />
      <Field label="Text" name="body" multiline value={body} onInput={setBody} errors={submission.errorsOf('body')} required />
    </Form>
  );
}

function Comments({ post, me }: { post: Post; me: Me | null | undefined }) {
  const { query } = usePlace();
  const comments = useLoad(() => loadList<Comment>(`/api/posts/${post.id}/comments`, query, 50), `${post.id}?${query}`);
  const [failure, setFailure] = useState('');
  const remove = (comment: Comment) =>
    api('DELETE', `/api/comments/${comment.id}`).then(
      () => comments.reload(),
      (error: Error) => setFailure(error.message),
    );
  const mayDelete = (comment: Comment) => me != null && (me.user.id === comment.author.id || me.user.id === post.author.id);
  return (
    <section aria-labelledby="comments-heading">
      <h2 id="comments-heading">Comments</h2>
      {failure && (
        <p class="form-error" role="alert">
          {failure}
        </p>
      )}
      {comments.data === undefined ? (
        <Pending error={comments.error} />
      ) : comments.data.items.length === 0 ? (
        <p>No comments yet.</p>
      ) : (
        <>
          <ol class="comments">
            {comments.data.items.map((comment) => (
              <li>
                <p class="meta" id={`comment-${comment.id}`}>
                  <AuthorLink author={comment.author} />, <When at={comment.createdAt} />
                </p>
                <p class="body">{comment.body}</p>
                {mayDelete(comment) && (
                  <button type="button" aria-describedby={`comment-${comment.id}`} onClick={() => void remove(comment)}>
                    Delete the comment
                  </button>
                )}
              </li>
            ))}
          </ol>
          <Pager list={comments.data} path={to.post(post.id)} label="Pages of comments" />
        </>
      )}
      {me ? (
        <NewComment post={post} added={comments.reload} />
      ) : (
        me === null && (
          <p>
            <a href={`${to.login}?next=${encodeURIComponent(to.post(post.id))}`}>Log in</a> to comment.
          </p>
        )
      )}
    </section>
  );
}

function NewComment({ post, added }: { post: Post; added: () => void }) {
  const [body, setBody] = useState('');
  const submission = useSubmit(
    () => api('POST', `/api/posts/${post.id}/comments`, { body }),
    () => {
      setBody('');
      added();
    },
  );
  return (
    <Form label="Write a comment" submission={submission} action="Comment">
      <Field
        label="Your comment"
        name="body"
        multiline
        value={body}
        onInput={setBody}
        hint="Up to 2,000 characters."
        errors={submission.errorsOf('body')}
        required
      />
    </Form>
  );
}

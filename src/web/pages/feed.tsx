// The posts feed (/app/): newest first, every author a link to their page,
// and a form to write a post for whoever is logged in.
import { useState } from 'preact/hooks';
import { api, type Post, type WithPost } from '../api.ts';
import { loadList } from '../list.ts';
import { navigate, to, usePlace } from '../router.ts';
import { useSession } from '../session.ts';
import { AuthorLink, Field, Form, Pager, Pending, useLoad, useSubmit, useTitle, When } from '../ui.tsx';

export function Feed() {
  useTitle('Posts');
  const { me } = useSession();
  const { query } = usePlace();
  const posts = useLoad(() => loadList<Post>('/api/posts', query), query.toString());
  return (
    <>
      <h1 tabIndex={-1}>Posts</h1>
      {me ? (
        <NewPost />
      ) : (
        me === null && (
          <p>
            <a href={`${to.login}?next=${encodeURIComponent(to.feed)}`}>Log in</a> to write a post.
          </p>
        )
      )}
      <section aria-labelledby="posts-heading">
        <h2 id="posts-heading">Newest first</h2>
        {posts.data === undefined ? (
          <Pending error={posts.error} />
        ) : posts.data.items.length === 0 ? (
          <p>No posts yet.</p>
        ) : (
          <>
            <ol class="posts">
              {posts.data.items.map((post) => (
                <li>
                  <a href={to.post(post.id)} class="title">
                    {post.title}
                  </a>
                  <p class="meta">
                    by <AuthorLink author={post.author} />, <When at={post.createdAt} />
                  </p>
                </li>
              ))}
            </ol>
            <Pager list={posts.data} path={to.feed} label="Pages of posts" />
          </>
        )}
      </section>
    </>
  );
}

function NewPost() {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const submission = useSubmit(
    () => api<WithPost>('POST', '/api/posts', { title, body }),
    ({ post }) => navigate(to.post(post.id)),
  );
  return (
    <section aria-labelledby="new-post-heading">
      <h2 id="new-post-heading">Write a post</h2>
      <Form label="Write a post" submission={submission} action="Publish">
        <Field
          label="Title"
          name="title"
          value={title}
          onInput={setTitle}
          hint="Up to 200 characters."
          errors={submission.errorsOf('title')}
          required
        />
        <Field
          label="Text"
          name="body"
          multiline
          value={body}
          onInput={setBody}
          hint="Up to 10,000 characters."
          errors={submission.errorsOf('body')}
          required
        />
      </Form>
    </section>
  );
}

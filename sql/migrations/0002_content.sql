-- User-owned content. Deleting a user removes what they wrote; deleting a post
-- removes its comments.

CREATE TABLE posts (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title      text NOT NULL CONSTRAINT posts_title_length CHECK (
               char_length(btrim(title)) BETWEEN 1 AND 200 AND title = btrim(title)),
  body       text NOT NULL CONSTRAINT posts_body_length CHECK (char_length(body) BETWEEN 1 AND 10000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Newest first, ties broken by id: the order of GET /api/posts.
CREATE INDEX posts_created_at_id_idx ON posts (created_at DESC, id DESC);
CREATE INDEX posts_user_id_idx ON posts (user_id);

CREATE TABLE comments (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  post_id    bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  body       text NOT NULL CONSTRAINT comments_body_length CHECK (char_length(body) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Oldest first within a post: the order of GET /api/posts/{id}/comments.
CREATE INDEX comments_post_id_created_at_id_idx ON comments (post_id, created_at, id);
CREATE INDEX comments_user_id_idx ON comments (user_id);

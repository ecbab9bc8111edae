-- Demo data, loaded with psql (plain SQL: no application code inserts rows):
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/seed.sql [-v users=10000]
--
-- Adds `users` new users (default 10,000), all confirmed and all with the password
--
--   Seeded-Demo-42!
--
-- (stored as one precomputed scrypt hash in the service's format, so they log in
-- through the API). Usernames are seed_<tag>_<id>, e-mails <username>@example.com:
-- <tag> is six random letters that no existing username or e-mail uses, <id> is
-- the user's own id, so a second run (even a concurrent one) adds a second batch
-- and never hits a unique key. Every user gets a profile with random valid values,
-- some left null.
--
-- Content: every post and comment that already existed is handed to a random user
-- of the new batch; then each user of the batch, except every fifth one, writes
-- 1-3 posts, and twice as many comments as there are writing users land on random
-- posts of the batch. So exactly floor(users / 5) users of the batch (20%) own no
-- content, all the others own at least one post, and every post and comment
-- belongs to a user of the latest batch.
--
-- One transaction: on any error nothing is kept. `-v force_failure=1` fails on
-- purpose after all the work, just before COMMIT (tests use it).

\set ON_ERROR_STOP on
\set QUIET on
\if :{?users}
\else
  \set users 10000
\endif

BEGIN;

-- psql does not expand variables inside a DO body; hand the value over as a setting.
SELECT set_config('seed.users', :'users', true) AS users_setting \gset
DO $$
BEGIN
  IF current_setting('seed.users') !~ '^[1-9][0-9]{0,7}$' THEN
    RAISE EXCEPTION 'seed.sql: users must be a whole number from 1 to 99999999, not "%"', current_setting('seed.users');
  END IF;
END $$;

-- Hash joins over a million-user batch stay in memory instead of spilling to disk.
SET LOCAL work_mem = '128MB';

CREATE OR REPLACE FUNCTION pg_temp.any_of(options text[]) RETURNS text
  LANGUAGE sql VOLATILE
  AS $$ SELECT options[1 + floor(random() * cardinality(options))::int] $$;

SELECT pg_get_serial_sequence('users', 'id') AS users_seq,
       pg_get_serial_sequence('posts', 'id') AS posts_seq \gset

-- The first of a few random candidates that no username or e-mail starts with yet.
SELECT tag
FROM (SELECT string_agg(chr(ascii('a') + floor(random() * 26)::int), '') AS tag
      FROM generate_series(1, 8) AS candidate, generate_series(1, 6) AS letter
      GROUP BY candidate) AS candidates
WHERE NOT EXISTS (SELECT FROM users
                  WHERE username LIKE 'seed\_' || tag || '\_%' OR email LIKE 'seed\_' || tag || '\_%')
LIMIT 1 \gset

-- The batch, numbered n = 1..users. Ids come from the table's own sequence so that
-- names can contain them and content can be joined to users by number. Every fifth
-- user has no slot: only slotted users (slot = 1..content_users) get content.
CREATE TEMP TABLE seed_users ON COMMIT DROP AS
SELECT n,
       nextval(:'users_seq') AS id,
       CASE WHEN n % 5 <> 0 THEN n - n / 5 END AS slot,
       CASE WHEN n % 5 <> 0 THEN 1 + floor(random() * 3)::int ELSE 0 END AS post_count,
       now() - random() * interval '730 days' AS created_at
FROM generate_series(1, :users) AS n;
ANALYZE seed_users;
SELECT count(slot) AS content_users, 2 * count(slot) AS comments FROM seed_users \gset

-- A batch at least as large as the users already there (a fresh database, or
-- a second run on top) loads without its tables' secondary indexes, unique
-- constraints and foreign keys, which are put back as they were after the
-- last insert: each index built in one sort, each foreign key checked in one
-- join, instead of entry by entry (sql/README.md, "How long it takes"). The
-- tables are then locked against every reader until COMMIT, so a smaller
-- batch, as on a database in use, keeps them and pays per row. Either way the
-- same constraints hold over every row when the seed commits.
SELECT :users >= (SELECT count(*) FROM users) AS bulk \gset
\if :bulk
SET LOCAL maintenance_work_mem = '256MB';
CREATE TEMP TABLE seed_set_aside ON COMMIT DROP AS
SELECT 1 AS step,
       format('DROP INDEX %s', i.indexrelid::regclass) AS set_aside,
       pg_get_indexdef(i.indexrelid) AS put_back
FROM pg_index AS i
WHERE i.indrelid IN ('users'::regclass, 'posts'::regclass, 'comments'::regclass)
  AND NOT EXISTS (SELECT FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
UNION ALL
SELECT CASE c.contype WHEN 'u' THEN 2 ELSE 3 END,
       format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
FROM pg_constraint AS c
WHERE c.contype IN ('u', 'f')
  AND c.conrelid IN ('users'::regclass, 'user_profiles'::regclass, 'posts'::regclass, 'comments'::regclass,
                     to_regclass('post_comment_totals')); -- a table from migration 0006 on
SELECT set_aside FROM seed_set_aside \gexec
\endif

INSERT INTO users (id, username, email, password_hash, confirmed_at, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT id,
       'seed_' || :'tag' || '_' || id,
       'seed_' || :'tag' || '_' || id || '@example.com',
       -- hashPassword('Seeded-Demo-42!', PRODUCTION_PARAMS) from src/auth/passwords/hash.ts
       '$scrypt$ln=17,r=8,p=1$0rK0RO9FgA7TySvUCvShyw$x/FX5XxsQ68zxDxXfypKgqV89LIns83fCd84t32EaP0',
       created_at + random() * interval '1 hour',
       created_at,
       created_at
FROM seed_users;

-- Values within the API's profile rules; each field is null for a share of users.
INSERT INTO user_profiles (user_id, bio, location, birthday, gender, marital_status)
SELECT id,
       CASE WHEN random() < 0.3 THEN NULL ELSE
         pg_temp.any_of(ARRAY['Backend developer', 'Amateur photographer', 'Retired teacher', 'Nurse',
                              'Student of history', 'Coffee roaster', 'Cyclist', 'Product designer',
                              'Night-shift baker', 'Data analyst', 'Gardener', 'Jazz pianist'])
         || ' ' ||
         pg_temp.any_of(ARRAY['who reads too much.', 'writing about small things.', 'collecting old maps.',
                              'learning Portuguese.', 'always looking for good coffee.',
                              'sharing notes from the road.', 'and part-time beekeeper.',
                              'into board games and long walks.'])
       END,
       CASE WHEN random() < 0.3 THEN NULL ELSE
         pg_temp.any_of(ARRAY['Lisbon', 'Zürich', 'São Paulo', 'Kraków', 'Montréal', 'Reykjavík', 'Nairobi',
                              'Osaka', 'Austin, Texas', 'Melbourne', 'Toronto', 'Berlin', 'Lyon', 'Seoul',
                              'Buenos Aires', 'Cape Town'])
       END,
       -- Ages 14 to about 114: inside the API's 13-120 whichever day "today" is in UTC.
       CASE WHEN random() < 0.3 THEN NULL ELSE
         (current_date - interval '14 years')::date - floor(random() * 36500)::int
       END,
       CASE WHEN random() < 0.3 THEN NULL ELSE
         pg_temp.any_of(ARRAY['female', 'male', 'non_binary', 'other', 'prefer_not_to_say'])
       END,
       CASE WHEN random() < 0.3 THEN NULL ELSE
         pg_temp.any_of(ARRAY['single', 'married', 'divorced', 'widowed', 'separated',
                              'domestic_partnership', 'prefer_not_to_say'])
       END
FROM seed_users;

-- The content that already existed goes to random writing users of the batch.
-- (MATERIALIZED: one random pick per row, computed before the join.)
WITH pick AS MATERIALIZED (
  SELECT id, 1 + floor(random() * :content_users)::int AS slot FROM posts
)
UPDATE posts SET user_id = seed_users.id
FROM pick JOIN seed_users USING (slot)
WHERE posts.id = pick.id;

WITH pick AS MATERIALIZED (
  SELECT id, 1 + floor(random() * :content_users)::int AS slot FROM comments
)
UPDATE comments SET user_id = seed_users.id
FROM pick JOIN seed_users USING (slot)
WHERE comments.id = pick.id;

-- post_count posts per writing user, numbered k = 1..posts for random picks below.
CREATE TEMP TABLE seed_posts ON COMMIT DROP AS
SELECT row_number() OVER () AS k,
       nextval(:'posts_seq') AS id,
       u.id AS user_id,
       u.created_at + random() * (now() - u.created_at) AS created_at
FROM seed_users AS u, generate_series(1, u.post_count);
ANALYZE seed_posts;
SELECT count(*) AS posts FROM seed_posts \gset

INSERT INTO posts (id, user_id, title, body, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT id,
       user_id,
       pg_temp.any_of(ARRAY['Notes on', 'Thoughts about', 'A short guide to', 'What I learned from',
                            'Why I like', 'Questions about', 'A week of', 'Getting started with'])
       || ' ' ||
       pg_temp.any_of(ARRAY['sourdough', 'night trains', 'old maps', 'Postgres', 'city gardens', 'chess openings',
                            'slow travel', 'film cameras', 'bread ovens', 'mountain huts', 'jazz records',
                            'public libraries']),
       pg_temp.any_of(ARRAY['Started this a while ago and it stuck.', 'It took longer than I expected.',
                            'Mostly trial and error, with a few good surprises.',
                            'Here is what worked for me, and what did not.',
                            'I keep coming back to it on weekends.'])
       || ' ' ||
       pg_temp.any_of(ARRAY['Comments welcome.', 'More next week.', 'Would you do it differently?',
                            'Photos to follow.', 'Thanks for reading!']),
       created_at,
       created_at
FROM seed_posts;

-- Twice as many comments as writing users, each on a random post of the batch by a
-- random writing user, written after both the post and the commenter existed.
-- Inserted in post order: the foreign-key checks and index inserts on the post side
-- then walk posts in order (a third faster at 1,000,000 users).
WITH pick AS MATERIALIZED (
  SELECT 1 + floor(random() * :posts)::int AS k, 1 + floor(random() * :content_users)::int AS slot
  FROM generate_series(1, :comments)
)
INSERT INTO comments (post_id, user_id, body, created_at)
SELECT p.id,
       u.id,
       pg_temp.any_of(ARRAY['Great post!', 'Thanks for sharing.', 'I tried this too, worked well.',
                            'Interesting, never thought of it that way.', 'Where was this?',
                            'Could you write more about this?', 'Same here.', 'Bookmarked.']),
       greatest(p.created_at, u.created_at) + random() * (now() - greatest(p.created_at, u.created_at))
FROM pick
JOIN seed_posts AS p USING (k)
JOIN seed_users AS u USING (slot)
ORDER BY p.id;

\if :bulk
SELECT put_back FROM seed_set_aside ORDER BY step \gexec
\endif

\if :{?force_failure}
DO $$ BEGIN RAISE EXCEPTION 'seed.sql: failing on purpose (force_failure is set); nothing is kept'; END $$;
\endif

COMMIT;

\echo seed.sql: added :users users seed_:tag'_<id>' (password Seeded-Demo-42!), :posts posts, :comments comments; every fifth of them owns no content.

-- Lists that stay fast at a million users (README, "Lists in one statement, at any size").
--
-- Totals: a count(*) in every list response cost the whole table. The totals
-- are kept instead, by statement-level triggers in the transaction of every
-- insert and delete: a change and its count commit or roll back together, a
-- bulk load pays one counter update per statement, and no code path can forget
-- them (cascades from deleted users and posts, and TRUNCATE, included).
--
-- Safe on a populated database: writers wait (SHARE locks) while the totals
-- are counted and the triggers created, so nothing changes between the two
-- (5-6 s at 100,000 seeded users on a loaded 2-core machine).

LOCK TABLE users, posts, comments IN SHARE MODE;

-- One row per list whose total is the size of a table (or of a part of one).
-- `confirmed_users` is the total of the directory once it lists confirmed
-- accounts only.
CREATE TABLE list_totals (
  list  text PRIMARY KEY CONSTRAINT list_totals_list_value CHECK (list IN ('users', 'confirmed_users', 'posts')),
  total bigint NOT NULL CONSTRAINT list_totals_total_nonnegative CHECK (total >= 0)
);
INSERT INTO list_totals (list, total)
SELECT 'users', count(*) FROM users
UNION ALL SELECT 'confirmed_users', count(*) FROM users WHERE confirmed_at IS NOT NULL
UNION ALL SELECT 'posts', count(*) FROM posts;

-- A post's comments; no row while it has none.
CREATE TABLE post_comment_totals (
  post_id bigint PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
  total   bigint NOT NULL CONSTRAINT post_comment_totals_total_nonnegative CHECK (total >= 0)
);
INSERT INTO post_comment_totals (post_id, total)
SELECT post_id, count(*) FROM comments GROUP BY post_id;

-- Each trigger function counts what a statement changed (rows gone count
-- negative) and changes each total once.
CREATE FUNCTION change_total(list text, delta bigint) RETURNS void LANGUAGE sql AS $$
  UPDATE list_totals SET total = total + delta WHERE list_totals.list = change_total.list AND delta <> 0;
$$;

CREATE FUNCTION count_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM change_total('users', (SELECT count(*) FROM new_rows));
    PERFORM change_total('confirmed_users', (SELECT count(*) FROM new_rows WHERE confirmed_at IS NOT NULL));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM change_total('users', -(SELECT count(*) FROM old_rows));
    PERFORM change_total('confirmed_users', -(SELECT count(*) FROM old_rows WHERE confirmed_at IS NOT NULL));
  ELSE -- UPDATE: only a confirmation given or taken back changes a total.
    PERFORM change_total('confirmed_users', (SELECT count(*) FROM new_rows WHERE confirmed_at IS NOT NULL)
                                          - (SELECT count(*) FROM old_rows WHERE confirmed_at IS NOT NULL));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER users_count_insert AFTER INSERT ON users
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_users();
CREATE TRIGGER users_count_delete AFTER DELETE ON users
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_users();
CREATE TRIGGER users_count_update AFTER UPDATE ON users
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_users();

CREATE FUNCTION count_posts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM change_total('posts', (SELECT count(*) FROM new_rows));
  ELSE
    PERFORM change_total('posts', -(SELECT count(*) FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER posts_count_insert AFTER INSERT ON posts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_posts();
CREATE TRIGGER posts_count_delete AFTER DELETE ON posts
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_posts();

-- Comments added create or raise their post's row. Comments removed only
-- lower an existing row: when their post is deleted its row may already be
-- gone (the cascades run in no promised order), and then nothing is left to
-- count.
CREATE FUNCTION count_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO post_comment_totals AS t (post_id, total)
    SELECT post_id, count(*) FROM new_rows GROUP BY post_id
    ON CONFLICT (post_id) DO UPDATE SET total = t.total + excluded.total;
  ELSE
    UPDATE post_comment_totals AS t SET total = t.total - d.n
    FROM (SELECT post_id, count(*) AS n FROM old_rows GROUP BY post_id) AS d
    WHERE t.post_id = d.post_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER comments_count_insert AFTER INSERT ON comments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_comments();
CREATE TRIGGER comments_count_delete AFTER DELETE ON comments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_comments();

-- TRUNCATE fires no row or DELETE trigger: it empties the totals of what it empties.
CREATE FUNCTION reset_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  CASE TG_TABLE_NAME
    WHEN 'users' THEN UPDATE list_totals SET total = 0 WHERE list IN ('users', 'confirmed_users');
    WHEN 'posts' THEN UPDATE list_totals SET total = 0 WHERE list = 'posts';
    ELSE DELETE FROM post_comment_totals;
  END CASE;
  RETURN NULL;
END $$;
CREATE TRIGGER users_count_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION reset_totals();
CREATE TRIGGER posts_count_truncate AFTER TRUNCATE ON posts FOR EACH STATEMENT EXECUTE FUNCTION reset_totals();
CREATE TRIGGER comments_count_truncate AFTER TRUNCATE ON comments FOR EACH STATEMENT EXECUTE FUNCTION reset_totals();

-- A comment stays on its post (the service never moves one): moving it would
-- leave both posts' totals wrong.
CREATE FUNCTION keep_comment_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.post_id <> OLD.post_id THEN
    RAISE EXCEPTION 'a comment cannot move to another post' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER comments_keep_post BEFORE UPDATE OF post_id ON comments
  FOR EACH ROW EXECUTE FUNCTION keep_comment_post();

-- Keyset pages of a user's sessions, newest first, without a sort; it also
-- serves every lookup by user the old index did.
CREATE INDEX sessions_user_id_created_at_id_idx ON sessions (user_id, created_at DESC, id DESC);
DROP INDEX sessions_user_id_idx;

-- GET /api/users lists confirmed accounts only: their usernames in
-- order, so a page (by cursor or by number) is read from this index alone, as
-- the whole list was from users_username_key. Its total is list_totals'
-- confirmed_users, kept by migration 0006's triggers.
--
-- Built inside the migration's transaction, so writes to users wait while it
-- is built (well under a second at 100,000 users; reads go on).
CREATE INDEX users_confirmed_username_idx ON users (username) WHERE confirmed_at IS NOT NULL;

-- Sliding sessions: a session also ends after an idle period (SESSION_IDLE_TTL)
-- counted from when it was last used. The statement that authenticates a
-- request moves last_seen_at forward, at most once an hour, and tests it
-- against the idle period; expires_at stays the absolute end (the token's exp).
--
-- A constant default is stored once in the catalogue (Postgres 11+), so this
-- rewrites no row of a populated table: existing sessions count as seen when
-- the migration ran, which gives each a full idle period and never ends one
-- before its absolute expiry would have.
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

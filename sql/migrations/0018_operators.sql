-- Operators: a role per account, bans, service keys for other backends and
-- the admin trail (src/auth/admin/README.md).
--
-- Constant defaults are stored in the catalogue: no row is rewritten.
ALTER TABLE users
  ADD COLUMN role text NOT NULL DEFAULT 'user' CONSTRAINT users_role_value CHECK (role IN ('user', 'admin')),
  -- A ban: since when, until when (null: until lifted), and why. Every
  -- session check reads banned_at/banned_until on the row it already joins.
  ADD COLUMN banned_at timestamptz,
  ADD COLUMN banned_until timestamptz,
  ADD COLUMN ban_reason text CONSTRAINT users_ban_reason_length CHECK (char_length(ban_reason) BETWEEN 1 AND 500),
  ADD CONSTRAINT users_ban_whole CHECK (
    (banned_at IS NULL) = (ban_reason IS NULL) AND (banned_until IS NULL OR banned_at IS NOT NULL));

-- The admin search (GET /api/admin/users): a prefix of the e-mail or the
-- username is a range of these indexes (LIKE 'p%' needs text_pattern_ops
-- under a non-C collation); the state filters are small partial indexes in
-- the list's order (by id).
CREATE INDEX users_email_prefix_idx ON users (email text_pattern_ops);
CREATE INDEX users_username_prefix_idx ON users (username text_pattern_ops);
CREATE INDEX users_admin_idx ON users (id) WHERE role = 'admin';
CREATE INDEX users_banned_idx ON users (id) WHERE banned_at IS NOT NULL;
CREATE INDEX users_unconfirmed_idx ON users (id) WHERE confirmed_at IS NULL;

-- Keys other backends send as `Authorization: Bearer sk_…`: only the SHA-256
-- of the whole key is kept, with its first characters to tell keys apart.
CREATE TABLE service_keys (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL CONSTRAINT service_keys_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
  prefix       text NOT NULL CONSTRAINT service_keys_prefix_key UNIQUE,
  key_hash     bytea NOT NULL CONSTRAINT service_keys_key_hash_key UNIQUE,
  scopes       text[] NOT NULL CONSTRAINT service_keys_scopes_value CHECK (
                 cardinality(scopes) BETWEEN 1 AND 2 AND scopes <@ ARRAY['users:read', 'users:write']::text[]),
  created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- Every admin action, naming its actor (an account or a key, and its name
-- then, kept when either is gone) and its target (kept after a deletion).
CREATE TABLE admin_actions (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_user_id  bigint REFERENCES users (id) ON DELETE SET NULL,
  actor_key_id   bigint REFERENCES service_keys (id) ON DELETE SET NULL,
  actor_name     text NOT NULL,
  action         text NOT NULL CONSTRAINT admin_actions_action_value CHECK (action IN (
                   'role_granted', 'role_revoked', 'user_banned', 'user_unbanned', 'sessions_ended',
                   'reset_sent', 'mfa_removed', 'user_deleted', 'service_key_created', 'service_key_revoked')),
  target_user_id bigint,
  target_key_id  bigint,
  detail         text CONSTRAINT admin_actions_detail_length CHECK (char_length(detail) <= 600),
  ip             text CONSTRAINT admin_actions_ip_length CHECK (char_length(ip) <= 64),
  user_agent     text CONSTRAINT admin_actions_user_agent_length CHECK (char_length(user_agent) <= 256),
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_actions_target_idx ON admin_actions (target_user_id, created_at DESC, id DESC);

-- The target's own trail: the kinds of 0013 and 0017 (passkeys), and the admin's.
ALTER TABLE security_events DROP CONSTRAINT security_events_kind_value;
ALTER TABLE security_events ADD CONSTRAINT security_events_kind_value CHECK (kind IN (
  'login_succeeded', 'login_failed', 'logout', 'session_revoked', 'other_sessions_revoked',
  'password_changed', 'reset_requested', 'password_reset', 'email_change_requested',
  'email_changed', 'account_confirmed', 'account_deleted',
  'mfa_enabled', 'mfa_disabled', 'recovery_code_used', 'mfa_failed',
  'email_verified', 'mfa_removed_by_reset',
  'passkey_added', 'passkey_removed',
  'role_granted', 'role_revoked', 'account_banned', 'account_unbanned', 'sessions_ended_by_admin',
  'reset_sent_by_admin'));
-- A banned account's right password is a failed login too.
ALTER TABLE security_events DROP CONSTRAINT security_events_reason_value;
ALTER TABLE security_events ADD CONSTRAINT security_events_reason_value CHECK (
  reason IN ('wrong_password', 'unconfirmed', 'rate_limited', 'wrong_passkey', 'banned'));

-- Account lifecycle: where each session was opened, and the audit
-- trail of security events.
--
-- Safe on a populated database: the new columns are nullable without a
-- default (a catalogue change, no row rewritten); their CHECKs read each
-- existing row once (all NULL) without rewriting it.

-- Where a session was opened: the client's user agent (trimmed to 256
-- characters) and address, shown in GET /api/me/sessions.
ALTER TABLE sessions
  ADD COLUMN user_agent text CONSTRAINT sessions_user_agent_length CHECK (char_length(user_agent) <= 256),
  ADD COLUMN ip         text CONSTRAINT sessions_ip_length CHECK (char_length(ip) <= 64);

-- The audit trail. Each row is written by a statement the operation already
-- runs. An account's events go with it; its deletion leaves one
-- account_deleted row holding only the former id and the time.
CREATE TABLE security_events (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id         bigint REFERENCES users (id) ON DELETE CASCADE,
  deleted_user_id bigint,
  kind            text NOT NULL CONSTRAINT security_events_kind_value CHECK (kind IN (
                    'login_succeeded', 'login_failed', 'logout', 'session_revoked', 'other_sessions_revoked',
                    'password_changed', 'reset_requested', 'password_reset', 'email_change_requested',
                    'email_changed', 'account_confirmed', 'account_deleted')),
  -- Why a login failed (only a failed login has one).
  reason          text CONSTRAINT security_events_reason_value CHECK (
                    reason IN ('wrong_password', 'unconfirmed', 'rate_limited')),
  ip              text CONSTRAINT security_events_ip_length CHECK (char_length(ip) <= 64),
  user_agent      text CONSTRAINT security_events_user_agent_length CHECK (char_length(user_agent) <= 256),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT security_events_reason_kind CHECK ((reason IS NOT NULL) = (kind = 'login_failed')),
  CONSTRAINT security_events_account CHECK (
    CASE WHEN kind = 'account_deleted'
         THEN user_id IS NULL AND deleted_user_id IS NOT NULL AND ip IS NULL AND user_agent IS NULL
         ELSE user_id IS NOT NULL AND deleted_user_id IS NULL END)
);
-- GET /api/me/events: an account's events, newest first, by keyset.
CREATE INDEX security_events_user_id_created_at_idx ON security_events (user_id, created_at DESC, id DESC);
-- The scheduled purge deletes by age.
CREATE INDEX security_events_created_at_idx ON security_events (created_at);

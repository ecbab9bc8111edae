-- Passkeys (WebAuthn): an account's public-key credentials and the challenges
-- of their ceremonies (src/auth/README.md, "Passkeys").
--
-- credential_id is unique across accounts: an authenticator answers with it,
-- and a passwordless sign-in finds the account by it alone. sign_count is
-- bigint: the authenticator's counter is an unsigned 32-bit value.
CREATE TABLE passkeys (
  id              bigserial PRIMARY KEY,
  user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  credential_id   bytea NOT NULL UNIQUE CHECK (octet_length(credential_id) BETWEEN 16 AND 1023),
  public_key      bytea NOT NULL,
  sign_count      bigint NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
  transports      text[] NOT NULL DEFAULT '{}',
  aaguid          uuid NOT NULL,
  -- The authenticator may sync it (BE flag): RFC 8176's swk; else hwk.
  backup_eligible boolean NOT NULL,
  name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_used_at    timestamptz
);
CREATE INDEX passkeys_user_id ON passkeys (user_id);

-- A challenge is single use (deleted by the statement that verifies the
-- answer) and lives minutes; the scheduled purge deletes expired ones.
-- user_id is null for a passwordless sign-in, where nobody is known yet.
CREATE TABLE webauthn_challenges (
  id         bigserial PRIMARY KEY,
  challenge  text NOT NULL UNIQUE,
  purpose    text NOT NULL CONSTRAINT webauthn_challenges_purpose CHECK (purpose IN ('register', 'login')),
  user_id    bigint REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);
CREATE INDEX webauthn_challenges_expires_at ON webauthn_challenges (expires_at);

-- passkey_added, passkey_removed: the account's passkeys changed.
ALTER TABLE security_events DROP CONSTRAINT security_events_kind_value;
ALTER TABLE security_events ADD CONSTRAINT security_events_kind_value CHECK (kind IN (
  'login_succeeded', 'login_failed', 'logout', 'session_revoked', 'other_sessions_revoked',
  'password_changed', 'reset_requested', 'password_reset', 'email_change_requested',
  'email_changed', 'account_confirmed', 'account_deleted',
  'mfa_enabled', 'mfa_disabled', 'recovery_code_used', 'mfa_failed',
  'email_verified', 'mfa_removed_by_reset',
  'passkey_added', 'passkey_removed'));

-- wrong_passkey: a passwordless sign-in whose assertion named a passkey of
-- the account but did not verify (signature, origin, RP ID, counter).
ALTER TABLE security_events DROP CONSTRAINT security_events_reason_value;
ALTER TABLE security_events ADD CONSTRAINT security_events_reason_value CHECK (
  reason IN ('wrong_password', 'unconfirmed', 'rate_limited', 'wrong_passkey'));

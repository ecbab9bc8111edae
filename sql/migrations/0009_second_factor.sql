-- A second factor: TOTP (RFC 6238) with single-use recovery codes,
-- and the login step between the password and the session. New tables only:
-- nothing existing is rewritten or locked for long.

-- An account's authenticator secret, sealed with AES-256-GCM under
-- MFA_ENCRYPTION_KEY (12-byte nonce, ciphertext, 16-byte tag; the user id is
-- the associated data, so a sealed secret copied to another row does not open).
-- Without confirmed_at the enrolment is pending and enforces nothing.
-- last_used_step is the time step of the last accepted code: a code is
-- accepted only for a later step, by a compare-and-set in the statement that
-- accepts it, so a code is never accepted twice.
CREATE TABLE totp_factors (
  user_id        bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret_sealed  bytea NOT NULL CONSTRAINT totp_factors_secret_sealed_length CHECK (octet_length(secret_sealed) BETWEEN 29 AND 128),
  confirmed_at   timestamptz,
  last_used_step bigint,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- Ten per enabled factor, shown once; only their SHA-256 is kept. Using one deletes it.
CREATE TABLE recovery_codes (
  user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash bytea NOT NULL CONSTRAINT recovery_codes_code_hash_length CHECK (octet_length(code_hash) = 32),
  PRIMARY KEY (user_id, code_hash)
);

-- The step between a right password and a session for an account with a
-- second factor: the mfaToken's SHA-256, valid 5 minutes, 5 tries, deleted when used.
CREATE TABLE mfa_challenges (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL CONSTRAINT mfa_challenges_token_hash_key UNIQUE
             CONSTRAINT mfa_challenges_token_hash_length CHECK (octet_length(token_hash) = 32),
  expires_at timestamptz NOT NULL,
  tries_left smallint NOT NULL CONSTRAINT mfa_challenges_tries_left_range CHECK (tries_left BETWEEN 0 AND 5)
);
CREATE INDEX mfa_challenges_user_id_idx ON mfa_challenges (user_id);
-- The scheduled purge deletes expired ones.
CREATE INDEX mfa_challenges_expires_at_idx ON mfa_challenges (expires_at);

-- The audit trail (0008) records the second factor's events: enabled,
-- disabled, a recovery code used, a code refused (written before the code is
-- checked, as a failed login is, and turned into the success event when it was right).
ALTER TABLE security_events DROP CONSTRAINT security_events_kind_value;
ALTER TABLE security_events ADD CONSTRAINT security_events_kind_value CHECK (kind IN (
  'login_succeeded', 'login_failed', 'logout', 'session_revoked', 'other_sessions_revoked',
  'password_changed', 'reset_requested', 'password_reset', 'email_change_requested',
  'email_changed', 'account_confirmed', 'account_deleted',
  'mfa_enabled', 'mfa_disabled', 'recovery_code_used', 'mfa_failed'));

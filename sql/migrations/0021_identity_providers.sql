-- Sign-in with other identity providers (src/auth/providers/README.md): the
-- identities linked to accounts, the sign-ins under way, and how a session
-- opened through a provider says so.

-- One row per (provider, subject): the provider's stable id of the person,
-- never their e-mail. `email` is what the provider asserted when the identity
-- was last used, for the account page; the account's own address is users.email.
CREATE TABLE federated_identities (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider     text NOT NULL CONSTRAINT federated_identities_provider_length CHECK (char_length(provider) BETWEEN 1 AND 32),
  subject      text NOT NULL CONSTRAINT federated_identities_subject_length CHECK (char_length(subject) BETWEEN 1 AND 255),
  email        text CONSTRAINT federated_identities_email_length CHECK (char_length(email) <= 254),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT federated_identities_provider_subject_key UNIQUE (provider, subject)
);
CREATE INDEX federated_identities_user_idx ON federated_identities (user_id);

-- A sign-in sent to a provider and not back yet: only the SHA-256 of its
-- `state`, the PKCE verifier and the nonce the callback checks, where to go
-- after, and for a link from the account page the account it joins. The
-- callback's DELETE … RETURNING takes it: single use. Minutes long; the purge
-- deletes the expired ones.
CREATE TABLE federated_sign_ins (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  state_hash    bytea NOT NULL CONSTRAINT federated_sign_ins_state_hash_key UNIQUE,
  provider      text NOT NULL,
  code_verifier text NOT NULL,
  nonce         text NOT NULL,
  return_to     text NOT NULL CONSTRAINT federated_sign_ins_return_to_length CHECK (char_length(return_to) <= 512),
  link_user_id  bigint REFERENCES users (id) ON DELETE CASCADE,
  expires_at    timestamptz NOT NULL
);

-- An account made by signing in at a provider has no password: a value no
-- password verifies against (src/auth/passwords/hash.ts, NO_PASSWORD) until a reset sets one.
ALTER TABLE users DROP CONSTRAINT users_password_hash_format;
ALTER TABLE users ADD CONSTRAINT users_password_hash_format
  CHECK (password_hash LIKE '$scrypt$%' OR password_hash = '!no-password');

-- RFC 8176 has no value for "signed in at another identity provider"; 'fed'
-- is the one Microsoft's tokens use. The second step after such a sign-in
-- starts from it instead of 'pwd' (mfa_challenges.amr).
ALTER TABLE sessions DROP CONSTRAINT sessions_amr_values;
ALTER TABLE sessions ADD CONSTRAINT sessions_amr_values
  CHECK (cardinality(amr) BETWEEN 1 AND 4 AND amr <@ ARRAY['pwd', 'otp', 'hwk', 'swk', 'fed']::text[]);
ALTER TABLE mfa_challenges ADD COLUMN amr text NOT NULL DEFAULT 'pwd'
  CONSTRAINT mfa_challenges_amr_value CHECK (amr IN ('pwd', 'fed'));

-- The kinds of 0020, and an identity linked or unlinked.
ALTER TABLE security_events DROP CONSTRAINT security_events_kind_value;
ALTER TABLE security_events ADD CONSTRAINT security_events_kind_value CHECK (kind IN (
  'login_succeeded', 'login_failed', 'logout', 'session_revoked', 'other_sessions_revoked',
  'password_changed', 'reset_requested', 'password_reset', 'email_change_requested',
  'email_changed', 'account_confirmed', 'account_deleted',
  'mfa_enabled', 'mfa_disabled', 'recovery_code_used', 'mfa_failed',
  'email_verified', 'mfa_removed_by_reset',
  'passkey_added', 'passkey_removed',
  'role_granted', 'role_revoked', 'account_banned', 'account_unbanned', 'sessions_ended_by_admin',
  'reset_sent_by_admin',
  'mfa_removed_by_admin', 'passkeys_removed_by_admin',
  'identity_linked', 'identity_unlinked'));

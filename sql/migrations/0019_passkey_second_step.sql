-- A passkey as the login's second step and as the step-up (src/auth/README.md,
-- "Passkeys"): two more ceremonies whose challenges live in webauthn_challenges.
--
-- second_step: bound to the login's ticket (mfa_challenges), so it serves that
-- ticket's account only and dies with the ticket (used, expired and purged, or
-- deleted by a reset, a password change, an e-mail change or the factor's
-- removal). step_up: bound to the account (user_id) of the signed-in session
-- that asked for it.
ALTER TABLE webauthn_challenges DROP CONSTRAINT webauthn_challenges_purpose;
ALTER TABLE webauthn_challenges ADD CONSTRAINT webauthn_challenges_purpose
  CHECK (purpose IN ('register', 'login', 'second_step', 'step_up'));

ALTER TABLE webauthn_challenges
  ADD COLUMN mfa_challenge_id bigint REFERENCES mfa_challenges (id) ON DELETE CASCADE,
  ADD CONSTRAINT webauthn_challenges_ticket CHECK ((purpose = 'second_step') = (mfa_challenge_id IS NOT NULL)),
  ADD CONSTRAINT webauthn_challenges_account CHECK (purpose = 'login' OR user_id IS NOT NULL);
-- The ticket's deletion finds its challenge by this (the cascade), as the options replace it.
CREATE INDEX webauthn_challenges_mfa_challenge_id ON webauthn_challenges (mfa_challenge_id) WHERE mfa_challenge_id IS NOT NULL;

-- Changing an account's e-mail: POST /api/me/email issues a code of
-- purpose change_email that holds the address asked for; the confirmation
-- moves it into users.email. The live-code index of migration 0003 keeps one
-- pending change per account: a new request replaces the old code.
--
-- One ALTER TABLE: the new column is nullable without a default (no row
-- rewritten); the CHECKs read the table once under its lock. one_time_tokens
-- holds only live codes and a day of spent ones (the purge), so that is brief.
ALTER TABLE one_time_tokens
  DROP CONSTRAINT one_time_tokens_purpose_value,
  ADD CONSTRAINT one_time_tokens_purpose_value CHECK (purpose IN ('confirm_email', 'reset_password', 'change_email')),
  -- The address a change_email code moves the account to, in users.email's form.
  ADD COLUMN new_email text CONSTRAINT one_time_tokens_new_email_format CHECK (
    new_email = lower(new_email) AND char_length(new_email) <= 254 AND new_email ~ '^[^@\s]+@[^@\s]+$'),
  ADD CONSTRAINT one_time_tokens_new_email_purpose CHECK ((new_email IS NOT NULL) = (purpose = 'change_email'));

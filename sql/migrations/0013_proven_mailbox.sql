-- The proven mailbox: users.email_verified_at is when the account's current
-- address was last shown to be read by the account's holder (a registration
-- code, an e-mail change's code, a completed password reset). The classic
-- POST /users confirms an account at once without proving anything, so
-- "confirmed" no longer says the address is the holder's. A second factor can
-- be enrolled only on a proven address, and a reset of an account whose
-- address was never proven removes the factor attached meanwhile
-- (src/auth/README.md, "The proven mailbox").
--
-- Backfill: a row does not say whether it was confirmed by a code or by the
-- classic route. Only an account whose audit trail (90 days) shows a proof of
-- its current address (account_confirmed, password_reset, email_changed: each
-- later one about the address the account has) counts as proven, from that
-- event on. Every other account stays unproven: that locks no one out (logins
-- and existing factors work as before; one code, from POST
-- /api/register/resend, proves the address), while counting a classic
-- account as proven would leave a squatter's factor on the owner's address
-- for ever, the very lockout this migration ends.
--
-- Nullable without a default: adding it rewrites no row. The backfill updates
-- only the accounts with such an event.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

UPDATE users SET email_verified_at = proven.at
FROM (
  SELECT user_id, max(created_at) AS at
  FROM security_events
  WHERE kind IN ('account_confirmed', 'password_reset', 'email_changed')
  GROUP BY user_id
) AS proven
WHERE users.id = proven.user_id;

-- email_verified: a confirmation code proved the address of an account
-- already confirmed (a classic one); mfa_removed_by_reset: a reset of a
-- never-proven account removed its second factor and recovery codes.
ALTER TABLE security_events DROP CONSTRAINT security_events_kind_value;
ALTER TABLE security_events ADD CONSTRAINT security_events_kind_value CHECK (kind IN (
  'login_succeeded', 'login_failed', 'logout', 'session_revoked', 'other_sessions_revoked',
  'password_changed', 'reset_requested', 'password_reset', 'email_change_requested',
  'email_changed', 'account_confirmed', 'account_deleted',
  'mfa_enabled', 'mfa_disabled', 'recovery_code_used', 'mfa_failed',
  'email_verified', 'mfa_removed_by_reset'));

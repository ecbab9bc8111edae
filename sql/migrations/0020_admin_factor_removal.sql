-- An admin removing a user's second factor or passkeys (src/auth/admin/README.md),
-- and the admin trail's retention and cost.
--
-- The target's own trail: every kind of 0018, and the two removals by an admin.
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
  'mfa_removed_by_admin', 'passkeys_removed_by_admin'));

-- The admin trail: 0018's actions ('mfa_removed' among them), and the passkeys' removal.
ALTER TABLE admin_actions DROP CONSTRAINT admin_actions_action_value;
ALTER TABLE admin_actions ADD CONSTRAINT admin_actions_action_value CHECK (action IN (
  'role_granted', 'role_revoked', 'user_banned', 'user_unbanned', 'sessions_ended',
  'reset_sent', 'mfa_removed', 'passkeys_removed', 'user_deleted', 'service_key_created', 'service_key_revoked'));

-- The purge deletes rows past ADMIN_ACTIONS_RETENTION by age, as it does security events.
CREATE INDEX admin_actions_created_at_idx ON admin_actions (created_at);
-- Deleting an account sets its actions' actor_user_id to NULL (ON DELETE SET NULL): without this
-- index every deletion (DELETE /api/me, an admin's, the purge's unconfirmed accounts) scanned the
-- whole trail; `npm run bench:purge` with 20,000 actions deleted 354 accounts/s instead of thousands.
CREATE INDEX admin_actions_actor_user_idx ON admin_actions (actor_user_id) WHERE actor_user_id IS NOT NULL;

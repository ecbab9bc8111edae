-- What the purge (src/system/purge.ts) finds rows by, so each of its batches
-- reads only the rows it deletes, however large the tables grow.

-- A code stops working when it is used or when it expires, whichever comes
-- first (least() skips a NULL used_at).
CREATE INDEX one_time_tokens_spent_at_idx ON one_time_tokens (least(used_at, expires_at));

-- Deleting a user deletes their codes (ON DELETE CASCADE), found by user_id:
-- the live-code index is partial, so without this one every deleted user
-- costs a scan of the whole table.
CREATE INDEX one_time_tokens_user_id_idx ON one_time_tokens (user_id);

-- Accounts never confirmed, by age. Partial: confirmed accounts (nearly all)
-- are not in it, so it stays small and cheap to build.
CREATE INDEX users_unconfirmed_created_at_idx ON users (created_at) WHERE confirmed_at IS NULL;

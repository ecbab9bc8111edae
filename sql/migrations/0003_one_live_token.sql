-- At most one live (unused) code or token per user and purpose. Issuing one
-- deleted the user's unused ones and inserted the new one in a single
-- statement, but that statement cannot see a row a concurrent one is
-- inserting: two resends at the same moment left two codes that both worked.
-- With this index the issue is an UPSERT, and the later code replaces the
-- earlier one whatever the timing.
DELETE FROM one_time_tokens older
  USING one_time_tokens newer
  WHERE older.used_at IS NULL AND newer.used_at IS NULL
    AND newer.user_id = older.user_id AND newer.purpose = older.purpose
    AND newer.id > older.id;
DROP INDEX one_time_tokens_user_purpose_idx;
CREATE UNIQUE INDEX one_time_tokens_live_key ON one_time_tokens (user_id, purpose) WHERE used_at IS NULL;

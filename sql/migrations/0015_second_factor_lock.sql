-- The long-window cap on second-factor guesses (src/auth/mfa/README.md): once
-- an account's wrong codes pass RATE_LIMIT_MFA_DAY, its second step is refused
-- until a password reset proves the mailbox. The lock is kept here, not in the
-- counter row, which the scheduled purge deletes once its window is over.
-- A nullable column without a default: no table rewrite.
ALTER TABLE totp_factors ADD COLUMN locked_at timestamptz;

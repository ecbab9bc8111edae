-- How each session was authenticated: its RFC 8176 `amr` values ('pwd' a
-- password, 'otp' a one-time code of the second factor, a recovery code
-- included; 'hwk'/'swk' kept for passkeys). The assurance level is derived
-- from them (aal2 when anything but the password was given), never stored twice.
--
-- A constant default is stored once in the catalogue (Postgres 11+): existing
-- rows read '{pwd}' (they may have been opened with a code too, but nothing
-- recorded it, and claiming less is the safe side). The CHECK reads every row
-- once, under the migration's lock, without rewriting any.
ALTER TABLE sessions ADD COLUMN amr text[] NOT NULL DEFAULT '{pwd}'
  CONSTRAINT sessions_amr_values CHECK (cardinality(amr) BETWEEN 1 AND 4 AND amr <@ ARRAY['pwd', 'otp', 'hwk', 'swk']::text[]);

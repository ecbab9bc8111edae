-- The client addresses (rate-limit keys: an IPv4 address or an IPv6 prefix)
-- each account logged in from, with the last time. A login from one seen in
-- the last 30 days is exempt from the per-account limit across addresses, so
-- an attacker spreading guesses over many addresses cannot lock the owner out.
-- A new, empty table: safe on a populated database.
CREATE TABLE known_addresses (
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  address       text NOT NULL,
  last_login_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, address)
);
-- Rows older than the exemption can be purged by age.
CREATE INDEX known_addresses_last_login_at_idx ON known_addresses (last_login_at);

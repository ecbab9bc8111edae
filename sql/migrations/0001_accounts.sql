-- Accounts: users, their profiles, sessions and one-time codes/tokens.
-- Applied in one transaction by `npm run db:migrate` (or `psql -1 -f`).

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Stored lower-case, so the plain unique constraints are case-insensitive.
  username      text NOT NULL CONSTRAINT users_username_key UNIQUE
                CONSTRAINT users_username_format CHECK (username ~ '^[a-z][a-z0-9_]{2,31}$'),
  email         text NOT NULL CONSTRAINT users_email_key UNIQUE
                CONSTRAINT users_email_format CHECK (
                  email = lower(email) AND char_length(email) <= 254 AND email ~ '^[^@\s]+@[^@\s]+$'),
  password_hash text NOT NULL CONSTRAINT users_password_hash_format CHECK (password_hash LIKE '$scrypt$%'),
  confirmed_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Every user has exactly one profile row (created with the user); all fields optional.
CREATE TABLE user_profiles (
  user_id        bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  bio            text CONSTRAINT user_profiles_bio_length CHECK (char_length(bio) <= 500),
  location       text CONSTRAINT user_profiles_location_length CHECK (char_length(location) <= 100),
  -- The API enforces age 13-120 exactly. The database keeps the bounds that
  -- cannot turn false as time passes (at least 13 years old, a sane floor), so an
  -- old row never blocks an unrelated update of the same profile.
  birthday       date CONSTRAINT user_profiles_birthday_range CHECK (
                   birthday >= date '1900-01-01' AND birthday <= current_date - interval '13 years'),
  gender         text CONSTRAINT user_profiles_gender_value CHECK (
                   gender IN ('female', 'male', 'non_binary', 'other', 'prefer_not_to_say')),
  marital_status text CONSTRAINT user_profiles_marital_status_value CHECK (
                   marital_status IN ('single', 'married', 'divorced', 'widowed', 'separated',
                                      'domestic_partnership', 'prefer_not_to_say')),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  CONSTRAINT sessions_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- Confirmation codes and reset tokens: only their SHA-256 is kept.
CREATE TABLE one_time_tokens (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose    text NOT NULL CONSTRAINT one_time_tokens_purpose_value CHECK (purpose IN ('confirm_email', 'reset_password')),
  token_hash bytea NOT NULL CONSTRAINT one_time_tokens_token_hash_key UNIQUE
             CONSTRAINT one_time_tokens_token_hash_length CHECK (octet_length(token_hash) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX one_time_tokens_user_purpose_idx ON one_time_tokens (user_id, purpose) WHERE used_at IS NULL;

-- Fixed-window counters shared by every function instance (one UPSERT per check).
CREATE TABLE rate_limits (
  bucket       text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL CHECK (hits >= 0)
);
CREATE INDEX rate_limits_window_start_idx ON rate_limits (window_start);

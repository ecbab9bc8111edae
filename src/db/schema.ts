// The typed shape of every table, mirroring sql/migrations. Column names stay
// snake_case as in SQL so a query reads the same in both places.
import type { ColumnType, Generated, Selectable } from 'kysely';

/** Timestamps come back as Date; they may be written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type Gender = 'female' | 'male' | 'non_binary' | 'other' | 'prefer_not_to_say';
export type MaritalStatus = 'single' | 'married' | 'divorced' | 'widowed' | 'separated' | 'domestic_partnership' | 'prefer_not_to_say';
export type TokenPurpose = 'confirm_email' | 'reset_password' | 'change_email';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string;
  password_hash: string;
  confirmed_at: Timestamp | null;
  /** When the current address was last proven by a code or reset sent to it (migration 0013); null: never. */
  email_verified_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  /** Migration 0018: `admin` may use /api/admin (at aal2). */
  role: ColumnType<Role, Role | undefined, Role>;
  /** A ban (migration 0018): since when, until when (null: until lifted), why; all null when not banned. */
  banned_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  banned_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  ban_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export type Role = 'user' | 'admin';

export interface UserProfilesTable {
  user_id: number;
  bio: string | null;
  location: string | null;
  /** A calendar date as `YYYY-MM-DD` (the driver is told not to make it a Date). */
  birthday: string | null;
  gender: Gender | null;
  marital_status: MaritalStatus | null;
  updated_at: GeneratedTimestamp;
}

export interface SessionsTable {
  id: Generated<number>;
  user_id: number;
  created_at: GeneratedTimestamp;
  /** Moved forward by use, at most once an hour; the idle end is this plus SESSION_IDLE_TTL. */
  last_seen_at: GeneratedTimestamp;
  expires_at: Timestamp;
  /** Where the session was opened: the user agent, trimmed, and the client address. */
  user_agent: string | null;
  ip: string | null;
  /** How it was authenticated: RFC 8176 `amr` values (migration 0014), never empty. */
  amr: ColumnType<AuthMethod[], AuthMethod[] | undefined, never>;
}

/** RFC 8176 authentication methods a session records: a password, a second factor's one-time code, passkeys; `fed` another identity provider (migration 0021). */
export type AuthMethod = 'pwd' | 'otp' | 'hwk' | 'swk' | 'fed';

export interface OneTimeTokensTable {
  id: Generated<number>;
  user_id: number;
  purpose: TokenPurpose;
  /** SHA-256 of the token; the token itself is never stored. */
  token_hash: Buffer;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  /** change_email only: the address the code moves the account to (migration 0010). */
  new_email: string | null;
}

export interface RateLimitsTable {
  bucket: string;
  window_start: Timestamp;
  hits: number;
}

export interface KnownAddressesTable {
  user_id: number;
  address: string;
  last_login_at: Timestamp;
}

/** The second factor: an account's TOTP secret, sealed (src/auth/mfa/sealed-secret.ts); pending until confirmed. */
export interface TotpFactorsTable {
  user_id: number;
  secret_sealed: Buffer;
  confirmed_at: Timestamp | null;
  /** The time step of the last accepted code. */
  last_used_step: number | null;
  created_at: GeneratedTimestamp;
  /** Set when wrong codes passed the long-window cap (RATE_LIMIT_MFA_DAY); only a password reset clears it (migration 0015). */
  locked_at: Timestamp | null;
}

export interface RecoveryCodesTable {
  user_id: number;
  /** SHA-256 of the normalised code. */
  code_hash: Buffer;
}

export interface MfaChallengesTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 of the mfaToken. */
  token_hash: Buffer;
  expires_at: Timestamp;
  tries_left: number;
  /** How the first step went (migration 0021): the password, or another identity provider. */
  amr: ColumnType<'pwd' | 'fed', 'pwd' | 'fed' | undefined, never>;
}

/** An identity at another provider linked to an account (migration 0021). */
export interface FederatedIdentitiesTable {
  id: Generated<number>;
  user_id: number;
  provider: string;
  subject: string;
  /** What the provider last asserted; not the account's address. */
  email: string | null;
  created_at: GeneratedTimestamp;
  last_used_at: GeneratedTimestamp;
}

/** A sign-in at a provider under way (migration 0021): taken once by its callback. */
export interface FederatedSignInsTable {
  id: Generated<number>;
  /** SHA-256 of `state`. */
  state_hash: Buffer;
  provider: string;
  code_verifier: string;
  nonce: string;
  return_to: string;
  /** A link from the account page: the account the identity joins (indexed, migration 0022: a change of its secrets retires it). */
  link_user_id: number | null;
  expires_at: Timestamp;
}

/** A passkey (WebAuthn credential) of an account (migration 0017). */
export interface PasskeysTable {
  id: Generated<number>;
  user_id: number;
  credential_id: Buffer;
  /** The COSE public key as the authenticator gave it. */
  public_key: Buffer;
  sign_count: ColumnType<number, number | undefined, number>;
  transports: ColumnType<string[], string[] | undefined, string[]>;
  aaguid: string;
  /** The BE flag: a passkey its provider may sync (swk), else device-bound (hwk). */
  backup_eligible: boolean;
  name: string;
  created_at: GeneratedTimestamp;
  last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** `second_step`: the login's second step, bound to its ticket; `step_up`: a guarded change's, bound to the account (migration 0019). */
export type WebAuthnPurpose = 'register' | 'login' | 'second_step' | 'step_up';

/** A WebAuthn ceremony's challenge: single use, minutes (migration 0017). */
export interface WebAuthnChallengesTable {
  id: Generated<number>;
  /** base64url, as the browser echoes it in clientDataJSON. */
  challenge: string;
  purpose: WebAuthnPurpose;
  /** Null for a passwordless sign-in: nobody is known yet. */
  user_id: number | null;
  /** The login ticket (`mfa_challenges`) a `second_step` challenge serves; null for the others. */
  mfa_challenge_id: ColumnType<number | null, number | null | undefined, number | null>;
  expires_at: Timestamp;
}

export interface PostsTable {
  id: Generated<number>;
  user_id: number;
  title: string;
  body: string;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface CommentsTable {
  id: Generated<number>;
  post_id: number;
  user_id: number;
  body: string;
  created_at: GeneratedTimestamp;
}

export type SecurityEventKind =
  | 'login_succeeded'
  | 'login_failed'
  | 'logout'
  | 'session_revoked'
  | 'other_sessions_revoked'
  | 'password_changed'
  | 'reset_requested'
  | 'password_reset'
  | 'email_change_requested'
  | 'email_changed'
  | 'account_confirmed'
  | 'account_deleted'
  // The second factor's (src/auth/mfa/events.ts).
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'recovery_code_used'
  | 'mfa_failed'
  // The proven mailbox (migration 0013).
  | 'email_verified'
  | 'mfa_removed_by_reset'
  // Passkeys (migration 0017).
  | 'passkey_added'
  | 'passkey_removed'
  // What an operator did to the account (migration 0018; the admin trail names who).
  | 'role_granted'
  | 'role_revoked'
  | 'account_banned'
  | 'account_unbanned'
  | 'sessions_ended_by_admin'
  | 'reset_sent_by_admin'
  // A second factor or passkeys removed by an admin (migration 0020).
  | 'mfa_removed_by_admin'
  | 'passkeys_removed_by_admin'
  // Other identity providers (migration 0021).
  | 'identity_linked'
  | 'identity_unlinked';
export type LoginFailure = 'wrong_password' | 'unconfirmed' | 'rate_limited' | 'wrong_passkey' | 'banned';

export interface SecurityEventsTable {
  id: Generated<number>;
  /** Null only for account_deleted, whose account is gone. */
  user_id: number | null;
  /** account_deleted only: the id the account had. */
  deleted_user_id: number | null;
  kind: SecurityEventKind;
  reason: LoginFailure | null;
  ip: string | null;
  user_agent: string | null;
  created_at: GeneratedTimestamp;
}

/** Kept by triggers (sql/migrations/0006_list_totals.sql); the service only reads them. */
export type ListName = 'users' | 'confirmed_users' | 'posts';

export interface ListTotalsTable {
  list: ListName;
  total: number;
}

export interface PostCommentTotalsTable {
  post_id: number;
  total: number;
}

/** A key another backend sends as a Bearer token (migration 0018): only its SHA-256 is kept. */
export interface ServiceKeysTable {
  id: Generated<number>;
  name: string;
  /** The key's first characters, shown to tell keys apart. */
  prefix: string;
  key_hash: Buffer;
  scopes: ColumnType<ServiceScope[], ServiceScope[], never>;
  created_by: number | null;
  created_at: GeneratedTimestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export type ServiceScope = 'users:read' | 'users:write';

export type AdminAction =
  | 'role_granted'
  | 'role_revoked'
  | 'user_banned'
  | 'user_unbanned'
  | 'sessions_ended'
  | 'reset_sent'
  | 'mfa_removed'
  | 'passkeys_removed'
  | 'user_deleted'
  | 'service_key_created'
  | 'service_key_revoked';

/** The admin trail (migration 0018): every admin action with its actor, an account or a key. */
export interface AdminActionsTable {
  id: Generated<number>;
  actor_user_id: number | null;
  actor_key_id: number | null;
  actor_name: string;
  action: AdminAction;
  target_user_id: number | null;
  target_key_id: number | null;
  detail: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: GeneratedTimestamp;
}

export interface Database {
  users: UsersTable;
  user_profiles: UserProfilesTable;
  sessions: SessionsTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebAuthnChallengesTable;
  one_time_tokens: OneTimeTokensTable;
  rate_limits: RateLimitsTable;
  known_addresses: KnownAddressesTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  posts: PostsTable;
  comments: CommentsTable;
  security_events: SecurityEventsTable;
  list_totals: ListTotalsTable;
  post_comment_totals: PostCommentTotalsTable;
  service_keys: ServiceKeysTable;
  admin_actions: AdminActionsTable;
  federated_identities: FederatedIdentitiesTable;
  federated_sign_ins: FederatedSignInsTable;
}

export type UserRow = Selectable<UsersTable>;
export type ProfileRow = Selectable<UserProfilesTable>;

// The response bodies, as valibot schemas, and the pieces several endpoint
// declarations share. The OpenAPI document is built from them, the contract
// tests check every response the endpoint tests receive against them, and a
// type test holds them equal to the view types the core returns (UserView, PostView, ...). Objects are strict, so a field the
// document does not name (a password hash, say) fails the contract.
import * as v from 'valibot';
import { ERRORS, type ErrorCode } from '../common/errors.ts';
import { idSchema } from '../common/ids.ts';
import type { LoginFailure, SecurityEventKind } from '../db/schema.ts';
import type { Answer, HeaderName } from '../http/endpoint.ts';
import { GENDERS, MARITAL_STATUSES } from '../users/profile-options.ts';

/** The `{id}` path parameter. */
export const idParam = { id: idSchema };

export const noContent = (description: string, headers?: HeaderName[]): Answer => ({
  status: 204,
  description,
  ...(headers && { headers }),
});

/** The answers of a public document served by cacheableJson (src/http/respond.ts): 200 with an ETag, or 304. */
export const cacheable = (description: string, body: v.GenericSchema): Answer[] => [
  { status: 200, description, body, headers: ['ETag', 'Cache-Control'] },
  { status: 304, description: 'Not modified since the ETag sent', headers: ['ETag', 'Cache-Control'] },
];

export const PAGINATED =
  'Paged by `cursor` (follow `nextCursor`, or the `Link: <…>; rel="next"` header: as fast on the last page as on the first) ' +
  'or by `page` (a page past the end has no items and the real total); `pageSize` either way. ' +
  'A cursor that this list did not give, or that was changed, is a 400.';

const id = v.pipe(v.number(), v.safeInteger(), v.minValue(1));
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const timestamp = v.pipe(v.string(), v.isoTimestamp());
const text = v.string();

export const userView = v.strictObject({
  id,
  username: text,
  email: v.optional(v.pipe(text, v.description('Only in answers to the account owner.'))),
  confirmed: v.boolean(),
  createdAt: timestamp,
});

export const publicUserView = v.omit(userView, ['email']);

export const accountUserView = v.strictObject({
  ...userView.entries,
  email: text,
  emailVerified: v.pipe(
    v.boolean(),
    v.description(
      'Whether the address is proven: a registration or e-mail change code came back from it, or a password reset was completed with its token. ' +
        'A second factor needs it; an account made by the classic `POST /users` proves it with a code from `POST /api/register/resend`.',
    ),
  ),
  mfa: v.pipe(
    v.strictObject({ totp: v.boolean() }),
    v.description('The second factors that are on: `totp` once an enrolment is confirmed (a pending one enforces nothing)'),
  ),
});

export const profileView = v.strictObject({
  bio: v.nullable(text),
  location: v.nullable(text),
  birthday: v.nullable(v.pipe(v.string(), v.isoDate())),
  gender: v.nullable(v.picklist(GENDERS)),
  maritalStatus: v.nullable(v.picklist(MARITAL_STATUSES)),
});

export const authorRef = v.strictObject({ id, username: text, profileUrl: v.pipe(text, v.startsWith('/api/users/')) });

export const directoryEntry = v.strictObject({ ...authorRef.entries, createdAt: timestamp });

export const publicProfile = v.strictObject({
  user: publicUserView,
  profile: profileView,
  stats: v.strictObject({ posts: count, comments: count }),
});

export const postView = v.strictObject({ id, title: text, body: text, createdAt: timestamp, updatedAt: timestamp, author: authorRef });

export const commentView = v.strictObject({ id, postId: id, body: text, createdAt: timestamp, author: authorRef });

/** What every view of a session says of it: when, and how it was authenticated. */
export const sessionFacts = {
  id,
  createdAt: timestamp,
  expiresAt: timestamp,
  lastSeenAt: v.pipe(timestamp, v.description('When the session was last used, updated at most once an hour.')),
  amr: v.pipe(
    v.array(v.picklist(['pwd', 'otp', 'hwk', 'swk', 'fed'])),
    v.description(
      'How the session was authenticated (RFC 8176): `pwd` the password, `otp` a code of the second factor (a recovery code included), `hwk`/`swk` a passkey, `fed` another identity provider.',
    ),
  ),
  aal: v.pipe(
    v.picklist(['aal1', 'aal2']),
    v.description('The assurance level: `aal2` when a second factor was given at login, `aal1` for the password alone.'),
  ),
};

export const sessionItem = v.strictObject({
  ...sessionFacts,
  userAgent: v.pipe(v.nullable(text), v.description('The User-Agent that opened the session, trimmed to 256 characters.')),
  ip: v.pipe(v.nullable(text), v.description('The client address that opened the session.')),
  current: v.pipe(v.boolean(), v.description('Whether this is the session making the request.')),
});

export const currentSession = v.strictObject({ session: v.strictObject(sessionFacts) });

export const listPage = <T extends v.GenericSchema>(item: T) => ({
  items: v.array(item),
  page: v.pipe(v.nullable(id), v.description('The page number asked for; null when the page was asked for by cursor.')),
  pageSize: id,
  nextCursor: v.pipe(
    v.nullable(text),
    v.description('Opaque; send it as `cursor` for the next page (the `Link` header has that URL). null on the last page.'),
  ),
});

export const pageOf = <T extends v.GenericSchema>(item: T) =>
  v.strictObject({
    ...listPage(item),
    total: v.pipe(
      count,
      v.description('Exact: how many items the whole list has, read from counters kept in the same transaction as every change.'),
    ),
  });

export const userPage = pageOf(directoryEntry);
export const postPage = pageOf(postView);
export const commentPage = pageOf(commentView);

const DEVELOPMENT_ONLY = 'Present only when the service has no mail provider, and never in production.';

export const registered = v.strictObject({
  user: userView,
  confirmation: v.strictObject({ expiresAt: timestamp, code: v.optional(v.pipe(text, v.description(DEVELOPMENT_ONLY))) }),
});

export const withUser = v.strictObject({ user: userView });

export const emailChangeRequested = v.strictObject({
  pendingEmail: v.pipe(text, v.description('The address the account moves to once the code sent there is used.')),
  expiresAt: timestamp,
  code: v.optional(v.pipe(text, v.description(DEVELOPMENT_ONLY))),
});

export const resendAccepted = v.strictObject({
  message: text,
  confirmation: v.optional(v.pipe(v.strictObject({ code: text, expiresAt: timestamp }), v.description(DEVELOPMENT_ONLY))),
});

export const loggedIn = v.strictObject({ token: text, tokenType: v.literal('Bearer'), expiresAt: timestamp, user: userView });

export const me = v.strictObject({ user: accountUserView, profile: profileView });

export const withProfile = v.strictObject({ profile: profileView });

export const passwordChanged = v.strictObject({ revokedSessions: count });

// The second factor.
export const totpEnrolment = v.strictObject({
  secret: v.pipe(text, v.description('The shared secret in base32, for typing into an authenticator app')),
  otpauthUri: v.pipe(text, v.description('`otpauth://totp/…` (SHA-1, 6 digits, 30 s), for a QR code')),
});

const recoveryCodeList = v.pipe(
  v.array(text),
  v.description('Ten single-use codes (`xxxx-xxxx-xxxx-xxxx`) for when the app is lost; shown only now'),
);

export const mfaEnabled = v.strictObject({ recoveryCodes: recoveryCodeList, revokedSessions: count });

export const recoveryCodes = v.strictObject({ recoveryCodes: recoveryCodeList });

// Passkeys.
export const passkeyView = v.strictObject({
  id,
  name: text,
  createdAt: timestamp,
  lastUsedAt: v.nullable(timestamp),
  kind: v.pipe(
    v.picklist(['synced', 'device-bound']),
    v.description('`synced`: its provider may copy it to other devices (amr `swk`); else `hwk`'),
  ),
  transports: v.array(text),
  aaguid: v.pipe(text, v.description("The authenticator's model (all zeros when it does not say)")),
});

export const passkey = v.strictObject({ passkey: passkeyView });

export const passkeyList = v.strictObject({ items: v.array(passkeyView) });

/** WebAuthn's PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON, for the browser's parse…FromJSON(). */
export const passkeyOptions = v.strictObject({
  options: v.pipe(
    v.looseObject({ challenge: text }),
    v.description(
      'For `PublicKeyCredential.parseCreationOptionsFromJSON()` (or …RequestOptions…): the challenge is single use and lives 5 minutes',
    ),
  ),
});

export const sessionList = v.strictObject(listPage(sessionItem));

export const sessionsRevoked = v.strictObject({ revokedSessions: count });

const EVENT_KINDS = [
  'login_succeeded',
  'login_failed',
  'logout',
  'session_revoked',
  'other_sessions_revoked',
  'password_changed',
  'reset_requested',
  'password_reset',
  'email_change_requested',
  'email_changed',
  'account_confirmed',
  'mfa_enabled',
  'mfa_disabled',
  'recovery_code_used',
  'mfa_failed',
  'email_verified',
  'mfa_removed_by_reset',
  'passkey_added',
  'passkey_removed',
  'role_granted',
  'role_revoked',
  'account_banned',
  'account_unbanned',
  'sessions_ended_by_admin',
  'reset_sent_by_admin',
  'mfa_removed_by_admin',
  'passkeys_removed_by_admin',
] as const satisfies readonly SecurityEventKind[];

export const eventView = v.strictObject({
  id,
  kind: v.picklist(EVENT_KINDS),
  reason: v.pipe(
    v.nullable(
      v.picklist(['wrong_password', 'unconfirmed', 'rate_limited', 'wrong_passkey', 'banned'] as const satisfies readonly LoginFailure[]),
    ),
    v.description('Why a login failed.'),
  ),
  ip: v.pipe(v.nullable(text), v.description('The client address, when the platform gave one.')),
  userAgent: v.nullable(text),
  createdAt: timestamp,
});

export const eventPage = v.strictObject(listPage(eventView));

export const resetRequested = v.strictObject({
  message: text,
  token: v.optional(v.pipe(text, v.description(DEVELOPMENT_ONLY))),
  expiresAt: v.optional(v.pipe(timestamp, v.description(DEVELOPMENT_ONLY))),
});

export const passwordReset = v.strictObject({ user: userView, revokedSessions: count });

export const health = v.strictObject({ status: v.literal('ok') });

export const withPost = v.strictObject({ post: postView });

export const withComment = v.strictObject({ comment: commentView });

/** The /api error envelope, its `code` narrowed to the codes of `status`. */
export function apiError(status: number) {
  const codes = (Object.keys(ERRORS) as ErrorCode[]).filter((code) => ERRORS[code].status === status);
  // A field only some codes carry (mfa_required's mfaToken and methods), optional for the status.
  const fields = codes.flatMap((code) => {
    const entry = ERRORS[code] as { fields?: Record<string, 'text' | 'list'> };
    return Object.entries(entry.fields ?? {}).map(
      ([name, kind]) =>
        [name, v.optional(v.pipe(kind === 'text' ? text : v.array(text), v.description(`With \`${code}\` only.`)))] as const,
    );
  });
  return v.strictObject({
    error: v.strictObject({
      code: v.picklist(codes),
      message: text,
      ...Object.fromEntries(fields),
      details: v.optional(
        v.pipe(v.record(v.string(), v.array(text)), v.description('For validation errors: every rule each field broke.')),
      ),
    }),
  });
}

export const classicMessage = v.strictObject({ message: text });

export const classicAccount = v.strictObject({ email: text, message: text });

export const classicProfile = v.strictObject({ email: text });

export const classicResetIssued = v.strictObject({ email: text, reset_token: v.optional(v.pipe(text, v.description(DEVELOPMENT_ONLY))) });

// Access tokens and the keys that verify them.
export const accessToken = v.strictObject({
  accessToken: v.pipe(text, v.description('A JWT (header `typ: at+jwt`, RFC 9068) signed with the current key of /.well-known/jwks.json')),
  tokenType: v.literal('Bearer'),
  expiresIn: v.pipe(count, v.description('Seconds until it expires')),
});

export const publicJwk = v.strictObject({
  kty: v.literal('EC'),
  crv: v.literal('P-256'),
  x: text,
  y: text,
  kid: text,
  alg: v.literal('ES256'),
  use: v.literal('sig'),
});

export const jwks = v.strictObject({
  keys: v.pipe(v.array(publicJwk), v.description('Public keys only; empty when the service signs with JWT_SECRET alone')),
});

export const openIdConfiguration = v.strictObject({
  issuer: v.pipe(text, v.url(), v.description('The `iss` of access tokens')),
  jwks_uri: v.pipe(text, v.url(), v.description('Where the verification keys are')),
  response_types_supported: v.pipe(v.array(text), v.length(0), v.description('None: there is no authorization endpoint')),
  grant_types_supported: v.pipe(v.array(text), v.length(0), v.description('None: there is no OAuth token endpoint')),
  subject_types_supported: v.strictTuple([v.literal('public')]),
});

/** The document itself, as far as a client relies on it. */
export const openApiDocument = v.looseObject({
  openapi: v.literal('3.1.0'),
  info: v.looseObject({ title: text, version: text }),
  paths: v.record(v.string(), v.looseObject({})),
});

/** Sign-in with other identity providers (src/auth/providers/README.md). */
export const providerList = v.strictObject({
  items: v.array(
    v.strictObject({
      id: text,
      name: text,
      startUrl: v.pipe(text, v.description('GET it in the browser (a link), with ?returnTo=<path> to land elsewhere than /app/.')),
    }),
  ),
});

export const identityView = v.strictObject({
  id,
  provider: text,
  providerName: text,
  email: v.pipe(v.nullable(text), v.description("What the provider last asserted; not necessarily the account's address.")),
  createdAt: timestamp,
  lastUsedAt: timestamp,
});

export const identityList = v.strictObject({ items: v.array(identityView) });

export const linkStarted = v.strictObject({
  location: v.pipe(text, v.description("The provider's authorization URL: send the browser there.")),
});

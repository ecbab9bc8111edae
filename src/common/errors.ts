// The error vocabulary of the service: every error a client can receive has a
// stable `code` (as jose's errors do), and this table gives each code its
// HTTP status and default message. Code anywhere raises `new HttpError(code)`
// (with a more precise message, details or headers when it has them); the
// route wrapper (src/http/route.ts) is the one place that renders them, and
// the OpenAPI document reads its statuses from the same table.

export const ERRORS = {
  invalid_json: { status: 400, message: 'The body is not valid JSON.' },
  validation_failed: { status: 400, message: 'The request is not valid.' },
  unauthenticated: { status: 401, message: 'Authentication is required: send a valid token.' },
  invalid_credentials: { status: 401, message: 'The username or e-mail address and password do not match an account.' },
  account_not_confirmed: { status: 403, message: 'Confirm your e-mail address with the code you were sent, then log in.' },
  forbidden: { status: 403, message: 'You may not do that.' },
  // The second factor. mfa_required carries the mfaToken for POST /api/login/mfa, and the methods the account has for it.
  mfa_required: {
    status: 403,
    message:
      'This account has a second factor: send the mfaToken with a code from the authenticator app, a recovery code or a passkey (see methods) ' +
      'to POST /api/login/mfa.',
    fields: { mfaToken: 'text', methods: 'list' },
  },
  invalid_mfa_code: { status: 401, message: 'The code is not valid (a code is accepted once, within 30 seconds of its time).' },
  mfa_token_invalid: { status: 401, message: 'This login step is unknown, used, expired or out of tries: log in again.' },
  // A second factor, a passkey or a linked identity needs a proven address (src/auth/README.md, "The proven mailbox").
  email_unverified: {
    status: 403,
    message:
      'Prove your e-mail address first: ask for a code with POST /api/register/resend and use it (or reset your password), then try again.',
  },
  // A change that could take the account away (password, e-mail, deletion, the factor itself) on an account with a factor.
  step_up_required: {
    status: 403,
    message:
      'This change needs a second proof: send `code`, a current code from the authenticator app or one of the recovery codes, or `passkey`, ' +
      'the answer to the options of POST /api/me/step-up/options, with the request.',
  },
  // Operators (src/auth/admin/README.md): a ban refuses the login after a correct password, on both surfaces.
  account_banned: { status: 403, message: 'This account is suspended.' },
  aal2_required: {
    status: 403,
    message: 'The admin routes need a session opened with a second factor (aal2): log in again through POST /api/login/mfa.',
  },
  // What an admin proves with a code of their own second factor (removing a user's factors): a service key has none.
  admin_session_required: {
    status: 403,
    message: "Only an admin's own session may do this, with a code of the admin's second factor: a service key cannot.",
  },
  mfa_already_enabled: { status: 409, message: 'A second factor is already enabled; disable it before enrolling again.' },
  // Past RATE_LIMIT_MFA_DAY: no wait lifts it, a password reset does (src/auth/mfa/README.md).
  mfa_locked: {
    status: 429,
    message: 'Too many wrong codes: the second step of this account is locked until its password is reset (POST /api/password/forgot).',
  },
  // Passkeys (src/auth/passkeys/README.md). One answer for every refused assertion: nothing is learned from which check failed.
  passkey_invalid: {
    status: 401,
    message: 'The passkey could not be verified, or its challenge is unknown, used or expired: ask for new options and try again.',
  },
  passkey_limit: { status: 409, message: 'This account has as many passkeys as it may have: remove one first.' },
  passkey_already_registered: { status: 409, message: 'This passkey is already registered.' },
  passkeys_unavailable: { status: 503, message: 'Passkeys are not available on this deploy: it has no address to bind them to.' },
  // Other identity providers (src/auth/providers/README.md). One answer for every refused
  // callback: an unknown, used, expired or other browser's state, a refused code or ID token.
  federation_failed: {
    status: 401,
    message: 'The sign-in with the identity provider could not be completed (unknown, used or expired, or refused): start again.',
  },
  identity_email_taken: {
    status: 409,
    message:
      "An account already uses the provider's e-mail address, which it did not prove or the provider did not verify: log in to that account and link the provider from the account page.",
  },
  identity_email_missing: { status: 403, message: 'The identity provider gave no e-mail address: an account needs one.' },
  identity_taken: { status: 409, message: 'This identity is already linked to another account.' },
  last_way_in: {
    status: 409,
    message: 'This account has no password: set one with a password reset (POST /api/password/forgot) before unlinking a provider.',
  },
  provider_unavailable: {
    status: 503,
    message: 'The identity provider did not answer in time, or answered with an error: try again later.',
  },
  mfa_unavailable: { status: 503, message: 'The second factor is not available on this service at the moment.' },
  not_found: { status: 404, message: 'Not found.' },
  method_not_allowed: { status: 405, message: 'This path does not answer that method.' },
  username_taken: { status: 409, message: 'That username is already taken.' },
  email_taken: { status: 409, message: 'An account with that e-mail already exists.' },
  code_expired: { status: 410, message: 'This code has expired; ask for a new one.' },
  payload_too_large: { status: 413, message: 'The body is too large.' },
  unsupported_media_type: {
    status: 415,
    message: 'Send application/json, application/x-www-form-urlencoded or multipart/form-data.',
  },
  rate_limited: { status: 429, message: 'Too many requests; try again later.' },
  internal_error: { status: 500, message: 'Something went wrong on our side.' },
  service_unavailable: { status: 503, message: 'The service is temporarily unavailable; try again shortly.' },
  // Access tokens need an asymmetric key, which a deploy with only JWT_SECRET lacks (a
  // setting of the deploy, not a fault: not a 5xx).
  access_tokens_unavailable: { status: 404, message: 'This service has no signing key, so it issues no access tokens.' },
} as const satisfies Record<string, { status: number; message: string; fields?: Record<string, 'text' | 'list'> }>;

export type ErrorCode = keyof typeof ERRORS;

/** The extra fields of an error object, by name: only those its code lists in `fields` (mfa_required's mfaToken and methods). */
export type ErrorFields = Record<string, string | string[]>;

/** Field name -> every rule the value broke. */
export type ErrorDetails = Record<string, string[]>;

export interface ErrorExtras {
  details?: ErrorDetails | undefined;
  headers?: Record<string, string> | undefined;
  /** Fields the table lists for this code (`fields`), rendered beside code and message on /api. */
  fields?: ErrorFields | undefined;
  /** Only for a restatement (src/http/classic.ts): the classic routes answer a few codes with another status. */
  status?: number | undefined;
}

/**
 * An error a client is told about, by its code: `throw new HttpError('not_found', 'No such post.')`.
 * Any other error reaching the route wrapper is a 500 that shows nothing of itself.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly details?: ErrorDetails;
  readonly headers?: Record<string, string>;
  readonly fields?: ErrorFields;

  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].message,
    { details, headers, status, fields }: ErrorExtras = {},
  ) {
    super(message);
    this.status = status ?? ERRORS[code].status;
    if (details !== undefined) this.details = details;
    if (headers !== undefined) this.headers = headers;
    if (fields !== undefined) this.fields = fields;
  }
}

/** 400 naming every rule each field broke. */
export const validationFailed = (details: ErrorDetails, message?: string) => new HttpError('validation_failed', message, { details });

/** 429 with the seconds until the window that refused the request ends. */
export const rateLimited = (retryAfterSeconds: number) =>
  new HttpError('rate_limited', undefined, { headers: { 'Retry-After': String(retryAfterSeconds) } });

/** 503 with the seconds a client should wait before trying again. */
export const serviceUnavailable = (retryAfterSeconds: number, message?: string) =>
  new HttpError('service_unavailable', message, { headers: { 'Retry-After': String(retryAfterSeconds) } });

// The pages' only way to the service: same-origin fetch of the public JSON
// API, authenticated by the session_id cookie the login sets (HttpOnly, so no
// script ever holds a credential). Errors arrive as the API's envelope
// {error: {code, message, details}} and leave here as one ApiError.
import type * as v from 'valibot';
import type * as adminAnswers from '../endpoints/admin-responses.ts';
import type * as answers from '../endpoints/responses.ts';

export type FieldErrors = Record<string, string[]>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldErrors = {},
    readonly retryAfter?: number,
    /** With mfa_required only: the token of the login's second step. */
    readonly mfaToken?: string,
    /** With mfa_required only: what the second step takes (`totp`, `recovery_code`, `passkey`). */
    readonly methods: string[] = [],
  ) {
    super(message);
  }
}

interface Envelope {
  error?: { code?: string; message?: string; details?: FieldErrors; mfaToken?: string; methods?: string[] };
}

/**
 * Told when the API answers 401 unauthenticated: the session ended elsewhere
 * (logout, a password change, a ban), so the page must stop showing the
 * person as signed in at their next request rather than at the next reload.
 */
let sessionEnded: () => void = () => undefined;
export const onSessionEnded = (listener: () => void) => {
  sessionEnded = listener;
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The service could not be reached. Check your connection and try again.');
  }
  const text = await res.text();
  const parsed: unknown = text === '' ? undefined : JSON.parse(text);
  if (res.ok) return parsed as T;
  const error = (parsed as Envelope | undefined)?.error;
  if (res.status === 401 && error?.code === 'unauthenticated') sessionEnded();
  const retry = Number(res.headers.get('retry-after'));
  throw new ApiError(
    res.status,
    error?.code ?? 'unknown',
    error?.message ?? `The service answered ${res.status}.`,
    error?.details ?? {},
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
    error?.mfaToken,
    error?.methods,
  );
}

export const segment = encodeURIComponent;

// The shapes the pages read, derived from the response schemas the API's
// answers are checked against (src/endpoints/responses.ts), so the two cannot
// disagree. Type-only imports: nothing of valibot or the schemas reaches the
// browser bundle.
type Answer<Schema extends v.GenericSchema> = v.InferOutput<Schema>;

export type User = Answer<typeof answers.userView>;
export type Profile = Answer<typeof answers.profileView>;
export type Author = Answer<typeof answers.authorRef>;
export type Me = Answer<typeof answers.me>;
export type Post = Answer<typeof answers.postView>;
export type Comment = Answer<typeof answers.commentView>;
export type Session = Answer<typeof answers.sessionItem>;
export type SessionList = Answer<typeof answers.sessionList>;
export type DirectoryEntry = Answer<typeof answers.directoryEntry>;
export type PublicProfile = Answer<typeof answers.publicProfile>;
export type Registered = Answer<typeof answers.registered>;
export type WithUser = Answer<typeof answers.withUser>;
export type WithPost = Answer<typeof answers.withPost>;
export type WithProfile = Answer<typeof answers.withProfile>;
export type EmailChangeRequested = Answer<typeof answers.emailChangeRequested>;
export type ResetRequested = Answer<typeof answers.resetRequested>;
export type RevokedSessions = Answer<typeof answers.sessionsRevoked>;
export type PasswordChanged = Answer<typeof answers.passwordChanged>;
export type ResendAccepted = Answer<typeof answers.resendAccepted>;
export type TotpEnrolment = Answer<typeof answers.totpEnrolment>;
export type MfaEnabled = Answer<typeof answers.mfaEnabled>;
export type RecoveryCodeList = Answer<typeof answers.recoveryCodes>;
export type ProviderList = Answer<typeof answers.providerList>;
export type Identity = Answer<typeof answers.identityView>;
export type IdentityList = Answer<typeof answers.identityList>;
export type LinkStarted = Answer<typeof answers.linkStarted>;
export type AdminUser = Answer<typeof adminAnswers.adminUser>;
export type AdminUserDetail = Answer<typeof adminAnswers.adminUserDetail>;
export type RemovedPasskeys = Answer<typeof adminAnswers.removedPasskeys>;
export type ServiceKey = Answer<typeof adminAnswers.serviceKey>;
export type NewServiceKey = Answer<typeof adminAnswers.newServiceKey>;
export type Passkey = Answer<typeof answers.passkeyView>;
export type WithPasskey = Answer<typeof answers.passkey>;
export type PasskeyList = Answer<typeof answers.passkeyList>;
export type PasskeyOptions = Answer<typeof answers.passkeyOptions>;
/** A page of any list the API pages (`pageOf` in src/endpoints/responses.ts). */
export type PageOf<Item> = Omit<Answer<ReturnType<typeof answers.pageOf>>, 'items'> & { items: Item[] };
/** The admin lists page without a total. */
export type ListOf<Item> = Omit<PageOf<Item>, 'total'> & { total?: number };

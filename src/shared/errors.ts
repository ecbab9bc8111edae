// The error vocabulary of the API (shared/API.md). Core code throws these;
// the route wrapper turns them into responses.

export type ErrorCode =
  | 'invalid_json'
  | 'validation_failed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'account_not_confirmed'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'username_taken'
  | 'email_taken'
  | 'code_expired'
  | 'rate_limited'
  | 'internal_error'
  | 'service_unavailable';

/** Field name -> every rule the value broke. */
export type ErrorDetails = Record<string, string[]>;

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const validationFailed = (details: ErrorDetails, message = 'The request is not valid.') =>
  new HttpError(400, 'validation_failed', message, details);

export const notFound = (message = 'Not found.') => new HttpError(404, 'not_found', message);

export const unauthenticated = () =>
  new HttpError(401, 'unauthenticated', 'Authentication is required: send a valid token.');

export const forbidden = (message = 'You may not do that.') => new HttpError(403, 'forbidden', message);

export const rateLimited = (retryAfterSeconds: number) =>
  new HttpError(429, 'rate_limited', 'Too many requests; try again later.', undefined, {
    'Retry-After': String(retryAfterSeconds),
  });

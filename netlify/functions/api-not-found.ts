// Any other path under /api/ (any method) — 0 SQL statements: the JSON error
// envelope (404 not_found) instead of the platform's plain-text page.
//
// Which of two functions whose paths both match a request runs is not
// something to rely on (netlify dev tries them in the order it found them), so
// this one excludes every real path instead of hoping to be tried last. A test
// keeps the list equal to the paths the other functions serve.
import { HttpError } from '../../src/common/errors.ts';
import { alwaysError } from '../../src/http/route.ts';

export const config = {
  path: '/api/*',
  excludedPath: [
    '/api/admin/service-keys',
    '/api/admin/service-keys/:id',
    '/api/admin/users',
    '/api/admin/users/:id',
    '/api/admin/users/:id/ban',
    '/api/admin/users/:id/mfa',
    '/api/admin/users/:id/passkeys',
    '/api/admin/users/:id/password-reset',
    '/api/admin/users/:id/role',
    '/api/admin/users/:id/sessions',
    '/api/auth/:provider/callback',
    '/api/auth/:provider/start',
    '/api/auth/providers',
    '/api/comments/:id',
    '/api/health',
    '/api/login',
    '/api/login/mfa',
    '/api/login/mfa/passkey/options',
    '/api/login/passkey',
    '/api/login/passkey/options',
    '/api/logout',
    '/api/me',
    '/api/me/email',
    '/api/me/email/confirm/:code',
    '/api/me/events',
    '/api/me/identities',
    '/api/me/identities/:id',
    '/api/me/mfa/recovery-codes',
    '/api/me/mfa/totp',
    '/api/me/mfa/totp/confirm',
    '/api/me/passkeys',
    '/api/me/passkeys/:id',
    '/api/me/passkeys/options',
    '/api/me/password',
    '/api/me/profile',
    '/api/me/session',
    '/api/me/sessions',
    '/api/me/sessions/:id',
    '/api/me/step-up/options',
    '/api/openapi.json',
    '/api/password/forgot',
    '/api/password/reset',
    '/api/posts',
    '/api/posts/:id',
    '/api/posts/:id/comments',
    '/api/register',
    '/api/register/confirm/:code',
    '/api/register/resend',
    '/api/token',
    '/api/users',
    '/api/users/:username',
  ],
};

/** Serves no method of its own: every one is the 404 (the OpenAPI document lists none). */
export default alwaysError(
  config.path,
  new HttpError('not_found', 'Nothing is served at this path: GET /api/openapi.json lists every endpoint.'),
);

// The bodies and parameters of the provider routes, free of database code
// (the OpenAPI document carries them without the operations).
import * as v from 'valibot';
import { closedObject } from '../../common/field-rules.ts';
import { stepUpCode } from '../attempts/step-up.ts';

/**
 * A path of this site: one "/" then no second "/" or "\" (which browsers read
 * as another host), no scheme, no control character or space. Anything else
 * could send the browser, just signed in, to another site (an open redirect).
 */
export function isSameOriginPath(path: string): boolean {
  if (path.length > 512 || !/^\/(?![/\\])[^\s\p{Cc}\\]*$/u.test(path)) return false;
  const base = 'https://origin.invalid';
  try {
    return new URL(path, base).origin === base;
  } catch {
    return false;
  }
}

/** Where the browser goes after the sign-in: `/app/` unless told. */
export const returnTo = v.optional(
  v.pipe(
    v.string('must be a string'),
    v.check(isSameOriginPath, 'must be a path of this site, such as /app/account'),
    v.description('A path of this site to land on after the sign-in (default /app/).'),
  ),
  '/app/',
);

export const providerParam = {
  provider: v.pipe(
    v.string(),
    v.regex(/^[a-z][a-z0-9-]{0,31}$/, 'is not a provider id'),
    v.description('A provider id of GET /api/auth/providers.'),
  ),
};

export const startQuerySchema = v.object({ returnTo });

export const linkIdentitySchema = closedObject({
  provider: providerParam.provider,
  password: v.pipe(v.string('must be a string'), v.minLength(1, 'is required')),
  code: stepUpCode,
  returnTo,
});

export const unlinkIdentitySchema = closedObject({
  password: v.pipe(v.string('must be a string'), v.minLength(1, 'is required')),
  code: stepUpCode,
});

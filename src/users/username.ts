// The username rule (the README's API reference): 3-32 characters of a-z, 0-9 and _,
// starting with a letter; compared case-insensitively; reserved names refused.
import * as v from 'valibot';

/** Names that would be confusing or could impersonate the service. */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
  'admin', 'administrator', 'root', 'api', 'me', 'system', 'support', 'help', 'security', 'staff',
  'moderator', 'mod', 'owner', 'superuser', 'sysadmin', 'webmaster', 'postmaster', 'hostmaster',
  'abuse', 'noreply', 'no_reply', 'null', 'undefined', 'anonymous', 'guest', 'user', 'users',
  'login', 'logout', 'register', 'signup', 'signin', 'auth', 'account', 'accounts', 'settings',
  'profile', 'password', 'session', 'sessions', 'health', 'status', 'official', 'netlify',
]);

/** Accepts any case, outputs lower case. */
export const usernameSchema = v.pipe(
  v.string('must be a string'),
  v.transform((name) => name.toLowerCase()),
  v.minLength(3, 'must be at least 3 characters'),
  v.maxLength(32, 'must be at most 32 characters'),
  v.regex(/^[a-z]/, 'must start with a letter'),
  v.regex(/^[a-z0-9_]*$/, 'may contain only letters a-z, digits and _'),
  v.notValues([...RESERVED_USERNAMES], 'is reserved'),
);

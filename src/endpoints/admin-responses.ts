// The admin routes' bodies (src/auth/admin): apart from responses.ts, so that
// no user route's bundle carries them.
import * as v from 'valibot';
import { storableText } from '../common/field-rules.ts';
import { paginationSchema } from '../common/pagination.ts';
import { listPage, profileView, sessionFacts } from './responses.ts';

const id = v.pipe(v.number(), v.safeInteger(), v.minValue(1));
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const timestamp = v.pipe(v.string(), v.isoTimestamp());
const text = v.string();

export const ROLES = ['user', 'admin'] as const;

/** GET /api/admin/users: the pagination and the filters, every one optional. */
export const userSearchQuery = v.object({
  ...paginationSchema.entries,
  q: v.optional(
    v.pipe(
      v.string(),
      ...storableText,
      v.minLength(1, 'must not be empty'),
      v.maxLength(254, 'must be at most 254 characters'),
      v.description('A prefix of the e-mail address or of the username, any case.'),
    ),
  ),
  role: v.optional(v.picklist(ROLES, 'must be user or admin')),
  state: v.optional(
    v.pipe(
      v.picklist(['banned', 'unconfirmed', 'mfa'] as const, 'must be banned, unconfirmed or mfa'),
      v.description('`banned` now, `unconfirmed`, or with a second factor (`mfa`).'),
    ),
  ),
});

export const adminUser = v.strictObject({
  id,
  username: text,
  email: text,
  role: v.picklist(ROLES),
  confirmed: v.boolean(),
  emailVerified: v.boolean(),
  mfa: v.pipe(v.boolean(), v.description('Whether a second factor is enabled.')),
  ban: v.pipe(
    v.nullable(v.strictObject({ since: timestamp, until: v.nullable(timestamp), reason: text })),
    v.description('The ban in force, if any (`until` null: until lifted).'),
  ),
  createdAt: timestamp,
});

export const adminUserPage = v.strictObject(listPage(adminUser));

export const adminUserDetail = v.strictObject({
  user: adminUser,
  profile: profileView,
  secondFactor: v.nullable(
    v.strictObject({ enabled: v.boolean(), createdAt: timestamp, lockedAt: v.nullable(timestamp), recoveryCodesLeft: count }),
  ),
  passkeys: v.pipe(
    v.array(
      v.strictObject({
        id,
        name: text,
        createdAt: timestamp,
        lastUsedAt: v.nullable(timestamp),
        kind: v.picklist(['synced', 'device-bound']),
      }),
    ),
    v.description('Every passkey, oldest first: an id for DELETE /api/admin/users/{id}/passkeys.'),
  ),
  sessions: v.pipe(
    v.array(v.strictObject({ ...sessionFacts, userAgent: v.nullable(text), ip: v.nullable(text) })),
    v.description('The 20 newest live sessions.'),
  ),
  events: v.pipe(
    v.array(
      v.strictObject({ type: text, reason: v.nullable(text), createdAt: timestamp, ip: v.nullable(text), userAgent: v.nullable(text) }),
    ),
    v.description("The 20 newest events of the account's audit trail."),
  ),
  adminActions: v.pipe(
    v.array(
      v.strictObject({
        action: text,
        actor: v.pipe(text, v.description("The admin's username or the key's name, as it was then.")),
        actorUserId: v.nullable(id),
        actorKeyId: v.nullable(id),
        detail: v.nullable(text),
        createdAt: timestamp,
      }),
    ),
    v.description('The 20 newest admin actions on the account.'),
  ),
});

export const revokedSessions = v.strictObject({ revokedSessions: count });

export const removedPasskeys = v.strictObject({ removedPasskeys: count, revokedSessions: count });

export const resetSent = v.strictObject({ sent: v.boolean() });

export const serviceKey = v.strictObject({
  id,
  name: text,
  prefix: v.pipe(text, v.description("The key's first characters, to tell it apart.")),
  scopes: v.array(v.picklist(['users:read', 'users:write'])),
  createdAt: timestamp,
  lastUsedAt: v.nullable(timestamp),
  revokedAt: v.nullable(timestamp),
});

export const serviceKeyPage = v.strictObject(listPage(serviceKey));

export const newServiceKey = v.strictObject({
  key: serviceKey,
  secret: v.pipe(text, v.description('`sk_…`: shown this once; only its SHA-256 is kept.')),
});

export const KEYS_AUTH = 'An admin at `aal2` (else 403 `aal2_required`); a user, or a service key, is 403 `forbidden`.';

export const ADMIN_AUTH =
  'An admin at `aal2` (a session opened with a second factor; else 403 `aal2_required`), or `Authorization: Bearer <service key>` ' +
  'with the scope named; a user is 403 `forbidden`.';

export const ADMIN_STEP_UP =
  'An admin at `aal2` (else 403 `aal2_required`) with `code`, a current code of their own authenticator app or one of their ' +
  'recovery codes: without it 403 `step_up_required` (also for an admin with no authenticator app: enrol one first); a wrong ' +
  'one is a 400 `details.code`, counted on their own `RATE_LIMIT_MFA`. A service key is 403 `admin_session_required`, a user ' +
  "403 `forbidden`, as are one's own account (use the `/api/me` routes) and another admin's (revoke their role first). " +
  'Every session of the user ends; open login steps, unused reset links and a pending e-mail change are retired; the user is e-mailed.';

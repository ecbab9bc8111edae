// An admin removes a user's second factor or passkeys, for someone who lost
// their phone. The admin proves it is them with a code of their own second
// factor (the step-up of mfa/step-up.ts, handed in by the function), so it is
// TWO statements: (1) the actor, the target and the admin's code counted on
// the admin's own second-factor counters, before the code is checked; (2) the
// actor again, the target row locked, the code taken (compare-and-set), the
// removal, every session of the target ended, what was issued under the old
// factors retired, and both trails. A service key has no person to step up:
// 403 admin_session_required.
import { sql, type QueryCreator, type RawBuilder } from 'kysely';
import { HttpError, validationFailed } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import type { AdminAction, Database, SecurityEventKind } from '../../db/schema.ts';
import { removedByAdmin } from '../../mail/templates.ts';
import type { StepUp } from '../attempts/step-up.ts';
import type { Client } from '../base/requester.ts';
import { notify } from '../codes/delivery.ts';
import { retireIssued } from '../codes/retired.ts';
import { mfaKeys } from '../mfa/sealed-secret.ts';
import { ACTOR_ROW, agentOf, cte, gate, ipOf, withActor, type ActorRow, type AdminCredential } from './actor.ts';

/** The TOTP factor with its recovery codes, or the passkeys (every one, or the one of that id). */
export type Removal = { what: 'mfa' } | { what: 'passkeys'; passkeyId?: number | undefined };

const SPEC = {
  mfa: { event: 'mfa_removed_by_admin', action: 'mfa_removed', none: 'This user has no second factor enabled.' },
  passkeys: { event: 'passkeys_removed_by_admin', action: 'passkeys_removed', none: 'This user has no such passkey.' },
} as const satisfies Record<Removal['what'], { event: SecurityEventKind; action: AdminAction; none: string }>;

/** Whether the row `t` of users has what `removal` removes. */
function removable(removal: Removal): RawBuilder<boolean> {
  if (removal.what === 'mfa') return sql`EXISTS (SELECT FROM totp_factors f WHERE f.user_id = t.id AND f.confirmed_at IS NOT NULL)`;
  const one = removal.passkeyId === undefined ? sql`` : sql`AND p.id = ${removal.passkeyId}`;
  return sql`EXISTS (SELECT FROM passkeys p WHERE p.user_id = t.id ${one})`;
}

/** The rows that go: `id` the account's, `detail` for the admin trail (a passkey's name). */
function removing(removal: Removal, taken: RawBuilder<boolean>): RawBuilder<{ id: number; detail: string | null }> {
  if (removal.what === 'mfa') {
    return sql`DELETE FROM totp_factors WHERE user_id IN (SELECT id FROM target) AND confirmed_at IS NOT NULL AND ${taken}
      RETURNING user_id AS id, NULL::text AS detail`;
  }
  const one = removal.passkeyId === undefined ? sql`` : sql`AND id = ${removal.passkeyId}`;
  return sql`DELETE FROM passkeys WHERE user_id IN (SELECT id FROM target) ${one} AND ${taken} RETURNING user_id AS id, name AS detail`;
}

const noSuchUser = () => new HttpError('not_found', 'No such user.');

/**
 * Refusals, in the order both statements check them: the actor (401, 403),
 * one's own account (the user routes prove the password too), no such user,
 * another admin (their role is revoked first: two recorded steps, and their
 * factor is never removed by a stolen session of a peer alone), nothing to remove.
 */
function refuse(row: Checked | undefined, removal: Removal): asserts row is Checked {
  gate(row, 'step-up');
  if (row.target_id !== null && row.target_id === row.actor_user_id) {
    throw new HttpError(
      'forbidden',
      'Not on your own account: use DELETE /api/me/mfa/totp or /api/me/passkeys/{id}, which ask for your password.',
    );
  }
  if (row.target_id === null) throw noSuchUser();
  if (row.target_role !== 'user') throw new HttpError('forbidden', "Not an admin's: revoke their admin role first.");
  if (!row.removable) throw new HttpError('not_found', SPEC[removal.what].none);
}

/** What refuse() reads of each statement's row (statement 1's adds the step-up's columns). */
type Checked = ActorRow & { target_id: number | null; target_role: string | null; removable: boolean | null } & Record<string, unknown>;

/** Statement 2's own columns, read once refuse() let it through. */
interface Written {
  username: string;
  email: string;
  taken: boolean;
  removed: number;
  revoked: number;
}

/** The target's columns for refuse(), from a CTE `target` (id, role) of at most one row. */
const TARGET_COLUMNS = (removal: Removal) => [
  sql<number | null>`(SELECT id FROM target)`.as('target_id'),
  sql<string | null>`(SELECT role FROM target)`.as('target_role'),
  sql<boolean | null>`(SELECT ${removable(removal)} FROM target t)`.as('removable'),
];

/**
 * DELETE /api/admin/users/{id}/mfa and …/passkeys. Answers how many sessions
 * of the target ended and how many passkeys went; the target is e-mailed.
 */
export async function removeUserCredentials(credential: AdminCredential, targetId: number, removal: Removal, step: StepUp, by: Client) {
  // The admin's code is checked against their sealed secret: without the key nothing could be.
  mfaKeys();
  const at = now();
  const spec = SPEC[removal.what];
  const context = { userId: credential.kind === 'session' ? credential.claims.userId : 0, by, at };

  const counting = withActor(credential, 'step-up')
    .with('target', () => cte(sql`SELECT id, role FROM users WHERE id = ${targetId} AND EXISTS (SELECT FROM allowed)`))
    // The admin, counted only where the removal would go ahead: a refusal spends none of their code's tries.
    .with('stepper', () =>
      cte(sql`SELECT u.id, u.username, u.email FROM allowed al JOIN users u ON u.id = al.user_id
        WHERE EXISTS (SELECT FROM target t WHERE t.role = 'user' AND t.id <> al.user_id AND ${removable(removal)})`),
    );
  const found = (await (step.count(counting, 'stepper', context) as unknown as QueryCreator<Database & { stepper: Stepper }>)
    .selectFrom(ACTOR_ROW)
    .leftJoin('stepper', (join) => join.onTrue())
    .selectAll('a')
    .select(['stepper.username', 'stepper.email', ...step.columns('stepper'), ...TARGET_COLUMNS(removal)])
    .executeTakeFirst()) as Checked | undefined;
  refuse(found, removal);
  const stepped = await step.read(found, context, 0);
  // Without a factor of their own the admin has nothing to step up with (a passkey cannot, yet): they enrol one first.
  if (!stepped.factor) {
    throw new HttpError(
      'step_up_required',
      'This needs a code of your own authenticator app: enrol one on your account (POST /api/me/mfa/totp) first.',
    );
  }
  if (stepped.problems.length > 0) throw validationFailed({ code: stepped.problems });

  // The target locked before the admin's code and counters (a login locks its own counters, then reads its row FOR KEY SHARE).
  const locked = withActor(credential, 'step-up').with('target', () =>
    cte(sql`SELECT id, role, username, email FROM users WHERE id = ${targetId}
        AND id IS DISTINCT FROM (SELECT user_id FROM allowed) AND EXISTS (SELECT FROM allowed) FOR NO KEY UPDATE`),
  );
  // Every write below depends on the code taken, which depends on the target as refuse() wants it.
  const onlyIf = sql<boolean>`EXISTS (SELECT FROM target t WHERE t.role = 'user' AND ${removable(removal)})`;
  const { db, taken } = stepped.take(locked, { onlyIf });
  const changed = db
    .with('removed', () => cte(removing(removal, taken)))
    .with('codes', () => cte(sql`DELETE FROM recovery_codes WHERE user_id IN (SELECT id FROM removed)`))
    .with('changed', () => cte(sql`SELECT DISTINCT id FROM removed`))
    // A lost phone may be a stolen one: whatever signed in with it is signed out.
    .with('ended', () => cte(sql`DELETE FROM sessions WHERE user_id IN (SELECT id FROM changed) RETURNING id`));
  const result = (await retireIssued(changed, { account: { cte: 'changed', column: 'id' } })
    .with('recorded', () =>
      cte(sql`INSERT INTO security_events (user_id, kind, ip, user_agent, created_at)
          SELECT id, ${spec.event}, ${ipOf(by)}, ${agentOf(by)}, ${at}::timestamptz FROM changed`),
    )
    .with('trail', () =>
      cte(sql`INSERT INTO admin_actions (actor_user_id, actor_key_id, actor_name, action, target_user_id, detail, ip, user_agent, created_at)
          SELECT al.user_id, al.key_id, al.name, ${spec.action}, c.id,
            (SELECT left(string_agg(detail, ', ' ORDER BY detail), 600) FROM removed), ${ipOf(by)}, ${agentOf(by)}, ${at}::timestamptz
          FROM allowed al, changed c`),
    )
    .selectFrom(ACTOR_ROW)
    .selectAll('a')
    .select([
      ...TARGET_COLUMNS(removal),
      sql<string | null>`(SELECT username FROM target)`.as('username'),
      sql<string | null>`(SELECT email FROM target)`.as('email'),
      taken.as('taken'),
      sql<number>`(SELECT count(*)::int FROM removed)`.as('removed'),
      sql<number>`(SELECT count(*)::int FROM ended)`.as('revoked'),
    ])
    .executeTakeFirst()) as (Checked & Written) | undefined;
  // Between the two: the admin's session ended or lost its role, the account went or became an admin's, or lost what goes.
  refuse(result, removal);
  // Another request took the same code first.
  if (!result.taken) throw validationFailed({ code: ['is not correct'] });
  // Another admin removed it first (this statement waited on their lock of the account; its snapshot is older).
  if (result.removed === 0) throw new HttpError('not_found', spec.none);
  const to = { username: result.username, email: result.email };
  const removedPasskeys = result.removed;
  await notify(
    by,
    { purpose: spec.event, accountId: targetId },
    (origin, appUrl) => removedByAdmin(to, removal.what === 'mfa' ? 'mfa' : { passkeys: removedPasskeys }, origin.at, appUrl),
    at,
  );
  return { revokedSessions: result.revoked, ...(removal.what === 'passkeys' && { removedPasskeys }) };
}

interface Stepper {
  id: number;
  username: string;
  email: string;
}

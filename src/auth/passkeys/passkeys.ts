// An account's passkeys: the registration options, the enrolment that
// verifies the authenticator's answer, the list, renaming and removal.
// Verification is @simplewebauthn/server's (CBOR, COSE, attestation `none`);
// this module keeps the challenges (single use, minutes, in Postgres) and the
// rows. The caller's session is checked in each statement, as elsewhere: the
// options 2 (the proof of ownership with the step-up, as every guarded change:
// a new passkey signs in alone; the challenge), the enrolment 2 (the challenge
// taken; the INSERT while the session is live), the list and a rename 1, the
// removal 2 (the proof of ownership with the step-up; the DELETE).
import { randomBytes } from 'node:crypto';
import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { sql, type QueryCreator, type Selectable } from 'kysely';
import { HttpError, validationFailed } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { Database, PasskeysTable } from '../../db/schema.ts';
import { removeGuarded } from '../accounts/guarded-removal.ts';
import { notify } from '../codes/delivery.ts';
import { passkeyAdded, passkeyRemoved } from '../../mail/templates.ts';
import { eventValues, EVENT_COLUMNS } from '../base/event-rows.ts';
import type { Client, Requester } from '../base/requester.ts';
import { takenMeanwhile, type StepUp } from '../attempts/step-up.ts';
import { releaseAttempt } from '../attempts/password-attempt.ts';
import { checkProof, countProofAttempt, PROVEN_ADDRESS, type Precondition } from '../passwords/proof.ts';
import { CALLER_LIVE, lockLiveCaller, selectLiveSession } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import type { RelyingParty } from './relying-party.ts';

/** Passkeys an account may have: enough for every device and a spare, few enough to list. */
export const MAX_PASSKEYS = 10;
/** How long a ceremony's challenge lives: the browser's own timeout, then a margin. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** The browser's timeout for a ceremony, within the challenge's life. */
export const CEREMONY_TIMEOUT_MS = 4 * 60_000;

type Caller = (Requester | Client) & { claims: TokenClaims };

export interface PasskeyView {
  id: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** `synced`: its provider may copy it to other devices (backup eligible); `device-bound` otherwise. */
  kind: 'synced' | 'device-bound';
  transports: string[];
  aaguid: string;
}

type PasskeyRow = Pick<
  Selectable<PasskeysTable>,
  'id' | 'name' | 'created_at' | 'last_used_at' | 'backup_eligible' | 'transports' | 'aaguid'
>;

const VIEW_COLUMNS = ['id', 'name', 'created_at', 'last_used_at', 'backup_eligible', 'transports', 'aaguid'] as const;

export function passkeyView(row: PasskeyRow): PasskeyView {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    kind: row.backup_eligible ? 'synced' : 'device-bound',
    transports: row.transports,
    aaguid: row.aaguid,
  };
}

/** A new challenge: 32 random bytes, base64url as the browser echoes it in clientDataJSON. */
export function newChallenge(): { bytes: Buffer; text: string } {
  const bytes = randomBytes(32);
  return { bytes, text: bytes.toString('base64url') };
}

/**
 * The challenge an answer's clientDataJSON carries, to find (and take) its
 * row; undefined when it is not the JSON a browser writes. The library checks
 * the rest of it (type, origin) against what this row says.
 */
export function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = (data as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(challenge) ? challenge : undefined;
  } catch {
    return undefined;
  }
}

/** The WebAuthn user handle: the account's id, 8 bytes; no name or address (authenticators may show or sync it). */
export const userHandle = (userId: number) => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(userId));
  return bytes;
};

/** Enrolment's precondition: a proven address and room for one more passkey, refused (403, 409) before anything is counted. */
const roomForOne: Precondition = {
  holds: sql<boolean>`(${PROVEN_ADDRESS.holds} AND (SELECT count(*) FROM passkeys k WHERE k.user_id = caller.id) < ${MAX_PASSKEYS})`,
  columns: [
    sql<
      { id: string; transports: string[] }[]
    >`COALESCE((SELECT json_agg(json_build_object('id', encode(k.credential_id, 'hex'), 'transports', k.transports)) FROM passkeys k WHERE k.user_id = caller.id), '[]')`.as(
      'owned',
    ),
  ],
  refuse(row) {
    PROVEN_ADDRESS.refuse(row);
    if ((row.owned as unknown[]).length >= MAX_PASSKEYS) throw new HttpError('passkey_limit');
  },
};

/**
 * POST /api/me/passkeys/options — a passkey signs in without the password and
 * serves as the step-up, so adding one is proved as every guarded change is:
 * 2 statements, (1) the caller's live session, hash and passkeys with the
 * password attempt and the step-up counted (countProofAttempt; 403
 * email_unverified, 409 passkey_limit first, nothing counted), then the
 * password and the step-up checked (400 details.password, details.code,
 * details.passkey); (2) while the session is live, the step-up taken, the
 * attempt given back and the account's earlier registration challenge
 * replaced by a new one, which only this proven caller gets.
 */
export async function registrationOptions(
  caller: Caller,
  password: string,
  stepUp: StepUp,
  rp: RelyingParty,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { claims } = caller;
  const at = now();
  const challenge = newChallenge();
  const proof = await checkProof(await countProofAttempt(claims, caller, stepUp, roomForOne), password);
  const locked = lockLiveCaller(claims) as unknown as QueryCreator<Database>;
  const released = releaseAttempt(locked, claims.userId, proof.counted, { onlyIf: CALLER_LIVE });
  const { db, taken } = proof.stepUp.take(released, { onlyIf: CALLER_LIVE });
  const result = await (db as unknown as QueryCreator<Database>)
    .with('open', (qb) => qb.selectFrom(sql<{ user_id: number }>`live`.as('live')).select('live.user_id').where(taken))
    .with('replaced', (qb) =>
      qb
        .deleteFrom('webauthn_challenges')
        .where('purpose', '=', 'register')
        .where('user_id', 'in', (eb) => eb.selectFrom('open').select('user_id')),
    )
    .with('issued', (qb) =>
      qb
        .insertInto('webauthn_challenges')
        .columns(['challenge', 'purpose', 'user_id', 'expires_at'])
        .expression(
          sql`SELECT ${challenge.text}::text, 'register', user_id, ${new Date(at.getTime() + CHALLENGE_TTL_MS)}::timestamptz FROM open`,
        ),
    )
    .selectNoFrom([CALLER_LIVE.as('live'), taken.as('taken')])
    .executeTakeFirstOrThrow();
  if (!result.live) throw new HttpError('unauthenticated');
  // Another request used the same code or step-up challenge first.
  if (!result.taken) throw takenMeanwhile(proof.stepUp);
  const owned = proof.row.owned as { id: string; transports: string[] }[];
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: proof.user.username,
    userID: userHandle(claims.userId),
    challenge: new Uint8Array(challenge.bytes),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: owned.map((key) => ({
      id: Buffer.from(key.id, 'hex').toString('base64url'),
      transports: key.transports,
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
}

/** Why an answer was refused, for `details.response`: the library's message names the check. */
const refusedAnswer = (reason: string) => validationFailed({ response: [reason] });

/**
 * POST /api/me/passkeys — 2 statements: (1) the caller's live session with
 * the registration challenge the answer echoes taken (deleted: single use,
 * even by two requests at once), only on a proven address; then the answer
 * verified (origin, RP ID, user verification, attestation); (2) the passkey
 * INSERT while the session is live and under MAX_PASSKEYS, with its
 * passkey_added event; the owner is e-mailed after the answer. 400 details.response for an answer that does not verify
 * or meets no open challenge; 409 passkey_limit, passkey_already_registered.
 */
export async function addPasskey(
  caller: Caller,
  input: { response: RegistrationResponseJSON; name?: string | undefined },
  rp: RelyingParty,
): Promise<PasskeyView> {
  const at = now();
  const { claims } = caller;
  const challenge = challengeOf(input.response.response.clientDataJSON);
  if (challenge === undefined) throw refusedAnswer('has no clientDataJSON a browser would write');
  const row = await getDb()
    .with('caller', (qb) => selectLiveSession(claims, qb).select('u.email_verified_at'))
    .with('used', (qb) =>
      qb
        .deleteFrom('webauthn_challenges')
        .where('challenge', '=', challenge)
        .where('purpose', '=', 'register')
        .where('expires_at', '>', at)
        .where('user_id', 'in', (eb) => eb.selectFrom('caller').select('id').where('email_verified_at', 'is not', null))
        .returning('id'),
    )
    .selectFrom('caller')
    .select([
      'caller.id',
      'caller.username',
      'caller.email',
      'caller.email_verified_at',
      sql<boolean>`EXISTS (SELECT FROM used)`.as('used'),
    ])
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('unauthenticated');
  PROVEN_ADDRESS.refuse(row);
  if (!row.used) throw refusedAnswer('answers no open challenge of this account: ask for new options');

  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch (error) {
    throw refusedAnswer((error as Error).message.slice(0, 200));
  }
  if (!verified.verified) throw refusedAnswer('does not verify');
  const info = verified.registrationInfo;

  const userId = claims.userId;
  const added = await (lockLiveCaller(claims) as unknown as QueryCreator<Database>)
    .with('added', (qb) =>
      qb
        .insertInto('passkeys')
        .columns(['user_id', 'credential_id', 'public_key', 'sign_count', 'transports', 'aaguid', 'backup_eligible', 'name', 'created_at'])
        .expression((eb) =>
          eb
            .selectFrom(sql<{ user_id: number }>`live`.as('live'))
            .select([
              'live.user_id',
              sql<Buffer>`${Buffer.from(info.credential.id, 'base64url')}::bytea`.as('credential_id'),
              sql<Buffer>`${Buffer.from(info.credential.publicKey)}::bytea`.as('public_key'),
              sql<number>`${info.credential.counter}::bigint`.as('sign_count'),
              sql<string[]>`${info.credential.transports ?? []}::text[]`.as('transports'),
              sql<string>`${info.aaguid}::uuid`.as('aaguid'),
              sql<boolean>`${info.credentialDeviceType === 'multiDevice'}::boolean`.as('backup_eligible'),
              sql<string>`${input.name ?? 'Passkey'}::text`.as('name'),
              sql<Date>`${at}::timestamptz`.as('created_at'),
            ])
            // Two enrolments at once may both see room for one more: the cap is passed by at most the concurrent ones.
            .where(sql<boolean>`(SELECT count(*) FROM passkeys WHERE user_id = ${userId}) < ${MAX_PASSKEYS}`),
        )
        .onConflict((oc) => oc.column('credential_id').doNothing())
        .returning([...VIEW_COLUMNS]),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) =>
          eb
            .selectFrom(sql<{ user_id: number }>`live`.as('live'))
            .select(['live.user_id', ...eventValues('passkey_added', caller, at)])
            .where(sql<boolean>`EXISTS (SELECT FROM added)`),
        ),
    )
    .selectFrom(sql<{ live: boolean }>`(SELECT ${CALLER_LIVE} AS live)`.as('s'))
    .leftJoin('added as p', (join) => join.onTrue())
    .select([
      's.live',
      ...VIEW_COLUMNS.map((column) => `p.${column}` as const),
      sql<boolean>`(SELECT count(*) FROM passkeys WHERE user_id = ${userId}) >= ${MAX_PASSKEYS}`.as('full'),
    ])
    .executeTakeFirstOrThrow();
  if (!added.live) throw new HttpError('unauthenticated');
  if (added.id === null) throw new HttpError(added.full ? 'passkey_limit' : 'passkey_already_registered');
  const view = passkeyView(added as PasskeyRow);
  await notify(
    caller,
    { purpose: 'passkey_added', accountId: userId },
    (origin, appUrl) => passkeyAdded(row, view.name, origin, appUrl),
    at,
  );
  return view;
}

/** GET /api/me/passkeys — 1 statement: the caller's live session and passkeys, oldest first. */
export async function listPasskeys(claims: TokenClaims): Promise<PasskeyView[]> {
  const rows = await getDb()
    .with('caller', (qb) => selectLiveSession(claims, qb))
    .selectFrom('caller')
    .leftJoin('passkeys as p', 'p.user_id', 'caller.id')
    .select(VIEW_COLUMNS.map((column) => `p.${column}` as const))
    .orderBy('p.created_at')
    .orderBy('p.id')
    .execute();
  if (rows.length === 0) throw new HttpError('unauthenticated');
  return rows.flatMap((row) => (row.id === null ? [] : [passkeyView(row as PasskeyRow)]));
}

const NOT_FOUND = 'You have no passkey with that id.';
const notFound = () => new HttpError('not_found', NOT_FOUND);

/** PATCH /api/me/passkeys/{id} — 1 statement: the UPDATE, on a passkey of the caller's while the session is live. */
export async function renamePasskey(claims: TokenClaims, id: number, name: string): Promise<PasskeyView> {
  const row = await getDb()
    .with('caller', (qb) => selectLiveSession(claims, qb))
    .with('renamed', (qb) =>
      qb
        .updateTable('passkeys')
        .set({ name })
        .where('id', '=', id)
        .where('user_id', 'in', (eb) => eb.selectFrom('caller').select('id'))
        .returning([...VIEW_COLUMNS]),
    )
    .selectFrom(sql<{ live: boolean }>`(SELECT EXISTS (SELECT FROM caller) AS live)`.as('s'))
    .leftJoin('renamed as p', (join) => join.onTrue())
    .select(['s.live', ...VIEW_COLUMNS.map((column) => `p.${column}` as const)])
    .executeTakeFirstOrThrow();
  if (!row.live) throw new HttpError('unauthenticated');
  if (row.id === null) throw notFound();
  return passkeyView(row as PasskeyRow);
}

/**
 * DELETE /api/me/passkeys/{id} — 2 statements (accounts/guarded-removal.ts):
 * the proof of ownership with the step-up, then the DELETE with the code
 * taken and a passkey_removed event. A passkey is never the last way in: an
 * account keeps its password (or its provider, src/auth/providers), so no
 * removal is refused for that. The owner is e-mailed after the answer.
 */
export async function removePasskey(caller: Caller, id: number, password: string, stepUp: StepUp): Promise<void> {
  const { user } = await removeGuarded(caller, id, password, stepUp, {
    table: 'passkeys',
    label: 'name',
    event: 'passkey_removed',
    notFound: NOT_FOUND,
  });
  await notify(caller, { purpose: 'passkey_removed', accountId: user.id }, (origin, appUrl) => passkeyRemoved(user, origin, appUrl), now());
}

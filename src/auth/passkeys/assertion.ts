// An assertion (navigator.credentials.get()'s answer) checked against a stored
// passkey: the passwordless sign-in, the login's second step and the step-up
// all verify it here, and make their options here.
import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { AuthMethod } from '../../db/schema.ts';
import { CEREMONY_TIMEOUT_MS, userHandle } from './passkeys.ts';
import type { RelyingParty } from './relying-party.ts';

/** RFC 8176: a passkey its provider may sync is a software-secured key; a device-bound one a hardware-secured key. */
export const amrOf = (backupEligible: boolean): AuthMethod => (backupEligible ? 'swk' : 'hwk');

/** A stored passkey, as the statement that found it read it. */
export interface StoredKey {
  public_key: Buffer;
  sign_count: number;
  transports: string[];
}

/**
 * The authenticator's new sign counter when `response` verifies for `key` of
 * account `userId` (challenge, origin, RP ID, user verification, signature,
 * a counter that moved forward); undefined for anything else, the user handle
 * of another account included. The library throws for most refusals: each is
 * the same undefined, so no caller tells one check from another.
 */
export async function verifiedCounter(
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  key: StoredKey,
  userId: number,
  rp: RelyingParty,
): Promise<number | undefined> {
  const handle = response.response.userHandle;
  if (handle !== undefined && handle !== Buffer.from(userHandle(userId)).toString('base64url')) return undefined;
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: { id: response.id, publicKey: new Uint8Array(key.public_key), counter: key.sign_count, transports: key.transports },
      requireUserVerification: true,
    });
    return verified.verified ? verified.authenticationInfo.newCounter : undefined;
  } catch {
    return undefined;
  }
}

/** Options for navigator.credentials.get(): any discoverable passkey, or only the account's (`allowed`, credential ids in hex). */
export function assertionOptions(
  rp: RelyingParty,
  challenge: Buffer,
  allowed?: { id: string; transports: string[] }[],
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    challenge: new Uint8Array(challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'required',
    ...(allowed === undefined
      ? {}
      : {
          allowCredentials: allowed.map((key) => ({
            id: Buffer.from(key.id, 'hex').toString('base64url'),
            transports: key.transports,
          })),
        }),
  });
}

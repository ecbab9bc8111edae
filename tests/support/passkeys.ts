// A software authenticator for the tests: a P-256 key made with node:crypto,
// its answers (attestation `none`, assertions) built here byte by byte as
// WebAuthn Level 2 lays them out, with the few CBOR items they need encoded
// below, so the service's verification (@simplewebauthn/server) is checked
// against another implementation, and each refusal can be provoked by
// changing one thing (origin, RP ID, counter, challenge, bytes).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

type Cbor = number | string | Buffer | Map<number | string, Cbor>;

function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 256) return Buffer.from([(major << 5) | 24, value]);
  const bytes = Buffer.alloc(3);
  bytes[0] = (major << 5) | 25;
  bytes.writeUInt16BE(value, 1);
  return bytes;
}

/** RFC 8949's encoding of the items an attestation object and a COSE key use (small integers, byte and text strings, maps). */
export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

const FLAG = { up: 0x01, uv: 0x04, be: 0x08, bs: 0x10, at: 0x40 } as const;

export interface Ceremony {
  /** The page's origin, as the browser writes it in clientDataJSON. */
  origin?: string;
  rpId?: string;
  /** Override what the authenticator signs as its counter. */
  counter?: number;
  userVerified?: boolean;
}

export const TEST_ORIGIN = 'http://localhost:8888';
export const TEST_RP_ID = 'localhost';

export class SoftAuthenticator {
  readonly credentialId = randomBytes(32);
  readonly aaguid = Buffer.alloc(16);
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  counter = 0;
  userHandle: string | undefined;

  /** `synced`: sets the BE and BS flags, as a synced passkey provider does. */
  constructor(readonly synced = false) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  /** The public key as COSE_Key (EC2, ES256, P-256), as the attested credential data carries it. */
  coseKey(): Buffer {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return cbor(
      new Map<number, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
  }

  private authData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
    const head = Buffer.alloc(37);
    sha256(rpId).copy(head, 0);
    head[32] = flags | (this.synced ? FLAG.be | FLAG.bs : 0);
    head.writeUInt32BE(counter, 33);
    return attested === undefined ? head : Buffer.concat([head, attested]);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** The answer of navigator.credentials.create() to `options` (its challenge and user), attestation `none`. */
  register(options: { challenge: string; user?: { id: string } }, ceremony: Ceremony = {}) {
    const { origin = TEST_ORIGIN, rpId = TEST_RP_ID, userVerified = true } = ceremony;
    this.userHandle = options.user?.id;
    const length = Buffer.alloc(2);
    length.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([this.aaguid, length, this.credentialId, this.coseKey()]);
    const flags = FLAG.up | FLAG.at | (userVerified ? FLAG.uv : 0);
    const authData = this.authData(rpId, flags, ceremony.counter ?? this.counter, attested);
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, origin)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
    };
  }

  /** The answer of navigator.credentials.get() to a challenge; the counter goes up by one unless told. */
  assert(challenge: string, ceremony: Ceremony = {}) {
    const { origin = TEST_ORIGIN, rpId = TEST_RP_ID, userVerified = true } = ceremony;
    const counter = ceremony.counter ?? ++this.counter;
    const authData = this.authData(rpId, FLAG.up | (userVerified ? FLAG.uv : 0), counter);
    const clientDataJSON = this.clientData('webauthn.get', challenge, origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(this.userHandle === undefined ? {} : { userHandle: this.userHandle }),
      },
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
    };
  }
}

/** What the helpers enrolled for a session (by its token): the proof its next enrolment gives, since adding a factor is guarded. */
export interface Held {
  password: string;
  passkeys: SoftAuthenticator[];
  /** The recovery codes enableMfa answered, the very list the test holds. */
  recoveryCodes?: string[];
}
const held = new Map<string, Held>();

/** The account's record for `token`; `password` when the test's account has another than STRONG_PASSWORD. */
export async function heldBy(token: string, password?: string): Promise<Held> {
  const { STRONG_PASSWORD } = await import('./users.ts');
  const record = held.get(token) ?? { password: STRONG_PASSWORD, passkeys: [] };
  if (password !== undefined) record.password = password;
  held.set(token, record);
  return record;
}

/**
 * The step-up the holder of `token` gives to add a factor: an answer of a
 * passkey the helpers enrolled, else its last recovery code (taken off the
 * test's list, so the current TOTP step stays unused for the test), else none.
 */
export async function stepUpFor(token: string): Promise<{ passkey?: ReturnType<SoftAuthenticator['assert']>; code?: string }> {
  const record = await heldBy(token);
  const [authenticator] = record.passkeys;
  if (authenticator !== undefined) return { passkey: await stepUpAssertion(token, authenticator) };
  const code = record.recoveryCodes?.pop();
  return code === undefined ? {} : { code };
}

/** Adds `authenticator`'s passkey to the holder of `token` through the functions, proved by stepUpFor; answers the passkey's view. */
export async function enrolPasskey(token: string, authenticator: SoftAuthenticator, name?: string, password?: string) {
  const { call } = await import('./call.ts');
  const { default: options } = await import('../../netlify/functions/me-passkeys-options.ts');
  const { default: passkeys } = await import('../../netlify/functions/me-passkeys.ts');
  const record = await heldBy(token, password);
  const json = { password: record.password, ...(await stepUpFor(token)) };
  const started = await call(options, 'POST', '/api/me/passkeys/options', { token, json });
  if (started.status !== 200) throw new Error(`options answered ${started.status}: ${started.text}`);
  const added = await call(passkeys, 'POST', '/api/me/passkeys', {
    token,
    json: { response: authenticator.register(started.body.options), ...(name === undefined ? {} : { name }) },
  });
  if (added.status !== 201) throw new Error(`enrolment answered ${added.status}: ${added.text}`);
  record.passkeys.push(authenticator);
  return added.body.passkey as { id: number; name: string };
}

/** A step-up by passkey for the holder of `token`: options from POST /api/me/step-up/options, answered by `authenticator`. */
export async function stepUpAssertion(token: string, authenticator: SoftAuthenticator, ceremony: Ceremony = {}) {
  const { call } = await import('./call.ts');
  const { default: options } = await import('../../netlify/functions/me-step-up-options.ts');
  const started = await call(options, 'POST', '/api/me/step-up/options', { token });
  if (started.status !== 200) throw new Error(`step-up options answered ${started.status}: ${started.text}`);
  return authenticator.assert(started.body.options.challenge, ceremony);
}

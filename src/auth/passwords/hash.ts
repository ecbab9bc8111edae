// scrypt password hashes in a PHC-style string that carries its own parameters:
//   $scrypt$ln=17,r=8,p=1$<salt, base64>$<key, base64>
// Hashes made with other parameters still verify and report `needsRehash`.
// The key comes from node:crypto's scrypt (native, off the event loop); where
// a runtime's node:crypto has no scrypt, from scrypt-js (pure JS, same bytes),
// loaded only then: the Node functions never load or carry it.
import * as crypto from 'node:crypto';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { setting } from '../../config/settings.ts';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  r: number;
  p: number;
}

/** OWASP's minimum for scrypt: N=2^17, r=8, p=1 (128 MiB of memory per hash). */
export const PRODUCTION_PARAMS: Readonly<ScryptParams> = { ln: 17, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Refuse to spend more than this on a stored hash (a tampered row must not exhaust memory). */
const MAX_LN = 20;

/** The parameters for new hashes: PASSWORD_SCRYPT_N (a power of two) lowers the cost in tests. */
export function currentParams(): ScryptParams {
  return { ...PRODUCTION_PARAMS, ln: setting('scryptLn') };
}

/** Derives KEY_BYTES from the password's UTF-8 bytes. */
export type Scrypt = (password: Buffer, salt: Buffer, params: ScryptParams) => Promise<Buffer>;

export const nativeScrypt: Scrypt = (password, salt, { ln, r, p }) => {
  const N = 2 ** ln;
  // Node refuses anything above 32 MiB by default; N=2^17, r=8 needs 128 MiB.
  const options: crypto.ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    crypto.scrypt(password, salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
};

export const portableScrypt: Scrypt = async (password, salt, { ln, r, p }) => {
  const { default: scryptJs } = await import('scrypt-js');
  return Buffer.from(await scryptJs.scrypt(password, salt, 2 ** ln, r, p, KEY_BYTES));
};

/** Chosen once, when the module loads. */
export const scrypt: Scrypt = typeof crypto.scrypt === 'function' ? nativeScrypt : portableScrypt;

const passwordBytes = (password: string) => Buffer.from(password.normalize('NFC'), 'utf8');

export async function hashPassword(password: string, params: ScryptParams = currentParams(), derive: Scrypt = scrypt): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(passwordBytes(password), salt, params);
  return formatHash(params, salt, key);
}

export function formatHash({ ln, r, p }: ScryptParams, salt: Buffer, key: Buffer): string {
  return `$scrypt$ln=${ln},r=${r},p=${p}$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{32,})$/;

export function parseHash(hash: string): ParsedHash | undefined {
  const match = PHC.exec(hash);
  if (!match) return undefined;
  const params = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (params.ln < 1 || params.ln > MAX_LN || params.r < 1 || params.p < 1 || params.p > 4) return undefined;
  return { params, salt: Buffer.from(match[4]!, 'base64'), key: Buffer.from(match[5]!, 'base64') };
}

export interface Verification {
  ok: boolean;
  /** The hash was made with other parameters than the current ones. */
  needsRehash: boolean;
}

/** Constant-time comparison; an unreadable stored hash never verifies. */
export async function verifyPassword(password: string, hash: string, derive: Scrypt = scrypt): Promise<Verification> {
  const parsed = parseHash(hash);
  if (parsed === undefined) return { ok: false, needsRehash: false };
  const key = await derive(passwordBytes(password), parsed.salt, parsed.params);
  const ok = key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  const wanted = currentParams();
  const needsRehash =
    parsed.params.ln !== wanted.ln || parsed.params.r !== wanted.r || parsed.params.p !== wanted.p || parsed.key.length !== KEY_BYTES;
  return { ok, needsRehash };
}

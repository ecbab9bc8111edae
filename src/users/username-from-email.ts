// Usernames for accounts made from an e-mail address alone (the classic
// POST /users): the address's local part, reduced to the username rule, then
// numbered until one is free.
import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { getDb } from '../db/connection.ts';
import { usernameSchema } from './username.ts';

const MAX_LENGTH = 32;
/** Numbered names tried before a random suffix: plenty for a shared first name. */
const NUMBERED = 9;

/**
 * `Jean-Luc.Picard+news@…` -> `jean_luc_picard`: accents dropped, the
 * sub-address after `+` ignored, every other run of characters outside a-z
 * and 0-9 one `_`; `user_` in front when it would not start with a letter.
 */
export function usernameStem(email: string): string {
  const local = email.slice(0, email.lastIndexOf('@')).split('+')[0]!;
  const ascii = local.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const stem = ascii.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(stem) ? stem : `user_${stem}`.replace(/_+$/, '');
}

/** `stem` and `suffix` in at most 32 characters, cutting the stem (never leaving it ending in `_`). */
function withSuffix(stem: string, suffix: string): string {
  return stem.slice(0, MAX_LENGTH - suffix.length).replace(/_+$/, '') + suffix;
}

/**
 * The usernames to try for this e-mail, best first, each satisfying the
 * username rule: the stem (unless too short or reserved), `stem_2` …
 * `stem_10`, then one with a random suffix for when all those are taken.
 */
export function usernameCandidates(email: string): string[] {
  const stem = usernameStem(email);
  const numbered = Array.from({ length: NUMBERED }, (_, i) => withSuffix(stem, `_${i + 2}`));
  const random = withSuffix(stem, `_${randomBytes(4).toString('hex')}`);
  return [withSuffix(stem, ''), ...numbered, random].filter((name) => v.is(usernameSchema, name));
}

/** The first candidate username no account uses: 1 statement. */
export async function freeUsername(email: string): Promise<string> {
  const candidates = usernameCandidates(email);
  const taken = await getDb().selectFrom('users').select('username').where('username', 'in', candidates).execute();
  const used = new Set(taken.map((row) => row.username));
  // The last candidate has a random suffix: taken only by a concurrent twin, which the retry covers.
  return candidates.find((name) => !used.has(name)) ?? candidates.at(-1)!;
}

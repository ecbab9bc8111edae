// The password rules of the README's API reference. Every broken rule is reported, so a
// person fixes everything in one go. The character-class rule is one NIST SP
// 800-63B rev. 4 and ASVS 5.0 advise against; it stays because this product's
// users asked for it, and passphrases of 20+ characters are exempt (README).
import * as v from 'valibot';
import { isCommonPassword } from './common-list.ts';
import { PASSPHRASE_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordLength } from './rules.ts';

/** Shorter names and local parts are not checked: `jo@…` would forbid every password containing "jo". */
const MIN_CONTAINED_LENGTH = 3;

export interface PasswordContext {
  username?: string | undefined;
  email?: string | undefined;
}

/** Fewer distinct characters make a password of any length guessable (`aaaa…`, `abab…`). */
const MIN_DISTINCT_CHARACTERS = 6;

export const PASSWORD_MESSAGES = {
  tooShort: `must be at least ${PASSWORD_MIN_LENGTH} characters`,
  tooLong: `must be at most ${PASSWORD_MAX_LENGTH} characters`,
  common: 'is one of the most common passwords',
  username: 'must not contain the username',
  emailLocalPart: 'must not contain the part of the e-mail address before the @',
  invisible: 'must contain visible characters, not only spaces or invisible ones',
  distinct: `must contain at least ${MIN_DISTINCT_CHARACTERS} different characters`,
  classes: `must contain at least 3 of: lower-case letters, upper-case letters, digits, symbols (or be at least ${PASSPHRASE_LENGTH} characters long)`,
} as const;

/**
 * Whitespace, default-ignorable code points (zero-width spaces and joiners,
 * soft hyphens, variation selectors, Hangul fillers), controls and the blank
 * braille pattern: a password of only these looks empty, or like a few spaces.
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\u2800]+$/u;

const CLASSES = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{N}]/u];

/** Every rule `password` breaks, as messages for `details.password`; empty when it is acceptable. */
export async function passwordProblems(password: string, context: PasswordContext = {}): Promise<string[]> {
  const problems: string[] = [];
  const length = passwordLength(password);
  if (length < PASSWORD_MIN_LENGTH) problems.push(PASSWORD_MESSAGES.tooShort);
  if (length > PASSWORD_MAX_LENGTH) problems.push(PASSWORD_MESSAGES.tooLong);
  if (await isCommonPassword(password)) problems.push(PASSWORD_MESSAGES.common);
  const lower = password.toLowerCase();
  const contains = (part: string | undefined) =>
    part !== undefined && part.length >= MIN_CONTAINED_LENGTH && lower.includes(part.toLowerCase());
  if (contains(context.username)) problems.push(PASSWORD_MESSAGES.username);
  const email = context.email;
  if (email !== undefined && email.includes('@') && contains(email.slice(0, email.lastIndexOf('@')))) {
    problems.push(PASSWORD_MESSAGES.emailLocalPart);
  }
  // However long, passphrases included: 20 spaces are no passphrase. (A
  // shorter one is already told to be longer, which comes first.)
  if (length >= PASSWORD_MIN_LENGTH) {
    if (INVISIBLE_ONLY.test(password)) problems.push(PASSWORD_MESSAGES.invisible);
    if (new Set(password).size < MIN_DISTINCT_CHARACTERS) problems.push(PASSWORD_MESSAGES.distinct);
  }
  if (length < PASSPHRASE_LENGTH && CLASSES.filter((pattern) => pattern.test(password)).length < 3) {
    problems.push(PASSWORD_MESSAGES.classes);
  }
  return problems;
}

/**
 * A valibot action for an object schema: reports every rule the string at
 * `field` breaks under that field, taking the username and e-mail (when the
 * object has them) from `context`. Runs even when other fields have issues.
 */
export function passwordRules<T extends object>(
  field: keyof T & string,
  context: (input: Record<string, unknown>) => PasswordContext = () => ({}),
) {
  return v.rawCheckAsync<T>(async ({ dataset, addIssue }) => {
    // Runs after the object schema even when it failed, so the value may not be an object.
    const input = dataset.value as Record<string, unknown> | null;
    const password = typeof input === 'object' && input !== null ? input[field] : undefined;
    if (typeof password !== 'string') return;
    for (const message of await passwordProblems(password, context(input!))) {
      addIssue({
        message,
        path: [{ type: 'object', origin: 'value', input: input!, key: field, value: password }],
      });
    }
  });
}

/** The username and e-mail of an input, when they are strings. */
export const accountContext = (input: Record<string, unknown>): PasswordContext => ({
  username: typeof input.username === 'string' ? input.username : undefined,
  email: typeof input.email === 'string' ? input.email : undefined,
});

// The password rules as one synchronous check with no imports, so the web
// pages (src/web) bundle the very code the API runs and list every broken rule
// as a person types. The common-password list is the one rule left to the
// caller: the API looks it up (policy.ts); the browser does not download
// 49,000 entries for it. The valibot schemas of a new password are in rules.ts.

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
/** From this length on, a password needs no mix of character classes. */
export const PASSPHRASE_LENGTH = 20;

/** Length in code points, as a person counts characters (an emoji is one). */
export function passwordLength(password: string): number {
  let length = 0;
  for (const _ of password) length += 1;
  return length;
}

/** Refused before any hashing, on every route: an unbounded input would cost unbounded CPU. */
export function isOverlong(password: string): boolean {
  // Cheap pre-check: fewer UTF-16 units than the limit cannot be more code points.
  return password.length > PASSWORD_MAX_LENGTH && passwordLength(password) > PASSWORD_MAX_LENGTH;
}

/** Shorter names and local parts are not checked: `jo@…` would forbid every password containing "jo". */
const MIN_CONTAINED_LENGTH = 3;

export interface PasswordContext {
  username?: string | undefined;
  email?: string | undefined;
}

/** Fewer distinct characters make a password of any length guessable (`aaaa…`, `abab…`). */
export const MIN_DISTINCT_CHARACTERS = 6;

export const PASSWORD_MESSAGES = {
  tooShort: `must be at least ${PASSWORD_MIN_LENGTH} characters`,
  tooLong: `must be at most ${PASSWORD_MAX_LENGTH} characters`,
  common: 'is one of the most common passwords',
  username: 'must not contain the username',
  emailLocalPart: 'must not contain the part of the e-mail address before the @',
  invisible: 'must contain visible characters, not only spaces or invisible ones',
  distinct: `must contain at least ${MIN_DISTINCT_CHARACTERS} different characters`,
  classes: `must contain at least 3 of: lower-case letters, upper-case letters, digits, symbols (or be at least ${PASSPHRASE_LENGTH} characters long)`,
  /** Reported by the API alone (policy.ts), for a password that passes every rule here. */
  breached: 'has appeared in a known data breach',
} as const;

/**
 * Each rule as the documents state it (the OpenAPI document's password
 * description, built from these in rules.ts), one for every message above: a
 * message without its statement does not compile, so no rule goes undocumented.
 */
export const PASSWORD_RULES: Readonly<Record<keyof typeof PASSWORD_MESSAGES, string>> = {
  tooShort: `at least ${PASSWORD_MIN_LENGTH} characters`,
  tooLong: `at most ${PASSWORD_MAX_LENGTH} characters`,
  common: 'not one of the most common passwords',
  username: `not containing the username (ignoring case; names of ${MIN_CONTAINED_LENGTH}+ characters)`,
  emailLocalPart: `not containing the part of the e-mail address before the @ (ignoring case; ${MIN_CONTAINED_LENGTH}+ characters)`,
  invisible: 'visible characters, not only spaces or invisible ones',
  distinct: `at least ${MIN_DISTINCT_CHARACTERS} different characters`,
  classes: `at least 3 of lower-case letters, upper-case letters, digits and symbols, unless it is ${PASSPHRASE_LENGTH} characters or longer`,
  breached:
    "where the service has the check on (every deploy by default), not in a known data breach (Have I Been Pwned's range API, " +
    "sent only a 5-character prefix of the password's SHA-1; accepted unchecked when that service does not answer in time)",
};

/**
 * Whitespace, default-ignorable code points (zero-width spaces and joiners,
 * soft hyphens, variation selectors, Hangul fillers), controls and the blank
 * braille pattern: a password of only these looks empty, or like a few spaces.
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\u2800]+$/u;

const CLASSES = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{N}]/u];

/** Every rule `password` breaks, in the API's order; `common` says whether it is on the common list. */
export function passwordRuleProblems(password: string, context: PasswordContext, common: boolean): string[] {
  const problems: string[] = [];
  const length = passwordLength(password);
  if (length < PASSWORD_MIN_LENGTH) problems.push(PASSWORD_MESSAGES.tooShort);
  if (length > PASSWORD_MAX_LENGTH) problems.push(PASSWORD_MESSAGES.tooLong);
  if (common) problems.push(PASSWORD_MESSAGES.common);
  const lower = password.toLowerCase();
  const contains = (part: string | undefined) =>
    part !== undefined && part.length >= MIN_CONTAINED_LENGTH && lower.includes(part.toLowerCase());
  if (contains(context.username)) problems.push(PASSWORD_MESSAGES.username);
  const email = context.email;
  if (email?.includes('@') && contains(email.slice(0, email.lastIndexOf('@')))) {
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

// The password length bounds, apart from the rest of the policy so that the
// login path (and the OpenAPI document) can use them without loading the common list.

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

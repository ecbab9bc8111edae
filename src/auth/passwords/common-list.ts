// The bundled common-password list: the ~49,000 most common passwords from
// @zxcvbn-ts/language-common (zxcvbn-ts project, MIT), all lower-case.
// Loaded on first use, once per process; only modules that check a new
// password import this file, so only their functions carry the list.

let loading: Promise<ReadonlySet<string>> | undefined;

export function commonPasswords(): Promise<ReadonlySet<string>> {
  loading ??= import('@zxcvbn-ts/language-common/dist/passwords.json.mjs').then(
    (module) => new Set(module.default),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** Case-insensitive: the list is lower-case, and `Password123` is as guessable as `password123`. */
export async function isCommonPassword(password: string): Promise<boolean> {
  return (await commonPasswords()).has(password.toLowerCase());
}

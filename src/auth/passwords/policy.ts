// The password policy of the README's API reference: the rules of problems.ts
// plus the common-password list, then, for a password that passes them all,
// the breached-password check (breached.ts): a third party is asked only about
// a password that could otherwise be set. Every broken rule is reported, so a
// person fixes everything in one go. The character-class rule is one NIST SP
// 800-63B rev. 4 and ASVS 5.0 advise against; it stays because this product's
// users asked for it, and passphrases of 20+ characters are exempt (README).
import * as v from 'valibot';
import { isBreached } from './breached.ts';
import { isCommonPassword } from './common-list.ts';
import { PASSWORD_MESSAGES, passwordRuleProblems, type PasswordContext } from './problems.ts';

export interface PolicyOptions {
  /** False where a later step of the same request checks the password again with the account: ask the third party once. */
  breachCheck?: boolean;
}

/** Every rule `password` breaks, as messages for `details.password`; empty when it is acceptable. */
export async function passwordProblems(
  password: string,
  context: PasswordContext = {},
  { breachCheck = true }: PolicyOptions = {},
): Promise<string[]> {
  const problems = passwordRuleProblems(password, context, await isCommonPassword(password));
  if (problems.length === 0 && breachCheck && (await isBreached(password))) problems.push(PASSWORD_MESSAGES.breached);
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
  options: PolicyOptions = {},
) {
  return v.rawCheckAsync<T>(async ({ dataset, addIssue }) => {
    // Runs after the object schema even when it failed, so the value may not be an object.
    const input = dataset.value as Record<string, unknown> | null;
    const password = typeof input === 'object' && input !== null ? input[field] : undefined;
    if (typeof password !== 'string') return;
    for (const message of await passwordProblems(password, context(input!), options)) {
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

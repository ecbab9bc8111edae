// The password policy of the README's API reference: the rules of problems.ts
// plus the common-password list. Every broken rule is reported, so a person
// fixes everything in one go. The character-class rule is one NIST SP
// 800-63B rev. 4 and ASVS 5.0 advise against; it stays because this product's
// users asked for it, and passphrases of 20+ characters are exempt (README).
import * as v from 'valibot';
import { isCommonPassword } from './common-list.ts';
import { passwordRuleProblems, type PasswordContext } from './problems.ts';

/** Every rule `password` breaks, as messages for `details.password`; empty when it is acceptable. */
export async function passwordProblems(password: string, context: PasswordContext = {}): Promise<string[]> {
  return passwordRuleProblems(password, context, await isCommonPassword(password));
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

// The password rules, checked as the person types by the same function the
// API runs (src/auth/passwords/problems.ts), bundled here rather than copied. The
// common-password list (49,000 entries, about 170 KB gzipped) stays on the
// server: the API's answer lists that rule among the others on submit.
import { useId } from 'preact/hooks';
import { passwordRuleProblems, type PasswordContext } from '../auth/passwords/problems.ts';
import { Field } from './ui.tsx';

function PasswordRules({ id, password, context = {} }: { id: string; password: string; context?: PasswordContext }) {
  const problems = passwordRuleProblems(password, context, false);
  return (
    <div id={id} class="rules">
      <div aria-live="polite">
        {problems.length === 0 ? (
          <p class="ok">The password meets every rule checked as you type.</p>
        ) : (
          <>
            <p>Rules the password does not meet yet:</p>
            <ul>
              {problems.map((problem) => (
                <li>Password {problem}</li>
              ))}
            </ul>
          </>
        )}
      </div>
      <p>It must also not be one of the most common passwords or one seen in a known data breach, which is checked when you submit.</p>
    </div>
  );
}

interface NewPasswordProps {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  errors: string[] | undefined;
  /** The account's username and e-mail, for the rules about them. */
  context?: PasswordContext;
}

/** A new password's field with its rules beside it, tied to it by aria-describedby. */
export function NewPasswordField({ context, ...field }: NewPasswordProps) {
  const rulesId = useId();
  return (
    <>
      <Field {...field} type="password" autoComplete="new-password" describedBy={rulesId} required />
      <PasswordRules id={rulesId} password={field.value} context={context} />
    </>
  );
}

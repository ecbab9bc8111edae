// An admin action that asks before it acts: the first press shows the
// question with "Yes" and "Cancel" inside the page (no window.confirm, which
// screen readers and the keyboard handle poorly and tests cannot see); the
// focus moves to the question so it is read, and back to the button on Cancel.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { explain, type Submission, useSubmit } from '../ui.tsx';

interface Props<T> {
  /** The button and the form's name: "Ban the user". */
  action: string;
  /** What will happen, asked before it does: "Ban web_bob? Every session ends at once." */
  question: string;
  /** The confirming button: "Yes, ban web_bob". */
  yes: string;
  run: () => Promise<T>;
  done: (result: T) => void;
  /** Fields the action takes (a ban's reason), checked by the API only once confirmed, given the API's messages for each. */
  fields?: (errorsOf: Submission['errorsOf']) => ComponentChildren;
  /**
   * Fields the question itself asks (the admin's own code): shown with it, and
   * a refusal keeps the question open, so the field's error stays beside it.
   */
  asks?: (submission: Submission) => ComponentChildren;
  danger?: boolean;
}

export function ConfirmedAction<T>({ action, question, yes, run, done, fields, asks, danger }: Props<T>) {
  const id = useId();
  const [asking, setAsking] = useState(false);
  const asked = useRef<HTMLLegendElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const submission = useSubmit(run, (result) => {
    setAsking(false);
    done(result);
  });
  const { error, busy } = submission;
  useEffect(() => {
    if (asking) asked.current?.focus();
  }, [asking]);
  // A refusal ends the question (unless it asks a field) and, as every form does (ui.tsx), takes the focus to what to fix.
  useEffect(() => {
    if (error === undefined) return;
    if (asks === undefined) setAsking(false);
    (form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.current?.querySelector<HTMLElement>('.form-error'))?.focus();
  }, [error]);
  const cancel = () => {
    setAsking(false);
    // After the question is gone, the button that asked it is back.
    requestAnimationFrame(() => opener.current?.focus());
  };
  return (
    <form
      ref={form}
      class={danger ? 'action danger' : 'action'}
      noValidate
      aria-label={action}
      aria-describedby={error ? `${id}-error` : undefined}
      onSubmit={(event) => {
        event.preventDefault();
        if (asking) void submission.submit(event);
        else setAsking(true);
      }}
    >
      {error !== undefined && (
        <div id={`${id}-error`} class="form-error" role="alert" tabIndex={-1}>
          <p>{explain(error)}</p>
        </div>
      )}
      {fields?.(submission.errorsOf)}
      {asking ? (
        <fieldset class="confirm">
          <legend ref={asked} tabIndex={-1}>
            {question}
          </legend>
          {asks?.(submission)}
          <button type="submit" disabled={busy}>
            {busy ? 'Please wait…' : yes}
          </button>
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        </fieldset>
      ) : (
        <button type="submit" ref={opener}>
          {action}…
        </button>
      )}
    </form>
  );
}

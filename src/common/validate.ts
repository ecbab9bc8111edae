// valibot at the edge: every input goes through a schema; failures become a
// 400 listing every broken rule per field.
import * as v from 'valibot';
import { validationFailed, type ErrorDetails } from './errors.ts';

export function issuesToDetails(issues: readonly v.BaseIssue<unknown>[], rootField = 'body'): ErrorDetails {
  const flat = v.flatten(issues as [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]);
  const details: ErrorDetails = {};
  if (flat.root) details[rootField] = [...flat.root];
  for (const [field, messages] of Object.entries(flat.nested ?? {})) {
    if (messages) details[field] = [...new Set(messages)];
  }
  return details;
}

/** Parse or throw 400 validation_failed; `rootField` names a non-object input. */
export function parse<T extends v.GenericSchema>(schema: T, input: unknown, rootField = 'body'): v.InferOutput<T> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  throw validationFailed(issuesToDetails(result.issues, rootField));
}

/** Async variant, for schemas with async checks. */
export async function parseAsync<T extends v.GenericSchemaAsync>(
  schema: T,
  input: unknown,
  rootField = 'body',
): Promise<v.InferOutput<T>> {
  const result = await v.safeParseAsync(schema, input);
  if (result.success) return result.output;
  throw validationFailed(issuesToDetails(result.issues, rootField));
}

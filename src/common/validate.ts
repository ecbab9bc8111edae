// valibot at the edge: every input goes through a schema; failures become a
// 400 listing every broken rule per field.
import * as v from 'valibot';
import { validationFailed, type ErrorDetails } from './errors.ts';

export function issuesToDetails(issues: readonly v.BaseIssue<unknown>[], rootField = 'body'): ErrorDetails {
  // Not v.flatten: its plain record would swallow a field named `__proto__`.
  const details = Object.create(null) as ErrorDetails;
  for (const issue of issues) {
    const field = issue.path === undefined ? rootField : v.getDotPath(issue);
    if (field === null) continue;
    details[field] ??= [];
    if (!details[field].includes(issue.message)) details[field].push(issue.message);
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
export async function parseAsync<T extends v.GenericSchemaAsync>(schema: T, input: unknown, rootField = 'body'): Promise<v.InferOutput<T>> {
  const result = await v.safeParseAsync(schema, input);
  if (result.success) return result.output;
  throw validationFailed(issuesToDetails(result.issues, rootField));
}

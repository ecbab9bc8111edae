// The classic routes run the same core as /api, but their contract (the
// README, "Classic routes") gives a few core errors another status or message.
import { HttpError, type ErrorCode, type ErrorDetails } from '../common/errors.ts';

export interface Restatement {
  status: number;
  message?: string;
  /** Detail fields under the names the classic form uses (`password` -> `new_password`). */
  fields?: Record<string, string>;
}

/**
 * For `.catch`: rethrows a core HttpError whose code is listed as its classic
 * restatement; every other error unchanged.
 */
export const restate =
  (table: Partial<Record<ErrorCode, Restatement>>) =>
  (error: unknown): never => {
    const to = error instanceof HttpError ? table[error.code] : undefined;
    if (to === undefined) throw error;
    const { code, message, details, headers } = error as HttpError;
    throw new HttpError(code, to.message ?? message, { details: details && renamed(details, to.fields ?? {}), headers, status: to.status });
  };

function renamed(details: ErrorDetails, fields: Record<string, string>): ErrorDetails {
  return Object.fromEntries(Object.entries(details).map(([field, rules]) => [fields[field] ?? field, rules]));
}

/** `{email: ['is required']}` -> `email is required`: a classic error body has only a message, so it names every broken rule. */
export function detailsMessage(details: ErrorDetails): string {
  return Object.entries(details)
    .flatMap(([field, rules]) => rules.map((rule) => `${field} ${rule}`))
    .join('; ');
}

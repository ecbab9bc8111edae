// The profile field rules (the README's API reference, "Field rules") for
// PATCH /api/me/profile, also used to check the seeded profiles. Every field is
// optional (absent = untouched) and nullable (null clears); an empty string
// clears too, so that form bodies, which cannot carry null, can clear a field
// (in a JSON body an empty gender or maritalStatus is a 400: send null).
// Unknown fields are refused (400): a misspelt field must not look like a
// successful update.
import * as v from 'valibot';
import { closedObject, storableText } from '../common/field-rules.ts';
import { now } from '../config/clock.ts';
import { GENDERS, MARITAL_STATUSES } from './profile-options.ts';

export const BIO_MAX = 500;
export const LOCATION_MAX = 100;
export const MIN_AGE = 13;
export const MAX_AGE = 120;
export const TOO_YOUNG = `must make the user at least ${MIN_AGE} years old`;

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date from `YYYY-MM-DD`, or undefined (wrong shape, 2023-02-29, 2024-13-01...). */
export function parseCalendarDate(text: string): CalendarDate | undefined {
  const match = DATE_SHAPE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? { year, month, day } : undefined;
}

/** Today's date in UTC, from the service clock. */
function today(): CalendarDate {
  const at = now();
  return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate() };
}

const compare = (a: CalendarDate, b: CalendarDate) => a.year - b.year || a.month - b.month || a.day - b.day;

/**
 * Completed years between `birth` and `on`. A 29 February birthday is reached
 * on 1 March in other years, as Postgres' `date - interval 'n years'` has it.
 */
export function ageOn(birth: CalendarDate, on: CalendarDate): number {
  const beforeBirthday = on.month < birth.month || (on.month === birth.month && on.day < birth.day);
  return on.year - birth.year - (beforeBirthday ? 1 : 0);
}

/** A rule on a real date only: a malformed one is reported once, by its own rule. */
const onRealDate = (requirement: (date: CalendarDate) => boolean, message: string) =>
  v.check((text: string) => {
    const date = parseCalendarDate(text);
    return date === undefined || requirement(date);
  }, message);

const birthdaySchema = v.pipe(
  v.string('must be a string'),
  v.regex(DATE_SHAPE, 'must be a date written YYYY-MM-DD'),
  v.check((text: string) => !DATE_SHAPE.test(text) || parseCalendarDate(text) !== undefined, 'must be a real calendar date'),
  // The two rules above are RFC 3339's full-date, JSON Schema's `format: date`: the document states them so.
  v.metadata({ format: 'date' }),
  onRealDate((date) => compare(date, today()) <= 0, 'must not be in the future'),
  onRealDate((date) => ageOn(date, today()) >= MIN_AGE, TOO_YOUNG),
  onRealDate((date) => ageOn(date, today()) <= MAX_AGE, `must make the user at most ${MAX_AGE} years old`),
);

const textSchema = (max: number) =>
  v.pipe(v.string('must be a string'), ...storableText, v.maxCodePoints(max, `must be at most ${max} characters`));

/** Absent stays absent, null or '' becomes null, anything else must pass `schema`. */
const clearable = <T extends v.GenericSchema<unknown, string>>(schema: T) =>
  v.optional(
    v.pipe(
      v.unknown(),
      v.transform((value) => (value === '' ? null : value)),
      v.nullable(schema),
    ),
  );

const oneOf = <const T extends readonly string[]>(options: T) => v.picklist(options, `must be one of ${options.join(', ')}`);

export const profilePatchSchema = closedObject({
  bio: clearable(textSchema(BIO_MAX)),
  location: clearable(textSchema(LOCATION_MAX)),
  birthday: clearable(birthdaySchema),
  gender: clearable(oneOf(GENDERS)),
  maritalStatus: clearable(oneOf(MARITAL_STATUSES)),
});

export type ProfilePatch = v.InferOutput<typeof profilePatchSchema>;

/**
 * The patch as a JSON body: there `null` clears a choice, so an empty
 * `gender` or `maritalStatus` is a mistake (400), not a way to clear it.
 */
export const jsonProfilePatchSchema = v.pipe(
  v.unknown(),
  v.rawCheck(({ dataset, addIssue }) => {
    const input = dataset.value;
    if (typeof input !== 'object' || input === null) return;
    for (const [key, options] of [
      ['gender', GENDERS],
      ['maritalStatus', MARITAL_STATUSES],
    ] as const) {
      const value = (input as Record<string, unknown>)[key];
      if (value === '') {
        addIssue({
          message: `must be one of ${options.join(', ')}, or null to clear it`,
          path: [{ type: 'object', origin: 'value', input: input as Record<string, unknown>, key, value }],
        });
      }
    }
  }),
  profilePatchSchema,
);

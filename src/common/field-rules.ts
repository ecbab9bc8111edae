// Building blocks shared by the body schemas: text Postgres can store exactly,
// and closed objects that name every unknown field.
import * as v from 'valibot';

/**
 * No NUL (Postgres `text` refuses it) and no lone surrogate (it would be
 * silently replaced by U+FFFD on the way to UTF-8). Lengths are counted with
 * v.minCodePoints/v.maxCodePoints, as Postgres `char_length` counts them.
 * Patterns rather than checks, so that the OpenAPI document states them: in a
 * `u` regex (and in JSON Schema, whose patterns are Unicode-aware) a paired
 * surrogate is one code point, so the second matches lone halves only.
 */
export const storableText = [
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character refused
  v.regex(/^[^\u0000]*$/, 'must not contain NUL characters'),
  v.regex(/^[^\uD800-\uDFFF]*$/u, 'must be valid Unicode text'),
] as const;

/** 1..max code points, not only whitespace (an empty one is reported once, as empty). */
export const requiredText = (max: number) =>
  v.pipe(
    v.string('must be a string'),
    ...storableText,
    v.minCodePoints(1, 'must not be empty'),
    v.maxCodePoints(max, `must be at most ${max} characters`),
    // `\S` is what trim() keeps; an empty text is reported once, as empty.
    v.regex(/^$|\S/u, 'must not be blank'),
  );

/** A string trimmed, then requiredText: what a name or a reason a person types is. */
export const trimmedText = (max: number) => v.pipe(v.string('must be a string'), v.trim(), requiredText(max));

const plainObject = v.custom<Record<string, unknown>>(
  (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
  'must be an object',
);

/**
 * Keys valibot's object schemas skip without a word (to protect plain
 * objects' prototypes): a body carrying one is refused as a closed object
 * refuses any unknown field, not accepted with the field silently gone.
 */
const SKIPPED_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

const noSkippedKeys = v.rawCheck<Record<string, unknown>>(({ dataset, addIssue }) => {
  if (!dataset.typed) return;
  const input = dataset.value;
  for (const key of SKIPPED_KEYS) {
    if (Object.hasOwn(input, key)) {
      addIssue({ message: 'is not a known field', path: [{ type: 'object', origin: 'value', input, key, value: input[key] }] });
    }
  }
});

/**
 * An object (arrays refused, unlike valibot's object schemas) with exactly
 * these fields: a missing required one "is required", each unknown one is
 * reported by name, so a misspelt field never passes for a successful update.
 */
export const closedObject = <const E extends v.ObjectEntries>(entries: E) =>
  v.pipe(
    plainObject,
    noSkippedKeys,
    v.objectWithRest(entries, v.never('is not a known field'), 'is required'),
    // Only the declared fields can pass; drop the `[key]: never` the rest schema adds to the type.
    v.transform((fields) => fields as v.InferOutput<v.ObjectSchema<E, undefined>>),
  );

/**
 * Exactly one of two optional fields of an object (`{username}` or `{email}`),
 * piped after its closedObject. Carries its fields as `requirement`, from which
 * the OpenAPI document states it (`oneOf` of their `required`).
 */
export const exactlyOneOf = <T>(a: string, b: string) =>
  Object.assign(
    v.rawCheck<T>(({ dataset, addIssue }) => {
      // Runs even when the object schema failed; only an object can miss a field.
      const input = dataset.value;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
      const given = [a, b].filter((key) => (input as Record<string, unknown>)[key] !== undefined).length;
      if (given === 0) addIssue({ message: `must contain ${a} or ${b}` });
      if (given === 2) addIssue({ message: `must contain ${a} or ${b}, not both` });
    }),
    { requirement: [a, b] as const },
  );

// Keyset cursors: the sort key of the last item of a page, for the next page
// to start after. Opaque to clients (base64url of a JSON array that names its
// list first) and strictly checked when they come back: anything that is not
// exactly what encode() makes for this list decodes to undefined (a 400).
// A cursor is a position, not a permission: a crafted one that passes the
// checks only starts the same list, with the same filters, elsewhere.
import * as v from 'valibot';

/** Far more than any key needs (a 32-character username, two 16-digit numbers). */
const MAX_CURSOR_LENGTH = 200;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface CursorCodec<Key extends readonly unknown[]> {
  encode(key: Key): string;
  /** undefined for anything encode() did not make for this list. */
  decode(text: string): Key | undefined;
}

export function cursorCodec<const Items extends readonly v.GenericSchema[]>(
  list: string,
  items: Items,
): CursorCodec<{ [I in keyof Items]: v.InferOutput<Items[I]> }> {
  type Key = { [I in keyof Items]: v.InferOutput<Items[I]> };
  const schema = v.strictTuple([v.literal(list), ...items]);
  return {
    encode: (key) => Buffer.from(JSON.stringify([list, ...key])).toString('base64url'),
    decode(text) {
      if (text.length > MAX_CURSOR_LENGTH || !BASE64URL.test(text)) return undefined;
      const bytes = Buffer.from(text, 'base64url');
      // Only the canonical spelling: no padding bits or characters set differently.
      if (bytes.toString('base64url') !== text) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch {
        return undefined;
      }
      const result = v.safeParse(schema, json);
      return result.success ? (result.output.slice(1) as unknown as Key) : undefined;
    },
  };
}

/** A row id in a key: what the id columns hold. */
export const keyId = v.pipe(v.number(), v.safeInteger(), v.minValue(1));

/**
 * A timestamp in a key, as whole microseconds since 1970 (Postgres keeps
 * microseconds; a Date would round them away and pages would skip rows).
 * Safe integers reach past the year 2200 either way.
 */
export const keyMicros = v.pipe(v.number(), v.safeInteger());

/** The exact timestamp of keyMicros, as ISO 8601 text Postgres reads (`::timestamptz`). */
export function microsToIso(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const rest = micros - millis * 1000;
  return new Date(millis).toISOString().replace('Z', `${String(rest).padStart(3, '0')}Z`);
}

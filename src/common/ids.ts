// Row ids as the API writes them: decimal digits, 1 .. 2^53-1 (a JS number
// holds them exactly; the driver reads int8 as a number).
import * as v from 'valibot';

/** Rejects `0`, `-1`, `1.5`, `1e3`, `0x1`, ` 1`, `01`; 16 digits may still pass 2^53-1, so check the value too. */
export const ID_PATTERN = /^[1-9]\d{0,15}$/;

const ID_RULE = 'must be a positive integer of at most 2^53-1, in decimal digits';

/**
 * A path id. The schemas after the transform state the output type for the
 * OpenAPI document (valibot's output mode); only the safe-integer bound can fail there.
 */
export const idSchema = v.pipe(
  v.string(ID_RULE),
  v.regex(ID_PATTERN, ID_RULE),
  v.transform(Number),
  v.number(),
  v.safeInteger(ID_RULE),
  v.minValue(1, ID_RULE),
);

// How both drivers read Postgres values: the same JS types whichever driver runs.

const INT8_OID = 20;
const DATE_OID = 1082;

/**
 * int8 ids and counts fit in a JS number (ids are bounded to 2^53-1 by the API);
 * `date` stays a `YYYY-MM-DD` string instead of a Date at local midnight.
 */
export function typeParsers(fallback: TypeParsers): TypeParsers {
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID) return (value: string) => Number(value);
      if (oid === DATE_OID) return (value: string) => value;
      return fallback.getTypeParser(oid, format);
    },
  };
}

/** node-postgres' type-parser lookup, which both drivers accept. */
export type TypeParsers = { getTypeParser(oid: number, format?: 'text' | 'binary'): unknown };

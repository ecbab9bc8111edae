// Connection pools for the drivers (node-postgres; Neon over HTTP or WebSocket,
// see neon.ts). All speak node-postgres' Pool API, so Kysely's PostgresDialect
// sits on any. A driver is imported on the first connection, not with the
// module: importing a function (its cold start) pays for none, and a process
// loads only the driver it uses.
import type { PostgresPool } from 'kysely';
import type { Pool as PgPool } from 'pg';
import { surviveLostConnections } from './errors.ts';
import { neonHttpPool, neonWebSocketPool } from './neon.ts';
import type { Driver } from './url.ts';

const INT8_OID = 20;
const DATE_OID = 1082;

/**
 * int8 ids and counts fit in a JS number (ids are bounded to 2^53-1 by the API);
 * `date` stays a `YYYY-MM-DD` string instead of a Date at local midnight.
 */
function typeParsers(fallback: TypeParsers): TypeParsers {
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

export async function createPool(driver: Driver, connectionString: string): Promise<PostgresPool> {
  if (driver === 'pg') {
    const { default: pg } = await import('pg');
    const pool: PgPool = new pg.Pool({
      connectionString,
      connectionTimeoutMillis: 5_000,
      max: 10,
      types: typeParsers(pg.types),
      idleTimeoutMillis: 30_000,
    });
    surviveLostConnections(pool);
    return pool;
  }
  const neon = await import('@neondatabase/serverless');
  const types = typeParsers(neon.types);
  return driver === 'neon' ? neonHttpPool(neon, connectionString, types) : neonWebSocketPool(neon, connectionString, types);
}

// Connection pools for the two drivers. Both speak node-postgres' Pool API, so
// Kysely's PostgresDialect sits on either. A driver is imported on the first
// connection, not with the module: importing a function (its cold start) pays
// for neither, and a process loads only the driver it uses.
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { Pool as PgPool } from 'pg';
import { envValue } from '../config/env.ts';
import type { Driver } from './url.ts';

const INT8_OID = 20;
const DATE_OID = 1082;

/**
 * int8 ids and counts fit in a JS number (ids are bounded to 2^53-1 by the API);
 * `date` stays a `YYYY-MM-DD` string instead of a Date at local midnight.
 */
function typeParsers(fallback: PgTypes) {
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID) return (value: string) => Number(value);
      if (oid === DATE_OID) return (value: string) => value;
      return fallback.getTypeParser(oid, format);
    },
  };
}

type PgTypes = { getTypeParser(oid: number, format?: 'text' | 'binary'): unknown };

/** A connection idle longer than this may belong to a frozen-and-thawed instance: never reuse it. */
const NEON_MAX_IDLE_MS = 5_000;

export async function createPool(driver: Driver, connectionString: string): Promise<PostgresPool> {
  const common = { connectionString, connectionTimeoutMillis: 5_000, max: 10 };
  if (driver === 'pg') {
    const { default: pg } = await import('pg');
    const pool: PgPool = new pg.Pool({ ...common, types: typeParsers(pg.types), idleTimeoutMillis: 30_000 });
    return pool;
  }
  const { Pool: NeonPool, neonConfig, types } = await import('@neondatabase/serverless');
  // Node 20 has no global WebSocket; Netlify may run either 20 or 22.
  neonConfig.webSocketConstructor ??= (globalThis.WebSocket ?? (await import('ws')).default) as typeof WebSocket;
  // NEON_WS_PROXY points the driver at a plain-ws bridge (tests, benchmarks).
  const proxy = envValue('NEON_WS_PROXY');
  if (proxy !== undefined) {
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
  }
  const pool = new NeonPool({ ...common, types: typeParsers(types), idleTimeoutMillis: NEON_MAX_IDLE_MS });
  return freshConnectionsOnly(pool as unknown as PostgresPool, NEON_MAX_IDLE_MS);
}

type TimedClient = PostgresPoolClient & { releasedAt?: number };

/**
 * A frozen function instance does not run the pool's idle timers, so after a
 * thaw the pool may still hold WebSockets the server side has closed. On
 * checkout, a client that sat idle (by wall clock) longer than `maxIdleMs` is
 * destroyed and a new one taken instead.
 */
function freshConnectionsOnly(pool: PostgresPool, maxIdleMs: number): PostgresPool {
  return {
    async connect() {
      for (;;) {
        const client = (await pool.connect()) as TimedClient;
        if (client.releasedAt !== undefined && Date.now() - client.releasedAt > maxIdleMs) {
          (client.release as (destroy?: boolean) => void)(true);
          continue;
        }
        const release = client.release.bind(client) as (destroy?: boolean) => void;
        client.release = ((destroy?: boolean) => {
          client.releasedAt = Date.now();
          client.release = release;
          release(destroy);
        }) as PostgresPoolClient['release'];
        return client;
      }
    },
    end: () => pool.end(),
  };
}

// Connection pools for the drivers (node-postgres; Neon over HTTP or WebSocket,
// see neon.ts). All speak node-postgres' Pool API, so Kysely's PostgresDialect
// sits on any. A driver is imported on the first connection, not with the
// module: importing a function (its cold start) pays for none, and a process
// loads only the driver it uses.
import type { PostgresPool } from 'kysely';
import type { Pool as PgPool } from 'pg';
import type { Driver } from '../config/settings.ts';
import { surviveLostConnections } from './errors.ts';
import { neonHttpPool, neonWebSocketPool } from './neon.ts';
import { typeParsers } from './type-parsers.ts';

/** Statement names by SQL text, for the statements prepare() compiles once per process. */
const statementNames = new Map<string, string>();

/**
 * Name a statement. node-postgres then has Postgres parse and plan it once
 * per connection and afterwards sends only its values (measured: twice the
 * throughput of an unnamed statement, about that of a bare `SELECT 1`). A
 * PgBouncer in transaction mode in front must be 1.21 or later with
 * max_prepared_statements set. Neon's HTTP queries have no session to name
 * a statement in.
 */
export function nameStatement(sql: string): void {
  if (!statementNames.has(sql)) statementNames.set(sql, `prepared_${statementNames.size + 1}`);
}

export async function createPool(driver: Driver, connectionString: string): Promise<PostgresPool> {
  if (driver === 'pg') {
    const { default: pg } = await import('pg');
    class NamingClient extends pg.Client {
      // Kysely calls query(text, values); any other call passes through.
      // biome-ignore lint/suspicious/noExplicitAny: pg.Client.query has a dozen overloads; this override passes every one through unchanged
      override query(...args: any[]): any {
        const [text, values, callback] = args as [unknown, unknown[], unknown];
        const name = typeof text === 'string' && callback === undefined ? statementNames.get(text) : undefined;
        return name === undefined ? super.query(...(args as [string])) : super.query({ name, text: text as string, values });
      }
    }
    const pool: PgPool = new pg.Pool({
      Client: NamingClient,
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

// The one Kysely instance of this process, created on first use so that
// importing a function module does no I/O.
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import { setting } from '../config/settings.ts';
import { createPool } from './pool.ts';
import type { Database } from './schema.ts';
import { chooseDriver, parseDatabaseUrl } from './url.ts';

type QueryListener = (event: LogEvent) => void;

let instance: Kysely<Database> | undefined;
const listeners = new Set<QueryListener>();

export function getDb(): Kysely<Database> {
  if (instance === undefined) {
    const configured = setting('database');
    const url = parseDatabaseUrl(configured?.url, configured?.variable);
    instance = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: () => createPool(chooseDriver(url), url.href) }),
      log: (event) => {
        for (const listener of listeners) listener(event);
      },
    });
  }
  return instance;
}

/** Close the pool; the next getDb() opens a new one (tests, CLI tools). */
export async function closeDb(): Promise<void> {
  const db = instance;
  instance = undefined;
  await db?.destroy();
}

/** Observe every statement executed (round-trip counts in tests and benchmarks). */
export function onQuery(listener: QueryListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

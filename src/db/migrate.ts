// Applies sql/migrations/*.sql in name order, each in its own transaction,
// recording what ran in schema_migrations. Re-running applies nothing new.
//
// Two deploys may build at once: each migration's transaction first takes a
// transaction-scoped advisory lock, then checks schema_migrations again, so the
// second migrator waits and then skips what the first applied. A transaction
// lock (not a session one) also holds through a transaction-mode pooler, such
// as Neon's `-pooler` host, where consecutive statements outside a transaction
// may reach different server connections.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../sql/migrations/', import.meta.url));

// Any constant works; it only keeps two migrators from interleaving.
const LOCK_KEY = 720_427_001;

export async function migrate(connectionString: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => /^\d+_[\w-]+\.sql$/.test(name)).sort();
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const applied: string[] = [];
    for (const name of files) {
      const text = await readFile(`${dir}/${name}`, 'utf8');
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
        await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
        const { rowCount } = await client.query('SELECT FROM schema_migrations WHERE name = $1', [name]);
        if (rowCount === 0) {
          await client.query(text);
          await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
          applied.push(name);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    return applied;
  } finally {
    await client.end();
  }
}

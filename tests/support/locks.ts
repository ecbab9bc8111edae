// Races played step by step: a connection of the test's own takes a lock as
// another statement would, a request is started, and the test waits until
// that request's statement waits on the lock before it plays the next step.
import pg from 'pg';
import { expect, vi } from 'vitest';

/** Two connections of the test's own, ended after `play`: one to take locks as another statement would, one to watch. */
export async function byHand(play: (other: pg.Client, watcher: pg.Client) => Promise<void>): Promise<void> {
  const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
  const watcher = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await Promise.all([other.connect(), watcher.connect()]);
  try {
    await play(other, watcher);
  } finally {
    await Promise.all([other.end(), watcher.end()]);
  }
}

/** Waits until a statement of this test's database waits on a lock. */
export async function untilBlocked(watcher: pg.Client): Promise<void> {
  await vi.waitFor(
    async () => {
      const { rows } = await watcher.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
    },
    { timeout: 20_000, interval: 20 },
  );
}

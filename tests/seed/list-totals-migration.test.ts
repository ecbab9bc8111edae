// Migration 0006 (list totals) applied to a database that already holds seeded
// users, posts and comments, as it will be in production: the totals start
// equal to the counts, and stay so through the seed's bulk statements (a second
// run hands every post and comment to new users), deletions, confirmations and TRUNCATE.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runPsqlFile, SEED_FILE } from '../../src/cli/psql.ts';
import { databaseUrl } from '../../src/db/embedded.ts';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate.ts';
import { admin } from '../support/global-setup.ts';

const serverUrl = inject('databaseServerUrl');
const name = `auth_totals_${randomBytes(4).toString('hex')}`;
const url = databaseUrl(serverUrl, name);
const TOTALS = '0006_list_totals.sql';

afterAll(async () => {
  await admin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
});

async function seed(users: number): Promise<void> {
  const { code, stderr } = await runPsqlFile(url, SEED_FILE, ['-v', `users=${users}`]);
  expect(code, stderr).toBe(0);
}

/** The kept totals and the counts they must equal. */
async function totals(): Promise<{ kept: Record<string, number>; counted: Record<string, number>; comments: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`
      SELECT (SELECT json_object_agg(list, total) FROM list_totals) AS kept,
             json_build_object('users', (SELECT count(*) FROM users),
                               'confirmed_users', (SELECT count(*) FROM users WHERE confirmed_at IS NOT NULL),
                               'posts', (SELECT count(*) FROM posts)) AS counted,
             (SELECT count(*) FROM (SELECT post_id, count(*) AS n FROM comments GROUP BY post_id) c
              FULL JOIN (SELECT * FROM post_comment_totals WHERE total > 0) t USING (post_id)
              WHERE c.n IS DISTINCT FROM t.total) AS comments`);
    return rows[0];
  } finally {
    await client.end();
  }
}

describe('migration 0006 on a populated database', () => {
  it('starts every total at its count, and the triggers keep it there', async () => {
    await admin(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const earlier = await mkdtemp(join(tmpdir(), 'migrations-'));
    try {
      const files = (await readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith('.sql') && file < TOTALS);
      for (const file of files) await copyFile(join(MIGRATIONS_DIR, file), join(earlier, file));
      await migrate(url, earlier);
    } finally {
      await rm(earlier, { recursive: true, force: true });
    }
    await seed(500);
    expect(await migrate(url)).toContain(TOTALS);

    const fresh = await totals();
    expect(Number(fresh.kept.users)).toBe(500);
    expect(fresh.kept).toEqual(fresh.counted);
    expect(fresh.comments).toBe('0');

    // The seed again: bulk inserts, and UPDATEs of every post and comment's owner.
    await seed(300);
    const again = await totals();
    expect(Number(again.kept.users)).toBe(800);
    expect(again.kept).toEqual(again.counted);
    expect(again.comments).toBe('0');

    // Deleting users takes their posts and comments (and comments on their posts) with them.
    await admin(url, (client) => client.query('DELETE FROM users WHERE id IN (SELECT id FROM users ORDER BY id LIMIT 100)'));
    await admin(url, (client) =>
      client.query('UPDATE users SET confirmed_at = NULL WHERE id IN (SELECT id FROM users ORDER BY id LIMIT 10)'),
    );
    const after = await totals();
    expect(Number(after.kept.users)).toBe(700);
    expect(Number(after.kept.confirmed_users)).toBe(690);
    expect(after.kept).toEqual(after.counted);
    expect(after.comments).toBe('0');

    // A comment cannot move to another post, which would leave both totals wrong.
    const moved = await admin(url, (client) =>
      client
        .query(
          'UPDATE comments c SET post_id = (SELECT p.id FROM posts p WHERE p.id <> c.post_id LIMIT 1) WHERE c.id = (SELECT min(id) FROM comments)',
        )
        .catch((error: Error) => error),
    );
    expect(moved).toBeInstanceOf(Error);
    expect((moved as Error).message).toBe('a comment cannot move to another post');

    // TRUNCATE fires no DELETE trigger; its own triggers empty the totals (here of comments, then of everything).
    await admin(url, (client) => client.query('TRUNCATE comments'));
    expect((await totals()).comments).toBe('0');
    await admin(url, (client) => client.query('TRUNCATE users CASCADE'));
    const emptied = await totals();
    expect(emptied.kept).toEqual({ users: 0, confirmed_users: 0, posts: 0 });
    expect(emptied.kept).toEqual(emptied.counted);
  });
});

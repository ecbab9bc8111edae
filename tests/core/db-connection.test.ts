import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/settings.ts';
import { closeDb, getDb, onQuery } from '../../src/db/connection.ts';
import { isDatabaseUnavailable, uniqueViolation } from '../../src/db/errors.ts';
import { chooseDriver, parseDatabaseUrl } from '../../src/db/url.ts';
import { envPerTest } from '../support/env.ts';
import { startWsBridge, type WsBridge } from '../support/ws-bridge.ts';

describe('DATABASE_URL', () => {
  it.each([
    ['not a url', /DATABASE_URL is not a valid URL/],
    ['mysql://u:p@host/db', /DATABASE_URL must start with postgres/],
    ['postgres://u:p@host', /DATABASE_URL names no database/],
  ])('refuses %s with an error naming the variable', (raw, message) => {
    expect(() => parseDatabaseUrl(raw)).toThrow(message);
    expect(() => parseDatabaseUrl(raw)).toThrow(ConfigError);
  });

  it('never repeats the password in its error', () => {
    expect(() => parseDatabaseUrl('mysql://user:hunter2-secret@host/db')).toThrow(/^(?!.*hunter2)/s);
  });

  it('reports a missing variable', () => {
    expect(() => parseDatabaseUrl(undefined)).toThrow(/DATABASE_URL is not set/);
  });

  it('chooses the Neon driver for Neon hosts and pg for the rest', () => {
    expect(chooseDriver(new URL('postgres://u:p@ep-cool-1.eu-central-1.aws.neon.tech/db'))).toBe('neon');
    expect(chooseDriver(new URL('postgres://u:p@127.0.0.1:5432/db'))).toBe('pg');
  });
});

describe('the Kysely instance', () => {
  const env = envPerTest();
  afterEach(() => closeDb());

  it('is created once per process and reports every statement', async () => {
    expect(getDb()).toBe(getDb());
    const seen: string[] = [];
    const stop = onQuery((event) => seen.push(event.query.sql));
    await sql`SELECT 1`.execute(getDb());
    stop();
    expect(seen).toEqual(['SELECT 1']);
  });

  it('reads int8 as numbers and dates as YYYY-MM-DD strings', async () => {
    const { rows } = await sql<{ n: number; d: string }>`SELECT 9007199254740991::int8 AS n, DATE '2001-02-03' AS d`.execute(getDb());
    expect(rows[0]).toEqual({ n: 9007199254740991, d: '2001-02-03' });
  });

  /** Runs `work` with the given Neon driver pointed at a fresh local bridge. */
  async function throughNeon(driver: 'neon' | 'neon-ws', work: (bridge: WsBridge) => Promise<void>): Promise<void> {
    const bridge = await startWsBridge();
    try {
      env({ DATABASE_DRIVER: driver, NEON_WS_PROXY: bridge.proxy });
      await closeDb();
      await work(bridge);
    } finally {
      await closeDb();
      await bridge.close();
    }
  }

  it.each(['neon', 'neon-ws'] as const)('runs real queries and transactions through the Neon driver (%s)', (driver) =>
    throughNeon(driver, async () => {
      const db = getDb();
      const [{ version }] = (await sql<{ version: string }>`SELECT version()`.execute(db)).rows as [{ version: string }];
      expect(version).toMatch(/^PostgreSQL/);
      const { rows } = await sql<{ n: number; d: string }>`SELECT 9007199254740991::int8 AS n, DATE '2001-02-03' AS d`.execute(db);
      expect(rows[0]).toEqual({ n: 9007199254740991, d: '2001-02-03' });
      const inserted = await db
        .insertInto('users')
        .values({ username: `neon_${driver.replace('-', '_')}`, email: `${driver}@example.com`, password_hash: '$scrypt$test' })
        .returning(['id', 'created_at'])
        .executeTakeFirstOrThrow();
      expect(inserted.id).toBeTypeOf('number');
      expect(inserted.created_at).toBeInstanceOf(Date);
      const duplicate = await db
        .insertInto('users')
        .values({ username: `neon_${driver.replace('-', '_')}`, email: `other-${driver}@example.com`, password_hash: '$scrypt$test' })
        .execute()
        .catch((error: unknown) => error);
      expect(uniqueViolation(duplicate)).toBe('users_username_key');
      // A transaction sees its own writes and leaves nothing when it fails.
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('users').where('id', '=', inserted.id).execute();
          expect(await trx.selectFrom('users').where('id', '=', inserted.id).select('id').executeTakeFirst()).toBeUndefined();
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await db.selectFrom('users').where('id', '=', inserted.id).select('id').executeTakeFirst()).toBeDefined();
      const { numDeletedRows } = await db.deleteFrom('users').where('id', '=', inserted.id).executeTakeFirstOrThrow();
      expect(numDeletedRows).toBe(1n);
    }),
  );

  it('sends statements over HTTP and only transactions over a WebSocket (neon)', () =>
    throughNeon('neon', async (bridge) => {
      await sql`SELECT 1`.execute(getDb());
      expect([bridge.httpQueries(), bridge.connections()]).toEqual([1, 0]);
      await getDb()
        .transaction()
        .execute((trx) => sql`SELECT 2`.execute(trx));
      expect([bridge.httpQueries(), bridge.connections()]).toEqual([1, 1]);
    }));

  it('sends everything over WebSockets (neon-ws)', () =>
    throughNeon('neon-ws', async (bridge) => {
      await sql`SELECT 1`.execute(getDb());
      expect([bridge.httpQueries(), bridge.connections()]).toEqual([0, 1]);
    }));

  it('answers an unreachable Neon endpoint as unavailable, not as a bug', async () => {
    const bridge = await startWsBridge();
    const proxy = bridge.proxy;
    await bridge.close();
    env({ DATABASE_DRIVER: 'neon', NEON_WS_PROXY: proxy });
    await closeDb();
    const error = await sql`SELECT 1`.execute(getDb()).catch((caught: unknown) => caught);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
});

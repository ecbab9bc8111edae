import { mkdtemp, rm, writeFile, copyFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { databaseUrl } from '../../src/db/embedded.ts';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate.ts';
import { admin } from '../support/global-setup.ts';

const serverUrl = inject('databaseServerUrl');
const created: string[] = [];

async function emptyDatabase(): Promise<string> {
  const name = `auth_migrate_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  created.push(name);
  return databaseUrl(serverUrl, name);
}

async function tables(url: string): Promise<string[]> {
  return admin(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    return rows.map((row) => row.name);
  });
}

afterAll(async () => {
  for (const name of created) {
    await admin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
});

describe('migrations', () => {
  it('create every table, and a second run applies nothing', async () => {
    const url = await emptyDatabase();
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    expect(await migrate(url)).toEqual(files);
    expect(await migrate(url)).toEqual([]);
    expect(await tables(url)).toEqual([
      'admin_actions',
      'comments',
      'federated_identities',
      'federated_sign_ins',
      'known_addresses',
      'list_totals',
      'mfa_challenges',
      'one_time_tokens',
      'passkeys',
      'post_comment_totals',
      'posts',
      'rate_limits',
      'recovery_codes',
      'schema_migrations',
      'security_events',
      'service_keys',
      'sessions',
      'totp_factors',
      'user_profiles',
      'users',
      'webauthn_challenges',
    ]);
  });

  it('leave nothing of a failing migration applied', async () => {
    const url = await emptyDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    try {
      await copyFile(join(MIGRATIONS_DIR, '0001_accounts.sql'), join(dir, '0001_accounts.sql'));
      await writeFile(join(dir, '0002_broken.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n');
      await expect(migrate(url, dir)).rejects.toThrow(/0002_broken.sql failed/);
      const names = await tables(url);
      expect(names).toContain('users');
      expect(names).not.toContain('half_done');
      const applied = await admin(url, (c) => c.query('SELECT name FROM schema_migrations ORDER BY name'));
      expect(applied.rows.map((r) => r.name)).toEqual(['0001_accounts.sql']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('0013 counts as proven only an address the audit trail shows proven, from its latest proof', async () => {
    const url = await emptyDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    try {
      const before = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql') && f < '0013');
      for (const file of before) await copyFile(join(MIGRATIONS_DIR, file), join(dir, file));
      await migrate(url, dir);
      await admin(url, async (client) => {
        await client.query(`INSERT INTO users (id, username, email, password_hash, confirmed_at) OVERRIDING SYSTEM VALUE VALUES
          (1, 'coded', 'coded@example.com', '$scrypt$x', now()), (2, 'reset', 'reset@example.com', '$scrypt$x', now()),
          (3, 'classic', 'classic@example.com', '$scrypt$x', now()), (4, 'pending', 'pending@example.com', '$scrypt$x', NULL)`);
        await client.query(`INSERT INTO security_events (user_id, kind, created_at) VALUES
          (1, 'account_confirmed', '2026-01-01Z'), (1, 'email_changed', '2026-02-01Z'), (2, 'password_reset', '2026-03-01Z'),
          (3, 'login_succeeded', '2026-03-01Z'), (3, 'password_changed', '2026-03-02Z')`);
      });
      expect(await migrate(url)).toEqual((await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql') && f >= '0013'));
      const proven = await admin(url, (c) => c.query('SELECT id, email_verified_at FROM users ORDER BY id'));
      expect(proven.rows).toEqual([
        { id: '1', email_verified_at: new Date('2026-02-01Z') },
        { id: '2', email_verified_at: new Date('2026-03-01Z') },
        { id: '3', email_verified_at: null },
        { id: '4', email_verified_at: null },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keep usernames and e-mails unique whatever their case', async () => {
    const url = process.env.DATABASE_URL!;
    await admin(url, async (client) => {
      await client.query(`INSERT INTO users (username, email, password_hash) VALUES ('casey', 'casey@example.com', '$scrypt$x')`);
      await expect(
        client.query(`INSERT INTO users (username, email, password_hash) VALUES ('Casey', 'other@example.com', '$scrypt$x')`),
      ).rejects.toThrow(/users_username_format/);
      await expect(
        client.query(`INSERT INTO users (username, email, password_hash) VALUES ('casey2', 'Casey@Example.com', '$scrypt$x')`),
      ).rejects.toThrow(/users_email_format/);
      await expect(
        client.query(`INSERT INTO users (username, email, password_hash) VALUES ('casey', 'c2@example.com', '$scrypt$x')`),
      ).rejects.toThrow(/users_username_key/);
    });
  });
});

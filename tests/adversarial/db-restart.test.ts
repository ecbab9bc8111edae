// The database server stopped under a running service, then started again.
// This file runs its OWN embedded Postgres (the shared test server is never
// stopped): while it is down every request that needs it answers 503 with the
// generic body of its surface, a request in flight when it stops is not
// half-applied, and once it is back the same process serves again (same pool,
// no restart, the old sessions still valid). ADVERSARIAL_RESTARTS sets the cycles.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import classicProfile from '../../netlify/functions/classic-profile.ts';
import classicReset from '../../netlify/functions/classic-reset-password.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import classicUsers from '../../netlify/functions/classic-users.ts';
import health from '../../netlify/functions/health.ts';
import login from '../../netlify/functions/login.ts';
import me from '../../netlify/functions/me.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import posts from '../../netlify/functions/posts.ts';
import register from '../../netlify/functions/register.ts';
import usersUsername from '../../netlify/functions/users-username.ts';
import users from '../../netlify/functions/users.ts';
import { closeDb, getDb } from '../../src/db/connection.ts';
import { databaseUrl, startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { call, type CallResult } from '../support/call.ts';
import { setEnv } from '../support/env.ts';
import { createUser, STRONG_PASSWORD, type TestUser, uniqueIp, uniqueName } from '../support/users.ts';
import { envCount, expectUnavailable, report, snapshotTables, type RouteUnderTest } from './harness.ts';

const RESTARTS = envCount('ADVERSARIAL_RESTARTS', 2);
const figures = { restarts: 0, 'requests while down': 0, 'requests cut by the stop': 0, 'requests after each restart': 0 };

let dir: string;
let server: EmbeddedServer;
let restoreEnv: (() => void) | undefined;
let owner: TestUser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auth-restart-pg-'));
  server = await startEmbeddedPostgres({ dir, ephemeral: true });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE auth');
  await admin.end();
  restoreEnv = setEnv({ DATABASE_URL: databaseUrl(server.url, 'auth') });
  await migrate(process.env.DATABASE_URL!);
  await closeDb();
  owner = await createUser();
  // Each lost connection and each 503 is logged; dozens of lines here.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterAll(async () => {
  await closeDb();
  restoreEnv?.();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
  report('database server stopped and restarted', figures);
});

/** Requests of both surfaces that each need the database. */
function requests(): [RouteUnderTest['style'], () => Promise<CallResult>][] {
  const name = uniqueName();
  const ip = uniqueIp();
  return [
    ['api', () => call(health, 'GET', '/api/health')],
    ['api', () => call(me, 'GET', '/api/me', { token: owner.token })],
    ['api', () => call(login, 'POST', '/api/login', { json: { username: owner.user.username, password: owner.password }, ip })],
    [
      'api',
      () =>
        call(register, 'POST', '/api/register', { json: { username: name, email: `${name}@example.com`, password: STRONG_PASSWORD }, ip }),
    ],
    ['api', () => call(forgot, 'POST', '/api/password/forgot', { json: { email: owner.user.email }, ip })],
    ['api', () => call(posts, 'POST', '/api/posts', { token: owner.token, json: { title: 'While down', body: 'Body' } })],
    ['api', () => call(posts, 'GET', '/api/posts')],
    ['api', () => call(users, 'GET', '/api/users')],
    ['api', () => call(usersUsername, 'GET', `/api/users/${owner.user.username}`)],
    ['classic', () => call(classicUsers, 'POST', '/users', { form: { email: `${name}.c@example.com`, password: STRONG_PASSWORD }, ip })],
    ['classic', () => call(classicSessions, 'POST', '/sessions', { form: { email: owner.user.email, password: owner.password }, ip })],
    ['classic', () => call(classicProfile, 'GET', '/profile', { cookie: `session_id=${owner.token}` })],
    ['classic', () => call(classicReset, 'POST', '/reset_password', { form: { email: owner.user.email }, ip })],
  ];
}

/** A connection of its own that blocks new posts, so that a request is surely in the middle of a statement. */
async function blockPosts(): Promise<pg.Client> {
  const blocker = new pg.Client({ connectionString: process.env.DATABASE_URL });
  blocker.on('error', () => {}); // the stop ends it too
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE posts IN ACCESS EXCLUSIVE MODE');
  return blocker;
}

async function waitingOnLock(blocker: pg.Client): Promise<boolean> {
  for (let poll = 0; poll < 500; poll++) {
    const { rows } = await blocker.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0].n > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

describe(`the database server stopped and restarted, ${RESTARTS} times`, () => {
  it('answers 503 while it is down, half-applies nothing, and serves again once it is back', async () => {
    for (let cycle = 0; cycle < RESTARTS; cycle++) {
      for (const [, request] of requests()) expect((await request()).status).toBeLessThan(500);
      const before = await snapshotTables();

      // A post in the middle of its INSERT when the server stops (fast shutdown).
      const blocker = await blockPosts();
      const cut = call(posts, 'POST', '/api/posts', { token: owner.token, json: { title: 'Cut by the stop', body: 'Body' } });
      expect(await waitingOnLock(blocker)).toBe(true);
      await server.stop();
      // A fast shutdown signals every backend at once: the blocker's end can release the lock
      // before the post's backend takes its signal, and the INSERT then commits whole (seen at a
      // load average of 10). Whole or nothing: a 201 and its post, or a 503 and nothing.
      const cutAnswer = await cut;
      if (cutAnswer.status !== 201) expectUnavailable(cutAnswer, 'api');
      figures['requests cut by the stop'] += 1;

      for (const [style, request] of requests()) {
        expectUnavailable(await request(), style);
        figures['requests while down'] += 1;
      }

      server = await startEmbeddedPostgres({ dir, port: server.port, ephemeral: true });
      figures.restarts += 1;
      if (cutAnswer.status === 201) {
        // The post it answered is there; without it (the triggers keep the totals), nothing else changed.
        const removed = await sql`DELETE FROM posts WHERE id = ${cutAnswer.body.post.id} AND title = 'Cut by the stop'`.execute(getDb());
        expect(removed.numAffectedRows).toBe(1n);
      }
      expect(await snapshotTables()).toBe(before);
      for (const [, request] of requests()) {
        const res = await request();
        expect(res.status, res.text).toBeLessThan(500);
        figures['requests after each restart'] += 1;
      }
      expect((await call(me, 'GET', '/api/me', { token: owner.token })).body.user.id).toBe(owner.user.id);
    }
  }, 120_000);
});

// Login CSRF: a page on another origin posting a login
// form would log its visitor into the attacker's account. Both login routes
// refuse a foreign Origin (or, without one, Sec-Fetch-Site: cross-site) with
// 403 before any statement, set no cookie and open no session; a same-origin
// browser and a client that sends neither header log in as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import login from '../../netlify/functions/login.ts';
import { getDb, onQuery } from '../../src/db/connection.ts';
import { BASE_URL, call } from '../support/call.ts';
import { createUser, uniqueIp, type TestUser } from '../support/users.ts';
import { expectSafe, report } from './harness.ts';

let attacker: TestUser;
const figures = { refused: 0, sent: 0 };
afterAll(() => report('login CSRF', { 'cross-origin logins refused': `${figures.refused} of ${figures.sent}` }));
beforeAll(async () => {
  attacker = await createUser();
});

const FOREIGN: Record<string, string>[] = [
  { origin: 'https://evil.example' },
  { origin: 'null' },
  { origin: 'http://localhost:8889' },
  { origin: 'https://localhost:8888' },
  { 'sec-fetch-site': 'cross-site' },
  { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
];

const routes = () =>
  [
    [
      'POST /api/login',
      (headers: Record<string, string>) =>
        call(login, 'POST', '/api/login', {
          form: { username: attacker.user.username, password: attacker.password },
          headers,
          ip: uniqueIp(),
        }),
      'api',
    ],
    [
      'POST /sessions',
      (headers: Record<string, string>) =>
        call(classicSessions, 'POST', '/sessions', {
          form: { email: attacker.user.email, password: attacker.password },
          headers,
          ip: uniqueIp(),
        }),
      'classic',
    ],
  ] as const;

const sessionCount = async () =>
  Number(
    (
      await getDb()
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('user_id', '=', attacker.user.id)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('a login form posted from another origin', () => {
  it('is refused with 403 on both routes, before any statement, with no cookie and no session', async () => {
    const sessions = await sessionCount();
    for (const [name, send, style] of routes()) {
      for (const headers of FOREIGN) {
        let statements = 0;
        const stop = onQuery(() => statements++);
        const res = await send(headers);
        stop();
        figures.sent++;
        if (res.status === 403) figures.refused++;
        expect(res.status, `${name} ${JSON.stringify(headers)}`).toBe(403);
        expectSafe(res, style);
        if (style === 'api') expect(res.body.error.code).toBe('forbidden');
        expect(res.headers.get('set-cookie')).toBeNull();
        expect(statements).toBe(0);
      }
    }
    expect(await sessionCount()).toBe(sessions);
  });

  it('from our own origin, or from a client that sends no Origin, still logs in', async () => {
    for (const [name, send] of routes()) {
      const sameOrigin: Record<string, string>[] = [
        { origin: BASE_URL },
        { 'sec-fetch-site': 'same-origin' },
        { 'sec-fetch-site': 'none' },
        {},
      ];
      for (const headers of sameOrigin) {
        const res = await send(headers);
        expect(res.status, `${name} ${JSON.stringify(headers)}`).toBe(200);
        expect(res.headers.get('set-cookie')).toMatch(/^session_id=/);
      }
    }
  });
});
